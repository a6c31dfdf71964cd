"""Secrets masked wherever text leaves the process: terminal, `doctor`, the log file.

Two layers: any URL's password (`postgresql://user:***@host/db`) and secret-looking query
values (`?password=`, `?key=`, `?token=`) are masked by pattern, whether the URL parses or not;
and the secrets this process was given (the store password, the ERP key, the wallboard token)
are registered once at start and masked wherever they appear, in messages and tracebacks alike.
"""

import re
from urllib.parse import quote, unquote, urlsplit

MASK = "***"

#: `scheme://user:password@` — the password up to the last `@` before the host (a password
#: may hold an unencoded `@`), never across a space or a slash.
_USERINFO = re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^\s:/@]*:)(?P<secret>[^\s/]+)(?=@)", re.I)
_SECRET_QUERY = re.compile(
    r"(?P<head>[?&;](?:password|passwd|pwd|key|api_key|apikey|token|access_token|secret"
    r"|sslpassword)=)(?P<secret>[^&#\s'\"]+)",
    re.I,
)

#: Secrets given to this process (registered at start); logging is process-wide, so is this.
_SECRETS: set[str] = set()
#: Shorter values are not masked by value (they would blank ordinary words), only by pattern.
MIN_SECRET_LEN = 4


def register_secret(value: str | None) -> None:
    """Mask `value` (and its URL-encoded form) from now on wherever it appears."""
    if value and len(value) >= MIN_SECRET_LEN:
        _SECRETS.update({value, quote(value, safe=""), unquote(value)})


def register_url(url: str | None) -> None:
    """Register the password and the secret query values of a URL (parseable or not)."""
    if not url:
        return
    for pattern in (_USERINFO, _SECRET_QUERY):
        for match in pattern.finditer(url):
            register_secret(match.group("secret"))
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    register_secret(password)


def mask(text: str) -> str:
    """`text` with every registered secret and every URL password replaced by `***`."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _USERINFO.sub(lambda m: m.group("head") + MASK, text)
    return _SECRET_QUERY.sub(lambda m: m.group("head") + MASK, text)
