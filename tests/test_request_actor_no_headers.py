"""Where a request's events are built, the actor sources are asked without the header
dict and the peer's trust when no source reads a header (``reads_headers`` false): the
answer must be the one ``pick`` gives with the request's real headers and trust, for
every order of sources, with and without header and JWT sources."""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.event import Actor
from auditmw.testing import MemorySink
from auditmw.trail import AuditTrail
from auditmw.wsgi import AuditMiddleware

SEEN = ("scope.user", "flask_login", "flask_g", "graphql_context")
seen_values = st.one_of(st.none(), st.just(""), st.sampled_from(["ann", "bob"]),
                        st.builds(Actor, id=st.sampled_from(["a1", "b2"])),
                        st.just({"id": "c3", "type": "api"}))


@cache
def middleware(sources: tuple[str, ...]) -> AuditMiddleware:
    return AuditMiddleware(lambda environ, start: [], trail=AuditTrail(
        store=False, sinks=[MemorySink()], capture={"trusted_proxies": ["127.0.0.1"]},
        actor={"sources": list(sources), "jwt": {"key": "k" * 32}}))


@settings(max_examples=300, deadline=None)
@given(st.permutations(SEEN).flatmap(lambda order: st.tuples(
           st.just(tuple(order)), st.integers(1, len(order)),
           st.sampled_from([(), ("header:x-user",), ("jwt",)]), st.booleans())),
       st.dictionaries(st.sampled_from(SEEN), seen_values),
       st.sampled_from([None, "hdr", ""]), st.sampled_from(["127.0.0.1", "10.9.9.9", None]))
def test_the_request_actor_is_picks_answer_with_the_real_headers(
        shape: tuple[tuple[str, ...], int, tuple[str, ...], bool], seen: dict[str, Any],
        user_header: str | None, peer: str | None) -> None:
    order, count, extra, extra_first = shape
    sources = (extra + order[:count]) if extra_first else (order[:count] + extra)
    door = middleware(sources)
    environ = {"HTTP_X_USER": user_header, "HTTP_AUTHORIZATION": "Bearer not-a-jwt"}
    watch = door.capture.open_raw(
        "POST", "/graphql", "", peer,
        raw=tuple(map(environ.get, door._environ_keys)), read_headers=door._read_headers)
    picker = door.capture.actor_sources
    assert picker.reads_headers == bool(extra)
    expected = picker.pick(seen, watch.headers, watch.trusted_peer, watch.state)
    assert watch._request_actor(seen) == expected
    if extra == ("header:x-user",) and extra_first and user_header and peer == "127.0.0.1":
        assert expected == Actor(id=user_header, name=user_header)
