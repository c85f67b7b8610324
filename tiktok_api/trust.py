"""The CA bundle for TLS to TikTok: always verified, against the bundle the environment names (if any)."""

from __future__ import annotations

import os
from collections.abc import MutableMapping

# Any of them names the bundle. yt-dlp's curl_cffi requests read the first two, its plain ones read
# SSL_CERT_FILE through OpenSSL, so every one that is unset gets the bundle the operator did name.
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def ca_bundle(environ: MutableMapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    return next((env[name] for name in CA_BUNDLE_VARIABLES if env.get(name)), None)


def share_ca_bundle(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Make every CA variable that is unset name the bundle one of them names; return that bundle."""
    env = os.environ if environ is None else environ
    bundle = ca_bundle(env)
    if bundle is not None:
        for name in CA_BUNDLE_VARIABLES:
            if not env.get(name):
                env[name] = bundle
    return bundle
