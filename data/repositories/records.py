"""Repositories hand out frozen records, never ORM rows: a row must not outlive its session."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

Record = TypeVar("Record")


def record_from_row(record_type: type[Record], row: Any) -> Record:
    """The dataclass `record_type` with each field read from the row's attribute of the same name."""
    return record_type(**{field.name: getattr(row, field.name) for field in fields(record_type)})
