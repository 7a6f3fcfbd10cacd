"""`X-Twilio-Signature`: HMAC-SHA1 over the URL and the sorted POST parameters."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

__all__ = ["compute_signature", "validate_signature"]

Params = Mapping[str, str] | Iterable[tuple[str, str]]


def _pairs(params: Params) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else params
    return [(str(k), str(v)) for k, v in items]


def compute_signature(url: str, params: Params, auth_token: str) -> str:
    """The signature Twilio sends for a POST of `params` to `url`.

    Names in code-point order; each name's distinct values sorted; name+value appended to the URL
    (sorting the distinct (name, value) pairs is exactly that order).
    """
    payload = url + "".join(name + value for name, value in sorted(set(_pairs(params))))
    # hmac.digest: OpenSSL's one-shot, without hmac.new's Python object
    return base64.b64encode(hmac.digest(auth_token.encode(), payload.encode(), "sha1")).decode()


def _port_variants(url: str) -> list[str]:
    """The URL as given, without its port, and with the scheme's default port added."""
    parts = urlsplit(url)
    if parts.hostname is None:
        return [url]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    default_port = 443 if parts.scheme == "https" else 80
    bare = urlunsplit(parts._replace(netloc=prefix + host))
    with_port = urlunsplit(parts._replace(netloc=f"{prefix}{host}:{parts.port or default_port}"))
    return [url, bare, with_port]


def validate_signature(url: str, params: Params, signature: str, auth_token: str) -> bool:
    """True when `signature` matches `url` as given, without its port, or with the default port."""
    pairs = _pairs(params)
    expected = signature or ""
    if hmac.compare_digest(compute_signature(url, pairs, auth_token), expected):
        return True  # the usual case: the URL as we gave it; the variants only when it fails
    return any(
        hmac.compare_digest(compute_signature(variant, pairs, auth_token), expected)
        for variant in _port_variants(url)[1:]
    )
