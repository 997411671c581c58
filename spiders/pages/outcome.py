"""Telling a blocked fetch from an empty one. Pure: status, headers and body in, verdict out.

A CAPTCHA or anti-bot page, a login wall, HTTP 403/429 or a JSON error payload is not
"nothing found": the patrol reports it as blocked (or throttled) so that a quiet marketplace is
never mistaken for a clean one.
"""

from __future__ import annotations

import re

# Phrases of anti-bot and login pages, Indonesian and English. Matched only in the first part
# of the body and only on pages that did not parse as results.
_BLOCK_MARKERS = re.compile(
    r"captcha|g-recaptcha|hcaptcha|cf-chl|challenge-platform|are you a robot|verify you are human"
    r"|verifikasi keamanan|aktivitas tidak biasa|unusual traffic|access denied|akses ditolak"
    r"|punish|x5sec|_____tmd_____|slide to verify|geser untuk verifikasi",
    re.IGNORECASE,
)
_LOGIN_MARKERS = re.compile(
    r"silakan (masuk|login)|please (log ?in|sign ?in)|/login\?|masuk ke akun", re.IGNORECASE
)


def classify_http(status: int, headers: dict[str, str] | None = None) -> tuple[str, str] | None:
    """Outcome decided by the status line alone, or None when the body must be read."""
    if status == 429:
        retry = (headers or {}).get("retry-after")
        return "throttled", f"HTTP 429 (Retry-After: {retry})" if retry else "HTTP 429"
    if status in (401, 403, 407):
        return "blocked", f"HTTP {status}"
    if status >= 500 or status == 404 or status >= 400:
        return "error", f"HTTP {status}"
    return None


def detect_block_page(body: bytes | str, limit: int = 200_000) -> str | None:
    """The reason a 200 page is an anti-bot or login wall, or None."""
    text = body[:limit].decode("utf-8", "replace") if isinstance(body, bytes) else body[:limit]
    m = _BLOCK_MARKERS.search(text)
    if m:
        return f"halaman anti-bot ({m.group(0)!r})"
    m = _LOGIN_MARKERS.search(text)
    if m:
        return f"halaman login ({m.group(0)!r})"
    return None
