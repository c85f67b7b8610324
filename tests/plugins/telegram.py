"""Fixtures: filled in by the feature that owns them."""
