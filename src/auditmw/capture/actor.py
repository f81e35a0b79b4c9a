"""Who made a request, read from the app's own authentication after the app ran.

Sources are tried in the order of ``[actor] sources`` (a ``resolver`` callable first,
when configured). Each front door fills what it can see into the request's
:class:`~auditmw.context.RequestState`: the ASGI middleware reads ``scope["user"]``, the
Flask adapter Flask-Login's ``current_user``, flask-jwt-extended's and Flask-HTTPAuth's
user and ``flask.g.user``, the Django middleware ``request.user`` (source ``django``),
resolver hooks the GraphQL context's user, ``call:`` wrappers
what the app's own auth function returned; a ``header:NAME`` source is read only when the
socket peer is a trusted proxy. A token is believed only when ``jwt:`` verified it with
the configured key (:mod:`auditmw.capture.actor_jwt`).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from auditmw.errors import ConfigError
from auditmw.event import Actor

if TYPE_CHECKING:
    from auditmw.capture.actor_jwt import JwtSource
    from auditmw.config import ActorConfig
    from auditmw.context import RequestState

log = logging.getLogger("auditmw.capture")

ActorResolver = Callable[[Any], Any]

#: ``RequestState.extra`` keys under which front doors leave what each source saw.
SOURCE_KEYS = ("scope.user", "flask_login", "flask_jwt_extended", "flask_httpauth",
               "flask_g", "django", "graphql_context")
#: ``RequestState.extra`` key of the resolver's answer when a front door asked it early
#: (the Flask adapter, while the app context still exists).
RESOLVED_KEY = "resolver"

_ACTOR_KEYS = frozenset({"id", "name", "type", "team", "on_behalf_of"})
_BEHALF_NAMES = ("on_behalf_of", "impersonator", "impersonated_by", "act")


_IS_AUTHENTICATED = ("is_authenticated",)
_IS_ANONYMOUS = ("is_anonymous",)
_ID_NAMES = ("identity", "id", "user_id", "pk", "sub", "get_id", "username", "email")
_NAME_NAMES = ("display_name", "name", "full_name", "preferred_username", "username",
               "email")
_TEAM_NAMES = ("team",)
_TYPE_NAMES = ("actor_type", "type")


def _first(user: Any, names: tuple[str, ...], mapping: bool) -> Any:
    """The first of ``names`` that ``user`` (a mapping when ``mapping``) has, not ``None``
    or ``""``; a method is called (``get_id()``); a member that raises (Starlette's
    ``SimpleUser.identity``) reads as absent."""
    for name in names:
        try:
            value = user.get(name) if mapping else getattr(user, name, None)
        except Exception:
            continue
        if value is None:  # the common answer, decided before the callable test
            continue
        if callable(value) and not isinstance(value, type):
            try:
                value = value()
            except Exception:
                continue
        if value not in (None, ""):
            return value
    return None


def _readable(user: Any) -> tuple[Any, bool]:
    """``user`` as something to read, and whether it reads as a mapping: a database row
    (``sqlite3.Row``: ``keys()`` and ``[]``; SQLAlchemy's ``Row``: ``_mapping``) becomes
    a dict, so it reads like any mapping; anything else is read as it is. The mapping test
    is made once here, not once per member read."""
    if isinstance(user, Mapping):
        return user, True
    mapping = getattr(user, "_mapping", None)
    if mapping is not None and isinstance(mapping, Mapping):
        return dict(mapping), True
    keys = getattr(user, "keys", None)
    if keys is not None and callable(keys) and hasattr(user, "__getitem__") \
            and not hasattr(user, "__dict__"):
        try:
            return {str(k): user[k] for k in keys()}, True
        except Exception:
            return user, False
    return user, False


#: What is not read as a user object: an Actor, a name or id, or a value naming nobody.
_NOT_OBJECTS = (Actor, str, int, float, bytes)  # bool is an int


def actor_from_user(user: Any, *, behalf: bool = True) -> Actor | None:
    """An :class:`Actor` from what apps call a user, by duck typing — the one reader both
    the HTTP middleware and the GraphQL hooks use, so a user is named the same either way.

    An ``Actor``; a plain string or number (the name and id); a mapping, a database row
    (``sqlite3.Row`` and the like) or an object with an id (``identity``, ``id``,
    ``user_id``, ``pk``, ``sub``, ``get_id()``, ``username``, ``email``) and/or a name
    (``display_name``, ``name``, ``full_name``, ``preferred_username``, ``username``,
    ``email``), an optional ``team``, an ``actor_type``/``type`` naming an actor type, and
    an impersonator under ``on_behalf_of``/``impersonator``/``impersonated_by``/``act``.
    Nobody, and unauthenticated users (``is_authenticated`` false, Flask-Login's
    anonymous user, Starlette's ``UnauthenticatedUser``), give ``None``.
    """
    if type(user) is str:  # Flask's g.user, REMOTE_USER: a name, read first (issue 21)
        return _named(user) if user else None
    if user is None:
        return None
    if isinstance(user, _NOT_OBJECTS):  # one test for the objects, which most users are
        if isinstance(user, Actor):
            return user
        if isinstance(user, str):
            if type(user) is str:  # (a subclass is kept as it is, never shared)
                return _named(user) if user else None
            return Actor(id=user, name=user) if user else None
        if isinstance(user, int) and not isinstance(user, bool):
            return Actor(id=str(user), name=str(user))
        return None  # a bool, a float, bytes
    reader = _USER_READERS.get(type(user))
    if reader is not None:  # a framework's own user class (an adapter registered it)
        found = reader(user)
        if found is not UNREAD:
            return found
    user, mapping = _readable(user)
    authenticated = _first(user, _IS_AUTHENTICATED, mapping)
    if authenticated is False or (
            authenticated is None and _first(user, _IS_ANONYMOUS, mapping)):
        return None
    ident = _first(user, _ID_NAMES, mapping)
    name = _first(user, _NAME_NAMES, mapping)
    if ident is None and name is None:
        return None
    team = _first(user, _TEAM_NAMES, mapping)
    kind = _first(user, _TYPE_NAMES, mapping)
    on_behalf_of = actor_from_user(_first(user, _BEHALF_NAMES, mapping), behalf=False) \
        if behalf else None
    return Actor(id=None if ident is None else str(ident),
                 name=None if name is None else str(name),
                 type=kind if kind in ("user", "api", "system", "scheduler") else "user",
                 team=None if team is None else str(team), on_behalf_of=on_behalf_of)


#: What a user reader answers for a user it leaves to the duck-typed reading.
UNREAD: Any = object()
#: Readers of a framework's own user classes, by exact class: each must answer what
#: the duck-typed reading of :func:`actor_from_user` would (an adapter's tests hold it
#: to that), or :data:`UNREAD` for a user it does not know to read alike.
_USER_READERS: dict[type, Callable[[Any], Actor | None]] = {}


def register_user_reader(cls: type, reader: Callable[[Any], Actor | None]) -> None:
    """Read users of exactly ``cls`` with ``reader`` (a framework adapter's shortcut
    for its framework's user class: the duck-typed reading tries some twenty member
    names, each through a property or a miss, for every request; issue 21)."""
    _USER_READERS[cls] = reader


RequestMembers = tuple[Any, Any, Any, Any] | list[Any]
#: Readers of a framework's own request classes, by exact class: each answers what
#: ``members(request, ("user", "scope", "REMOTE_USER", "environ"))`` would, the
#: execution hook's reading of the GraphQL context (an adapter's tests hold it to that).
#: Kept here, not in :mod:`auditmw.graphql`: an adapter registers one without importing
#: graphql-core (whose import runs the execution hook's installation).
REQUEST_READERS: dict[type, Callable[[Any], RequestMembers]] = {}


def register_request_reader(cls: type, reader: Callable[[Any], RequestMembers]) -> None:
    """Read the members of requests of exactly ``cls`` with ``reader``: a framework
    adapter's shortcut for a request that is a mapping read through Python code
    (Starlette's: ``Mapping.get`` over ``__getitem__``, a ``KeyError`` raised and caught
    for each member it lacks; issue 21). A reader that raises is not believed: the
    general reading runs."""
    REQUEST_READERS[cls] = reader


def named_actor(name: str) -> Actor:
    """The :class:`Actor` a plain non-empty string user reads as (shared, frozen)."""
    return _named(name)


#: The actors of plain string users (a name that is also the id: Flask's ``g.user``,
#: ``REMOTE_USER``), one per name: an ``Actor`` is frozen and a ``str`` immutable, so
#: sharing one changes nothing of any event, and a request makes no object for its user.
_NAMED: dict[str, Actor] = {}
NAMED_MEMO_SIZE = 1024


def _named(user: str) -> Actor:
    actor = _NAMED.get(user)
    if actor is None:
        if len(_NAMED) >= NAMED_MEMO_SIZE:
            _NAMED.clear()  # a memo: a race here costs an Actor, never a fact
        actor = _NAMED[user] = Actor(id=user, name=user)
    return actor


def actor_within(user: Any, state: RequestState | None) -> Actor | None:
    """:func:`actor_from_user`, read once per user object in one request (``state``): the
    execution hook reads the GraphQL context's user when its field has run, the door the
    framework's user when the response is complete, and where both are the same object
    (Starlette's ``scope["user"]``) the second reading is the first one's answer — every
    event of the request names the user as first read. Without a request, a plain
    :func:`actor_from_user`."""
    if state is None or user is None or type(user) in _PLAIN_USERS:
        return actor_from_user(user)
    return _read_once(user, state, actor_from_user)


def _read_once(user: Any, state: RequestState,
               read: Callable[[Any], Actor | None]) -> Actor | None:
    """``read(user)``, or what it gave for this same object earlier in the request: a
    user the app changes in place later (a logout) keeps its first reading."""
    users = state.users
    if users is None:
        users = state.users = {}
    known = users.get(id(user))
    if known is not None and known[0] is user:  # the object itself is held: ids stay its
        return known[1]
    actor = read(user)
    users[id(user)] = (user, actor)
    return actor


#: Users read in no time and never changed: not worth remembering.
_PLAIN_USERS = frozenset({str, int, Actor})


def as_actor(value: Any, state: RequestState | None = None) -> Actor | None:
    """An ``Actor``, an actor dict (only ``id``/``name``/``type``/``team``/
    ``on_behalf_of`` keys), or anything :func:`actor_from_user` reads — a dict or an
    object once per request ``state`` (:func:`actor_within`), so an app that changes it
    in place after a field ran (a logout) cannot rename that field's actor."""
    if value is None or isinstance(value, Actor):
        return value
    if isinstance(value, Mapping) and value and set(value) <= _ACTOR_KEYS:
        return _actor_of_dict(value) if state is None \
            else _read_once(value, state, _actor_of_dict)
    return actor_within(value, state)


def _actor_of_dict(value: Mapping[str, Any]) -> Actor:
    behalf = value.get("on_behalf_of")
    kind = value.get("type")
    return Actor(id=_str(value.get("id")), name=_str(value.get("name")),
                 type=kind if kind in ("user", "api", "system", "scheduler",
                                       "anonymous") else "user",
                 team=_str(value.get("team")),
                 on_behalf_of=as_actor(behalf) if behalf is not None else None)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def dig(value: Any, path: str) -> Any:
    """``a.b.c`` through mappings (``[key]``) and objects (attributes)."""
    for part in path.split("."):
        if value is None:
            return None
        try:
            value = value.get(part) if isinstance(value, Mapping) else \
                getattr(value, part, None)
        except Exception:  # a property that raises (Starlette's request.user)
            return None
    return value


def context_reader(sources: Sequence[str],
                   fallback: Callable[[Any], Actor | None]) -> Callable[[Any], Actor | None]:
    """How resolver hooks read the GraphQL context's user: each
    ``graphql_context:KEY.PATH`` source in order, then the conventions of ``fallback``
    (``user``, ``current_user``, the request's user) for a bare ``graphql_context``."""
    paths = [s.split(":", 1)[1] for s in sources if s.startswith("graphql_context:")]
    if not paths:
        return fallback
    conventions = "graphql_context" in sources

    def read(context: Any) -> Actor | None:
        for path in paths:
            found = as_actor(dig(context, path))
            if found is not None:
                return found
        return fallback(context) if conventions else None

    return read


def load_resolver(path: str | None) -> ActorResolver | None:
    """Import ``module:attr`` named by ``actor.resolver``; fail at start naming the key."""
    if not path:
        return None
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"actor.resolver: {path!r} must be 'module:callable'")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"actor.resolver: cannot import {path!r}: {exc}") from None
    if not callable(target):
        raise ConfigError(f"actor.resolver: {path!r} is not callable")
    resolver: ActorResolver = target
    return resolver


def header_sources(sources: Sequence[str]) -> tuple[str, ...]:
    """Lower-cased names of the headers the sources read (``header:NAME``, and
    ``Authorization`` for ``jwt:``)."""
    names = [s.split(":", 1)[1].strip().lower() for s in sources if s.startswith("header:")]
    if any(s in ("jwt", "jwt:") for s in sources):
        names.append("authorization")
    return tuple(names)


def seen_key(source: str) -> str:
    """Where front doors leave what ``source`` reads (``graphql_context:a.b`` → the
    hooks' ``graphql_context`` fact, which they read by the configured paths)."""
    return "graphql_context" if source.startswith("graphql_context") else source


class ActorSources:
    """``[actor] sources`` compiled once per front door: the order, the JWT verifier,
    the ``call:`` wrappers (registered as a side effect, once per process)."""

    def __init__(self, cfg: ActorConfig) -> None:
        from auditmw.capture import actor_calls

        self.sources = tuple(cfg.sources)
        self.header_names = header_sources(self.sources)
        self.reads_headers = bool(self.header_names)
        self.calls = tuple(s for s in self.sources if s.startswith("call:"))
        self.jwt: JwtSource | None = None
        if any(s in ("jwt", "jwt:") for s in self.sources):
            from auditmw.capture.actor_jwt import JwtSource

            self.jwt = JwtSource(cfg.jwt)
        actor_calls.register(self.calls)
        #: Each source as (what it reads, where): decided once, not per request.
        self._steps = tuple(
            (_HEADER, s.split(":", 1)[1].strip().lower()) if s.startswith("header:")
            else (_JWT, "") if s in ("jwt", "jwt:") else (_SEEN, seen_key(s))
            for s in self.sources)
        self._seen_keys = tuple(key for _, key in self._steps)  # when all are _SEEN

    def pick(self, seen: Mapping[str, Any], headers: Mapping[str, str],
             trusted_peer: bool, within: RequestState | None = None) -> Actor | None:
        """The first source, in configured order, that names an actor. ``within``: the
        request the seen users belong to, so a user object already read in it (by the
        execution hook, by an earlier pick) is not read again (:func:`actor_within`)."""
        if self.calls:
            from auditmw.capture.actor_calls import warn_unimported

            warn_unimported(self.calls)
        if not self.reads_headers:
            # every source is one a door saw: their values in order, read in C (this
            # runs for every watched request)
            for value in map(seen.get, self._seen_keys):
                if value is not None:
                    found = as_actor(value, within)
                    if found is not None:
                        return found
            return None
        for kind, key in self._steps:
            if kind is _SEEN:
                value = seen.get(key)
                if value is None:
                    continue
                found = as_actor(value, within)
            elif kind is _HEADER:
                if not trusted_peer:
                    continue
                value = headers.get(key)
                if value:
                    return Actor(id=value, name=value)
                continue
            else:
                found = self.jwt.actor(headers.get("authorization")) if self.jwt else None
            if found is not None:
                return found
        return None


_HEADER, _JWT, _SEEN = "header", "jwt", "seen"

