"""Building a watched request's events from what the door and the hooks saw.

The half of :class:`~auditmw.capture.recorder.Watch` that runs wherever the events are
built (a delivery thread in async mode): each wire call's outcome read from the
response, the events of the calls, of the hooks' facts and of a mapped REST route.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from auditmw.capture.documents import FieldCall
from auditmw.capture.late_wire import LateWire, warn_unhooked
from auditmw.capture.outcome import (
    FieldResult,
    find_target,
    operation_results,
    read_results,
    status_outcome,
)
from auditmw.capture.request import WireRequest
from auditmw.capture.routes import RouteMatch
from auditmw.context import FieldFacts, current_tenant
from auditmw.event import (
    ANONYMOUS,
    Actor,
    AuditEvent,
    ErrorInfo,
    Outcome,
    RequestInfo,
    Target,
)
from auditmw.outcome import outcome_of_error, outcome_of_route

if TYPE_CHECKING:
    from collections.abc import Iterable

    from auditmw.capture.recorder import HttpCapture
    from auditmw.capture.request_facts import HttpState

log = logging.getLogger("auditmw.capture")


class RequestEvents:
    """The event builders of a watched request (mixed into ``Watch``)."""

    capture: HttpCapture
    state: HttpState
    wire: WireRequest
    calls: Sequence[FieldCall]
    route: RouteMatch | None
    location: str | None
    at_ns: int | None
    started: float
    ended: float | None
    #: Wire records held until the door's end (:mod:`.late_wire`), when opened.
    late: LateWire | None = None

    if TYPE_CHECKING:  # the other halves of Watch (recorder.py, request_facts.py)
        def _seen_now(self) -> dict[str, Any]: ...

        def _settle_actors(self, seen: Mapping[str, Any]
                           ) -> tuple[Actor | None, dict[int, Actor]]: ...

        def _settle_wire(self) -> None: ...

    def _events(self, status: int | None, encoding: str | None, body: bytes | None, *,
                exc: BaseException | None = None,
                refused: ErrorInfo | None = None,
                seen: Mapping[str, Any] | None = None,
                settled: tuple[Actor | None, dict[int, Actor]] | None = None,
                ) -> Iterable[AuditEvent]:
        state = self.state
        if settled is None:
            settled = self._settle_actors(self._seen_now() if seen is None else seen)
        actor, field_actors = settled
        ended = self.ended if self.ended is not None else time.perf_counter()
        duration = round((ended - self.started) * 1000, 3)
        facts = list(state.fields)
        # What ran is decided where it runs: once the execution hook saw this request's
        # operation (or a resolver hook left facts), its facts are the events and the
        # door's own reading of the request is dropped.
        calls: Sequence[FieldCall]
        if state.executions or facts:
            calls = ()
        else:
            self._settle_wire()
            calls = self.calls
        outcomes = self._field_results(status, encoding, body) \
            if calls and refused is None and exc is None else {}
        if calls:
            yield from self._wire_events(calls, outcomes, status, actor, duration,
                                         exc=exc, refused=refused)
        for fact in facts:
            yield from self._facts_event(fact, status, field_actors.get(id(fact)) or actor)
        if self.route is not None:
            route_event = self._route_event(status, actor, duration, exc, refused)
            if route_event is not None:  # a redirect, not a success_status: nothing ran
                yield route_event

    def _wire_events(self, calls: Sequence[FieldCall],
                     outcomes: Mapping[int, FieldResult | None], status: int | None,
                     actor: Actor | None, duration: float, *,
                     exc: BaseException | None, refused: ErrorInfo | None
                     ) -> list[AuditEvent]:
        """The wire's events of the fields that may have run. With the execution hook
        installed they are the fields no hook saw run: held until the door's call is
        over when the door opened a :class:`~auditmw.capture.late_wire.LateWire` (an
        execution after the response then takes their place)."""
        hooked = self.capture.hook_active
        events = [self._field_event(call, None, outcomes.get(i), status=status, actor=actor,
                                    duration=duration, exc=exc, refused=refused)
                  for i, call in enumerate(calls)
                  # a redirect, a page, 404/405, or a field the result lacks: nothing ran
                  if refused is not None or may_have_run(status, outcomes.get(i), exc,
                                                         hooked=hooked)]
        if not events or not hooked:
            return events
        late = self.late
        if late is None:  # fail_closed: written before the held answer goes out
            warn_unhooked(events)
            return events
        return late.wire_built(events)

    def _hold_late(self) -> None:
        """The door finishes a request whose wire it still reads with the hook
        installed: its wire records wait for the door's end (:mod:`.late_wire`)."""
        state = self.state
        # the tenant rule of the trail's emit (acting_as, else the request's): the
        # records may be written outside the request's context
        self.late = state.late = LateWire(
            self.capture.trail, current_tenant.get() or state.tenant,
            ended=not self.capture.ends_later)

    def end(self) -> None:
        """The door's call is over (ASGI: the app returned, its background tasks too;
        WSGI: the body was closed): the wire records no execution took are written."""
        late = self.late
        if late is not None:
            try:
                late.release()
            except Exception:
                log.exception("auditmw: could not write a request's held wire records")

    def _field_results(self, status: int | None, encoding: str | None,
                       body: bytes | None) -> dict[int, FieldResult | None]:
        """Each wire call's outcome by its position in ``self.calls``; ``None`` where
        the response is no GraphQL result (or one that does not show the field)."""
        results = read_results(body, encoding, self.capture.max_body, self.wire.batched)
        by_operation: dict[int, list[int]] = {}
        for i, call in enumerate(self.calls):
            by_operation.setdefault(call.index, []).append(i)
        out: dict[int, FieldResult | None] = {}
        for index, positions in by_operation.items():
            result = results[index] if results and index < len(results) else None
            if not isinstance(result, dict) or not _is_result(result):
                out.update((i, None) for i in positions)
                continue
            keys = [self.calls[i].response_key for i in positions]
            paths = [self.calls[i].entry.outcome_path for i in positions]
            serial = self.calls[positions[0]].operation_type == "mutation"
            got_all = operation_results(status, result, keys, serial,
                                        rules=self.capture.trail.outcome_rules,
                                        outcome_paths=paths)
            for i, got in zip(positions, got_all, strict=True):
                out[i] = got if _shows(result, self.calls[i].response_key) else None
        return out

    def _field_event(self, call: FieldCall, fact: FieldFacts | None,
                     got: FieldResult | None, *,
                     status: int | None, actor: Actor | None, duration: float,
                     exc: BaseException | None, refused: ErrorInfo | None) -> AuditEvent:
        entry = call.entry
        if fact is not None:
            fact = fact.settled()
            outcome, error = fact.outcome, fact.error
            arguments, target = fact.arguments, fact.target
            if target == Target():
                target = find_target(entry.target, None, arguments)
            duration = fact.duration_ms or duration
        else:
            arguments = call.arguments
            if refused is not None:
                outcome, value, error = "failure", None, refused
            elif exc is not None:
                value = None
                outcome, error = outcome_of_error(exc, self.capture.trail.outcome_rules)
            else:
                got = got or FieldResult(*status_outcome(status), None)
                outcome, error, value = got.outcome, got.error, got.value
            target = find_target(entry.target, value, arguments)
        return AuditEvent.create(
            entry.name, entry.category, entry.action, at_ns=self.at_ns, outcome=outcome,
            actor=actor or ANONYMOUS, client=self.state.client,
            channel=self.state.channel, source="graphql", target=target,
            details=dict(arguments), request=self._request_info(status, call.operation_name),
            duration_ms=duration, error=error)

    def _facts_event(self, fact: FieldFacts, status: int | None,
                     actor: Actor | None) -> Iterable[AuditEvent]:
        entry = self.capture.trail.catalog.get(fact.event)
        if entry is None:
            return
        fact = fact.settled()  # a hook's arguments and target, finished in this thread
        yield AuditEvent.create(
            entry.name, entry.category, entry.action, at_ns=self.at_ns, outcome=fact.outcome,
            actor=actor or ANONYMOUS, client=self.state.client,
            channel=self.state.channel, source="graphql", target=fact.target,
            details=dict(fact.arguments),
            request=self._request_info(status, fact.operation_name),
            duration_ms=fact.duration_ms, error=fact.error)

    def _route_event(self, status: int | None, actor: Actor | None, duration: float,
                     exc: BaseException | None, refused: ErrorInfo | None
                     ) -> AuditEvent | None:
        assert self.route is not None
        route, params = self.route.route, self.route.params
        outcome: Outcome
        error: ErrorInfo | None
        if refused is not None:
            outcome, error = "failure", refused
        elif exc is not None:  # the app raised: a permission error is still a denial
            outcome, error = outcome_of_error(exc, self.capture.trail.outcome_rules)
        else:
            found = outcome_of_route(status, self.location,
                                     success_status=route.success_status,
                                     denied_redirect=route.denied_redirect)
            if found is None:
                return None
            outcome, error = found
        target = Target(id=params.get(route.target)) if route.target else Target()
        if target == Target():
            target = find_target(route.entry.target, None, params)
        entry = route.entry
        return AuditEvent.create(
            entry.name, entry.category, entry.action, at_ns=self.at_ns, outcome=outcome,
            actor=actor or ANONYMOUS, client=self.state.client, channel=self.state.channel,
            source="rest", target=target, details=dict(params),
            request=self._request_info(status, None), duration_ms=duration, error=error)

    def _request_info(self, status: int | None, operation: str | None) -> RequestInfo:
        return RequestInfo(method=self.state.method, path=self.state.path, status=status,
                           id=self.state.request_id, operation=operation)


def _is_result(value: Any) -> bool:
    return isinstance(value, dict) and ("data" in value or "errors" in value)


def _shows(result: dict[str, Any], key: str) -> bool:
    """The GraphQL result shows ``key`` ran or was refused: its data has the key, an
    error's path starts with it, or the operation failed as a whole (no data)."""
    data = result.get("data")
    if isinstance(data, dict) and key in data:
        return True
    errors = result.get("errors")
    if not isinstance(errors, list) or not errors:
        return False
    if not isinstance(data, dict):
        return True  # request-level errors, or a non-null error nulled all data
    return any(isinstance(e, dict) and isinstance(e.get("path"), list) and e["path"]
               and e["path"][0] == key for e in errors)


def may_have_run(status: int | None, got: FieldResult | None,
                  exc: BaseException | None, *, hooked: bool) -> bool:
    """Only what ran (or was refused) is recorded from the wire.

    With the execution hook installed and no execution seen, nothing ran: only a request
    the answer refuses (401/403, the attempt is ``denied``) or a result that shows the
    field succeeded (a server the hook cannot see; warned) is recorded. Without the hook:
    a GraphQL result that shows the field, or an answer refusing the request (401/403,
    other errors but 404/405), or the app raising."""
    if hooked:
        return status in (401, 403) or (got is not None and got.outcome == "success"
                                        and exc is None)
    if exc is not None or got is not None:
        return True
    return status is not None and status >= 400 and status not in (404, 405)
