"""``AuditTrail``: the object an app holds. It turns calls into events and events into
deliveries: capture → processors → dispatcher → sinks, one direction."""

from __future__ import annotations

import contextlib
import difflib
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from auditmw.arguments import ActorLike, TargetLike, as_actor, as_target
from auditmw.assembly import build_processors, build_sinks
from auditmw.audited import audited_wrapper
from auditmw.capture.late_wire import write_waiting
from auditmw.catalog import Catalog, Entry
from auditmw.config import Config, load_config
from auditmw.context import acting_actor, current_request, current_tenant
from auditmw.delivery import Dispatcher, build_dispatcher, lifecycle
from auditmw.delivery.pending import Build, Pending
from auditmw.delivery.policy import DeliveryPolicy
from auditmw.errors import ConfigError, UnknownEventError
from auditmw.event import (
    ANONYMOUS,
    Actor,
    AuditEvent,
    Channel,
    Client,
    ErrorInfo,
    Outcome,
    RequestInfo,
    Source,
)
from auditmw.outcome import OutcomeRules
from auditmw.sinks import Sink
from auditmw.tracing import current_trace
from auditmw.types import EventDict, Processor

if TYPE_CHECKING:
    from auditmw.store.base import Store

log = logging.getLogger("auditmw")

P = ParamSpec("P")
R = TypeVar("R")

__all__ = ["ActorLike", "AuditTrail", "TargetLike", "as_actor", "as_target"]


def _store_of(sinks: Sequence[Sink]) -> Store | None:
    """The queryable store among ``sinks`` (a store sink holds one), if any."""
    for sink in sinks:
        store = getattr(sink, "store", None)
        if store is not None and hasattr(store, "query") and hasattr(store, "iter_events"):
            found: Store = store
            return found
    return None


class AuditTrail:
    """Build with defaults (``AuditTrail()``), keyword overrides, or :meth:`from_config`.

    Keyword arguments are config keys (``service``, ``sinks``, ``delivery``...); ``store``
    also takes a URL or ``False``, and ``sinks`` may also hold ready :class:`Sink` objects.

    ``dispatcher`` is the delivery seam (like an HTTP client's transport): a ready
    :class:`~auditmw.delivery.Dispatcher` that takes every event instead of the one
    ``[delivery]`` would build. The trail then builds no sinks and no store of its own:
    they belong to that dispatcher (``trail.sinks`` is its ``sinks``, if it has them).
    """

    def __init__(self, config: Config | Mapping[str, Any] | None = None, *,
                 catalog: Catalog | Mapping[str, Any] | None = None,
                 dispatcher: Dispatcher | None = None,
                 **overrides: Any) -> None:
        if isinstance(catalog, Mapping):  # the [catalog] table, not a ready Catalog
            overrides["catalog"] = catalog
            catalog = None
        if dispatcher is not None and ("sinks" in overrides or "store" in overrides):
            raise ConfigError("dispatcher: give the sinks and the store to the dispatcher, "
                              "not to the trail as well")
        ready_sinks: list[Sink] = []
        if "sinks" in overrides:
            given = list(overrides["sinks"])
            ready_sinks = [s for s in given if not isinstance(s, Mapping)]
            overrides["sinks"] = [s for s in given if isinstance(s, Mapping)]
        if "store" in overrides:
            store = overrides["store"]
            if isinstance(store, str):
                overrides["store"] = {"url": store}
            elif store is False or store is None:
                overrides["store"] = {"enabled": False}
        if isinstance(config, Config):
            self.config = load_config(config, **overrides)
        else:
            self.config = load_config(dict(config or {}), **overrides)
        cfg = self.config
        self.catalog = catalog or Catalog.from_config(cfg.catalog)
        #: The denial rule with ``capture.denied_errors``, for every door (auditmw.outcome).
        self.outcome_rules = OutcomeRules.from_config(cfg.capture.denied_errors)
        #: Where each step runs (processing, building, holding responses), for every door.
        self.policy = DeliveryPolicy.from_config(cfg.delivery)
        self.processors: list[Processor]
        self.processors, self.chain = build_processors(cfg, self.catalog, lambda: self.sinks)
        if dispatcher is None:
            self.sinks: list[Sink] = [*build_sinks(cfg, self.catalog), *ready_sinks]
            self.dispatcher: Dispatcher = build_dispatcher(cfg.delivery, self.sinks)
        else:
            self.sinks = list(getattr(dispatcher, "sinks", ()))
            self.dispatcher = dispatcher
        #: The queryable store this trail writes to (``[store]``, or a store sink it was
        #: given), else ``None``: the audit server reads it and keeps access keys in it.
        self.store: Store | None = _store_of(self.sinks)
        self._taps: list[Callable[[EventDict], None]] = []
        self._last_pending: Pending | None = None
        self._recorded = 0
        self._emit_errors = 0
        self._closed = False
        self._pid = os.getpid()
        self.after_fork()
        # exit, SIGTERM and fork are the lifecycle module's: one owner of process hooks
        lifecycle.register(self, handle_sigterm=False)

    @classmethod
    def from_config(cls, source: str | os.PathLike[str] | Mapping[str, Any] | None = None,
                    **overrides: Any) -> AuditTrail:
        """From a TOML path, a dict, or (``None``) ``$AUDITMW_CONFIG`` / ``./auditmw.toml``."""
        if isinstance(source, Mapping):
            return cls(source, **overrides)
        return cls(load_config(source), **overrides)

    # -- the catalogue --------------------------------------------------------------------

    def entry(self, name: str) -> Entry:
        found = self.catalog.get(name)
        if found is None:
            close = difflib.get_close_matches(name, list(self.catalog.entries), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownEventError(f"{name!r} is not an enabled catalogue event{hint}")
        return found

    # -- recording --------------------------------------------------------------------

    def emit(self, event: AuditEvent) -> bool:
        """Hand one event to the pipeline and the dispatcher. Never raises.

        ``False`` when the event is known not to be kept (see :meth:`Dispatcher.submit`)
        or could not be built; front doors with ``fail_closed`` answer 503 then.

        With ``policy.process_later`` (async mode) the caller's thread only reads the
        active span and queues a :class:`~auditmw.delivery.pending.Pending`: the
        processors run later, once, in a delivery thread. Otherwise they run here.
        """
        try:
            if event.tenant is None:
                tenant = _context_tenant()
                if tenant is not None:
                    event = event.with_(tenant=tenant)
            trace = dict(event.trace) or current_trace()
            # One order for every lane's queue, so the chain's seq order is the order
            # each sink receives events in (docs/integrity.md, "Ordering").
            with self._submit_lock:
                if self.policy.process_later:
                    return self._submit_pending(event, trace, 0)
                return self.dispatcher.submit(self._finish(event, trace))
        except Exception:
            self._emit_errors += 1
            log.exception("auditmw: could not record %s event", event.event)
            return False

    def emit_later(self, build: Build, *, weight: int | None = None) -> bool:
        """Like :meth:`emit` for the events ``build()`` makes — built in a delivery thread
        with ``policy.build_later`` (the request thread pays only for queueing), at once
        otherwise. ``build`` must use only facts already settled (no request objects).
        ``weight``: the bytes ``build`` holds (bodies), counted against
        ``delivery.pending_max_bytes`` (estimated from its closure when not given)."""
        try:
            tenant = _context_tenant()
            if tenant is not None:  # read here: the build may run in a delivery thread
                build = _with_tenant(build, tenant)
            if self.policy.build_later:
                trace = current_trace()
                with self._submit_lock:
                    return self._submit_pending(build, trace, weight)
            events = list(build())
        except Exception:
            self._emit_errors += 1
            log.exception("auditmw: could not build events")
            return False
        kept = True
        for event in events:
            kept = self.emit(event) and kept
        return kept

    def _submit_pending(self, source: AuditEvent | Build, trace: dict[str, str],
                        weight: int | None) -> bool:
        """Under the submit lock: queue one pending item behind the previous one."""
        pending = Pending(source, trace, self._finish_bound, self._prepare_lock,
                          before=self._last_pending, weight=weight)
        self._last_pending = pending
        return self.dispatcher.submit(pending)

    def _finish(self, event: AuditEvent, trace: dict[str, str]) -> EventDict:
        """The one last step of every recorded event, whichever thread runs it: the
        processors, the count, the test taps."""
        data = self.process(event, trace)
        self._recorded += 1
        for tap in self._taps:
            tap(data)
        return data

    def process(self, event: AuditEvent, trace: dict[str, str] | None = None) -> EventDict:
        """The processors over one event: the finished dict every sink receives (what
        the delivery thread runs in async mode). ``trace`` defaults to the event's own."""
        try:
            data = event.to_dict(trace)
            for processor in self.processors:
                data = processor(data)
        except Exception:
            self._emit_errors += 1
            raise
        return data

    def healthy(self) -> bool:
        """``False`` while the first durable sink is known to be failing."""
        return self.dispatcher.healthy()

    def record(
        self,
        event: str,
        *,
        actor: ActorLike = None,
        outcome: Outcome = "success",
        target: TargetLike = None,
        details: Mapping[str, Any] | None = None,
        client_ip: str | None = None,
        client: Client | None = None,
        channel: Channel | None = None,
        source: Source = "manual",
        error: BaseException | ErrorInfo | None = None,
        request: RequestInfo | None = None,
        duration_ms: float = 0.0,
        tenant: str | None = None,
    ) -> AuditEvent:
        """Record a catalogued event by hand (logins, jobs...). Returns the event as built
        (before processors). Raises :class:`UnknownEventError` for a name that is not
        catalogued, so a typo is found at once."""
        entry = self.entry(event)
        named = as_actor(actor) or acting_actor.get() or ANONYMOUS
        if isinstance(error, BaseException):
            error = ErrorInfo.from_exception(error)
        built = AuditEvent.create(
            entry.name, entry.category, entry.action,
            outcome=outcome, actor=named,
            client=client or Client(ip=client_ip),
            channel=channel or "system",
            source=source, target=as_target(target), details=dict(details or {}),
            request=request or RequestInfo(), duration_ms=duration_ms, error=error,
            tenant=tenant,
        )
        self.emit(built)
        return built

    def audited(self, event: str, *, target: str | Callable[..., Any] | None = None,
                details: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Decorate a function (sync or async, plain or method) so each call is recorded.

        An exception gives a ``failure`` event (``denied`` by the outcome rule of
        :mod:`auditmw.outcome`: :class:`PermissionError`, HTTP 401/403 exceptions...)
        and is re-raised unchanged. ``target`` names an argument holding the target id,
        or is a callable ``(result, arguments) -> Target | str | dict``; by default the
        one target rule (:func:`auditmw.targets.target_of`): the returned object's
        ``id``/``key``/``name``, or the object it wraps, else the arguments'.
        """
        entry = self.entry(event)
        return functools.partial(audited_wrapper, self, entry, target, details)

    @contextlib.contextmanager
    def acting_as(self, actor: ActorLike, *, tenant: str | None = None) -> Iterator[Actor]:
        """Name the actor (and, with ``tenant``, the tenant) for events recorded outside
        a request (jobs, scripts)."""
        named = as_actor(actor) or ANONYMOUS
        token = acting_actor.set(named)
        tenant_token = current_tenant.set(tenant) if tenant is not None else None
        try:
            yield named
        finally:
            if tenant_token is not None:
                current_tenant.reset(tenant_token)
            acting_actor.reset(token)

    # -- plumbing ---------------------------------------------------------------------

    def add_tap(self, tap: Callable[[EventDict], None]) -> Callable[[], None]:
        """Call ``tap`` with every finished event (for tests); returns the remover.

        A tap changes nothing of how events are recorded: it is called where they are
        finished — in a delivery thread in async mode. :meth:`settle` finishes, here,
        what is still waiting, so a test can read its events at once."""
        self._taps.append(tap)
        return lambda: self._taps.remove(tap)

    def settle(self) -> None:
        """Build and process, in this thread, every event recorded so far that still
        waits for a delivery thread (in the order they were recorded). Sinks are not
        waited for: that is :meth:`flush`."""
        last = self._last_pending
        if last is not None:
            last.resolve()

    def flush(self, timeout: float | None = None) -> bool:
        flushed = self.dispatcher.flush(timeout)
        # then the wire records the built requests still hold for their door's end
        # (capture/late_wire.py): written, and flushed in their turn
        if write_waiting(self):
            flushed = self.dispatcher.flush(timeout) and flushed
        return flushed

    def stats(self) -> dict[str, Any]:
        return {"recorded": self._recorded, "emit_errors": self._emit_errors,
                **self.dispatcher.stats()}

    def close(self, timeout: float | None = None) -> None:
        if self._closed:
            return
        self._closed = True
        self.settle()  # every request built, then the wire records they still hold
        write_waiting(self)  # for their door's end are written (capture/late_wire.py)
        self.dispatcher.close(self.config.delivery.shutdown_timeout_s
                              if timeout is None else timeout)
        lifecycle.unregister(self)

    def after_fork(self) -> None:
        """Fresh locks (a forked child may inherit one some parent thread held), and no
        link to the parent's pending events (the parent delivers those)."""
        self._prepare_lock = threading.Lock()  # one event processed at a time, in order
        self._submit_lock = threading.RLock()
        self._last_pending = None
        # One bound method for every pending item, not a new one each: a queued item
        # lives long enough to be scanned, and promoted, by the garbage collector.
        self._finish_bound = self._finish


def _context_tenant() -> str | None:
    """The tenant of what is running here: ``acting_as``/``current_tenant``, else the
    watched request's (``capture.tenant``)."""
    tenant = current_tenant.get()
    if tenant is None:
        state = current_request.get()
        if state is not None:
            tenant = state.tenant
    return tenant


def _with_tenant(build: Callable[[], Iterable[AuditEvent]], tenant: str
                 ) -> Callable[[], Iterable[AuditEvent]]:
    """``build`` whose events without a tenant of their own get ``tenant``."""
    def built() -> Iterable[AuditEvent]:
        return [e if e.tenant is not None else e.with_(tenant=tenant) for e in build()]
    return built
