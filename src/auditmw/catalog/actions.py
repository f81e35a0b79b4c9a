"""Derive an event's ``action`` from its camelCase endpoint name.

The first word that is a known verb decides; modifiers such as ``secured`` or ``bulk``
are skipped (``securedBulkDeleteAssets`` is a delete, ``scopesBulkUpdate`` an update).
"""

from __future__ import annotations

import re

from auditmw.event import Action

_VERBS: dict[str, Action] = {
    "create": "create", "add": "create", "insert": "create", "register": "create",
    "update": "update", "edit": "update", "set": "update", "toggle": "update",
    "manage": "update", "share": "update", "rename": "update", "modify": "update",
    "delete": "delete", "remove": "delete", "purge": "delete", "revoke": "delete",
    "merge": "merge", "resolve": "merge", "dedup": "merge",
    "trigger": "trigger", "launch": "trigger", "scan": "trigger", "resync": "trigger",
    "run": "trigger", "execute": "trigger", "sync": "trigger",
    "export": "export", "download": "export",
    "access": "access", "login": "access", "logout": "access", "signin": "access",
}
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def split_words(name: str) -> list[str]:
    """``createAdUserPathScanningTarget`` → ``['create', 'ad', 'user', ...]``."""
    return [w.lower() for w in _WORD.findall(name)]


def derive_action(name: str) -> Action:
    for word in split_words(name):
        if word in _VERBS:
            return _VERBS[word]
    return "other"
