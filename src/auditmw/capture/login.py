"""A login route's event: who signed in, or who tried to, and whether it worked.

The submitted username is read from the login request's body (a form or JSON object;
``username``, ``email``, ``login``... — never a password field) and names the actor when
the app's own sources name nobody (a token endpoint, or a failed attempt). The outcome:

1. 401/403 → ``denied``; any other status ≥ 400 → ``failure``;
2. the app's sources name a signed-in user after the route ran → ``success``;
3. a redirect back to the login path itself (the Flask-Login tutorial's "try again"), or
   a 200 HTML page (the form rendered again, as Flask's own tutorial does) → ``failure``;
4. anything else (a redirect onwards, a JSON token) → ``success``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from auditmw.capture.request import load_json
from auditmw.event import Actor, ErrorInfo, Outcome
from auditmw.outcome import outcome_of_status

#: Body fields that carry the name a user signs in with, in order of preference.
USERNAME_FIELDS = ("username", "user_name", "userName", "login", "email", "user",
                   "account", "identifier", "userid", "user_id")
MAX_USERNAME_CHARS = 256


def submitted_username(body: bytes | None, content_type: str | None) -> str | None:
    """The username a login request submitted, or ``None``. Never raises."""
    if not body:
        return None
    try:
        ctype = (content_type or "").lower()
        fields: Mapping[str, Any]
        if ctype.startswith("application/x-www-form-urlencoded"):
            parsed = parse_qs(body.decode("utf-8", "replace"), max_num_fields=64)
            fields = {k: v[0] for k, v in parsed.items() if v}
        elif ctype.startswith("multipart/form-data"):
            return None  # a login form posted as multipart: rare, not parsed
        else:
            value = load_json(body)
            if not isinstance(value, dict):
                return None
            fields = value
        for name in USERNAME_FIELDS:
            found = fields.get(name)
            if isinstance(found, str) and found.strip():
                return found.strip()[:MAX_USERNAME_CHARS]
    except Exception:
        return None
    return None


def login_outcome(status: int | None, signed_in: bool, path: str,
                  location: str | None, content_type: str | None,
                  ) -> tuple[Outcome, ErrorInfo | None]:
    outcome, error = outcome_of_status(status)
    if outcome != "success" or signed_in or status is None:
        return outcome, error
    if 300 <= status < 400 and location is not None:
        target = urlsplit(location).path.rstrip("/") or "/"
        if target == (path.rstrip("/") or "/"):
            return "failure", ErrorInfo("LoginFailed", "redirected back to the login page")
    if status == 200 and (content_type or "").lower().startswith("text/html"):
        return "failure", ErrorInfo("LoginFailed", "the login page was shown again")
    return "success", None


def login_actor(signed_in: Actor | None, username: str | None) -> Actor | None:
    """The signed-in user; else the one who tried, by the name they submitted (no id: it
    is what the client claimed, not who the app said it was)."""
    if signed_in is not None:
        return signed_in
    return Actor(name=username) if username else None
