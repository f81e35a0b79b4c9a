"""``AuditTrail``: the object an app holds. It turns calls into events and events into
deliveries: capture → processors → dispatcher → sinks, one direction."""

from __future__ import annotations

import atexit
import contextlib
import difflib
import functools
import inspect
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import wrapt

from auditmw.capture.ip import apply_ip_policy
from auditmw.catalog import Catalog, Entry
from auditmw.config import Config, load_config
from auditmw.context import acting_actor, current_request, current_tenant
from auditmw.delivery import Dispatcher, build_dispatcher
from auditmw.errors import UnknownEventError
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
    Target,
)
from auditmw.integrity.chain import ChainProcessor
from auditmw.integrity.checkpoint import purge_checkpointer
from auditmw.integrity.resume import resume_from
from auditmw.outcome import OutcomeRules, outcome_of_error, target_of
from auditmw.pending import PendingBuild, PendingEvent
from auditmw.processors import Redactor, Truncator, make_enricher
from auditmw.redact_cut import RedactAndCut
from auditmw.sinks import Sink, build_sink
from auditmw.tracing import current_trace
from auditmw.types import EventDict, Processor

if TYPE_CHECKING:
    from auditmw.store.base import Store

log = logging.getLogger("auditmw")

P = ParamSpec("P")
R = TypeVar("R")

ActorLike = Actor | Mapping[str, Any] | None
TargetLike = Target | Mapping[str, Any] | str | None


def as_actor(value: ActorLike) -> Actor | None:
    if value is None or isinstance(value, Actor):
        return value
    return Actor.from_dict(dict(value))


def as_target(value: TargetLike) -> Target:
    if value is None:
        return Target()
    if isinstance(value, Target):
        return value
    if isinstance(value, str):
        return Target(id=value)
    return Target.from_dict({k: None if v is None else str(v) if k != "type" else v
                             for k, v in value.items()})



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
    """

    def __init__(self, config: Config | Mapping[str, Any] | None = None, *,
                 catalog: Catalog | Mapping[str, Any] | None = None,
                 **overrides: Any) -> None:
        if isinstance(catalog, Mapping):  # the [catalog] table, not a ready Catalog
            overrides["catalog"] = catalog
            catalog = None
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
        self.processors: list[Processor] = self._build_processors()
        self.sinks: list[Sink] = [*self._build_sinks(), *ready_sinks]
        #: The queryable store this trail writes to (``[store]``, or a store sink it was
        #: given), else ``None``: the audit server reads it and keeps access keys in it.
        self.store: Store | None = _store_of(self.sinks)
        self.dispatcher: Dispatcher = build_dispatcher(cfg.delivery, self.sinks)
        self._taps: list[Callable[[EventDict], None]] = []
        self._deferred = self.config.delivery.mode == "async"
        self._prepare_lock = threading.Lock()  # one event processed at a time, in order
        self._submit_lock = threading.RLock()
        self._recorded = 0
        self._emit_errors = 0
        self._closed = False
        self._pid = os.getpid()
        atexit.register(_close_at_exit, weakref.ref(self))
        os.register_at_fork(after_in_child=functools.partial(_fresh_locks_in_child,
                                                             weakref.ref(self)))

    @classmethod
    def from_config(cls, source: str | os.PathLike[str] | Mapping[str, Any] | None = None,
                    **overrides: Any) -> AuditTrail:
        """From a TOML path, a dict, or (``None``) ``$AUDITMW_CONFIG`` / ``./auditmw.toml``."""
        if isinstance(source, Mapping):
            return cls(source, **overrides)
        return cls(load_config(source), **overrides)

    # -- assembly ---------------------------------------------------------------------

    def _build_processors(self) -> list[Processor]:
        cfg = self.config
        ip_mode = cfg.capture.ip

        def ip_policy(event: EventDict) -> EventDict:
            client = event.get("client")
            if client and client.get("ip") is not None:
                client["ip"] = apply_ip_policy(client["ip"], ip_mode)
                client.pop("forwarded", None)
            return event

        processors: list[Processor] = [
            make_enricher(cfg.service),
            *([ip_policy] if ip_mode != "full" else []),
            # Redactor then Truncator, in one walk (redact_cut.py)
            RedactAndCut(
                Redactor(details=cfg.capture.details, mode=cfg.capture.redact,
                         extra_keys=cfg.capture.redact_keys, hash_key=cfg.integrity.key,
                         sensitive_events=[e.name for e in self.catalog if e.sensitive],
                         extra_values=cfg.capture.redact_values,
                         keep=cfg.capture.max_string_chars),
                Truncator(cfg.capture.max_string_chars, cfg.capture.max_details_bytes)),
        ]
        # The chain goes last: it hashes the event exactly as the sinks will store it.
        self.chain: ChainProcessor | None = None
        if cfg.integrity.chain:
            self.chain = ChainProcessor(cfg.integrity.key,
                                        resume=resume_from(lambda: self.sinks))
            processors.append(self.chain)
        return processors

    def _build_sinks(self) -> list[Sink]:
        context = {"service": self.config.service, "integrity_key": self.config.integrity.key,
                   # the otel sink leaves service.name to OTEL_SERVICE_NAME unless it is set
                   "service_set": "service" in self.config.model_fields_set,
                   "catalog": self.catalog}
        sinks = [build_sink(sink, **context) for sink in self.config.sinks]
        if self.config.store.enabled:
            from auditmw.store import open_store_sink
            sinks.insert(0, open_store_sink(
                self.config.store, on_purge=purge_checkpointer(
                    self.config.integrity.key, self.config.integrity.signing_key)
                if self.config.integrity.chain else None))
        return sinks

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

        In async mode the caller's thread only reads the active span and queues a
        :class:`~auditmw.pending.PendingEvent`: the processors run later, once, in a
        delivery thread. In sync mode, and while a test tap listens, they run here.
        """
        try:
            if event.tenant is None:
                tenant = _context_tenant()
                if tenant is not None:
                    event = event.with_(tenant=tenant)
            trace = dict(event.trace) or current_trace()
            if self._deferred and not self._taps:
                pending = PendingEvent(event, trace, self.process, self._prepare_lock)
                # One order for every lane's queue, so the chain's seq order is the order
                # each sink receives events in (docs/integrity.md, "Ordering").
                with self._submit_lock:
                    self._recorded += 1
                    return self.dispatcher.submit(pending)
            with self._submit_lock:
                data = self.process(event, trace)
                for tap in self._taps:
                    tap(data)
                self._recorded += 1
                return self.dispatcher.submit(data)
        except Exception:
            self._emit_errors += 1
            log.exception("auditmw: could not record %s event", event.event)
            return False

    def emit_later(self, build: Callable[[], Iterable[AuditEvent]], *,
                   weight: int | None = None) -> bool:
        """Like :meth:`emit` for the events ``build()`` makes — built in a delivery thread
        in async mode (the request thread pays only for queueing), at once otherwise.
        ``build`` must use only facts already settled (no request objects). ``weight``:
        the bytes ``build`` holds (bodies), counted against ``delivery.pending_max_bytes``
        (estimated from its closure when not given)."""
        try:
            tenant = _context_tenant()
            if tenant is not None:  # read here: the build may run in a delivery thread
                build = _with_tenant(build, tenant)
            if self._deferred and not self._taps:
                trace = current_trace()
                pending = PendingBuild(build, trace, self._prepare_built, self._prepare_lock,
                                       weight=weight)
                with self._submit_lock:
                    return self.dispatcher.submit(pending)
            events = list(build())
        except Exception:
            self._emit_errors += 1
            log.exception("auditmw: could not build events")
            return False
        kept = True
        for event in events:
            kept = self.emit(event) and kept
        return kept

    def _prepare_built(self, event: AuditEvent, trace: dict[str, str]) -> EventDict:
        self._recorded += 1  # counted once built: a request may make several events
        return self.process(event, trace)

    def process(self, event: AuditEvent, trace: dict[str, str] | None = None) -> EventDict:
        """The processors over one event: the finished dict every sink receives (what
        the delivery thread runs in async mode). ``trace`` defaults to the event's own."""
        try:
            data = event.to_dict()
            data["trace"] = dict(event.trace) if trace is None else trace
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
        one target rule (:func:`auditmw.outcome.target_of`): the returned object's
        ``id``/``key``/``name``, or the object it wraps, else the arguments'.
        """
        entry = self.entry(event)
        return functools.partial(_audited_wrapper, self, entry, target, details)

    def _finish_call(self, entry: Entry, arguments: dict[str, Any], started: float, *,
                     result: Any, exc: BaseException | None,
                     target: str | Callable[..., Any] | None, details: bool) -> None:
        try:
            if callable(target):
                found = as_target(target(result, arguments))
            elif isinstance(target, str):
                value = arguments.get(target)
                found = Target(id=None if value is None else str(value))
            else:
                found = target_of(None, result, arguments)
            outcome: Outcome = "success" if exc is None else \
                outcome_of_error(exc, self.outcome_rules)[0]
            self.record(
                entry.name, outcome=outcome, target=found,
                details=arguments if details else None, source="function",
                error=exc, duration_ms=round((time.perf_counter() - started) * 1000, 3),
            )
        except Exception:
            log.exception("auditmw: could not record %s", entry.name)

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
        """Call ``tap`` with every finished event (for tests); returns the remover."""
        self._taps.append(tap)
        return lambda: self._taps.remove(tap)

    def flush(self, timeout: float | None = None) -> bool:
        return self.dispatcher.flush(timeout)

    def stats(self) -> dict[str, Any]:
        return {"recorded": self._recorded, "emit_errors": self._emit_errors,
                **self.dispatcher.stats()}

    def close(self, timeout: float | None = None) -> None:
        if self._closed:
            return
        self._closed = True
        self.dispatcher.close(self.config.delivery.shutdown_timeout_s
                              if timeout is None else timeout)


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


def _fresh_locks_in_child(ref: weakref.ref[AuditTrail]) -> None:
    """A forked child may inherit a lock some parent thread held: start with new ones."""
    trail = ref()
    if trail is not None:
        trail._prepare_lock = threading.Lock()
        trail._submit_lock = threading.RLock()


def _close_at_exit(ref: weakref.ref[AuditTrail]) -> None:
    trail = ref()
    if trail is not None:
        trail.close()


def _bind(signature: inspect.Signature | None, args: Sequence[Any],
          kwargs: Mapping[str, Any]) -> dict[str, Any]:
    if signature is None:
        return {"args": list(args), **kwargs}
    try:
        bound = signature.bind_partial(*args, **kwargs)
    except TypeError:
        return {"args": list(args), **kwargs}
    out: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            out[name] = list(value)
        else:
            out[name] = value
    return out


def _audited_wrapper(trail: AuditTrail, entry: Entry, target: str | Callable[..., Any] | None,
                     details: bool, func: Callable[P, R]) -> Callable[P, R]:
    try:
        signature: inspect.Signature | None = inspect.signature(func)
    except (TypeError, ValueError):
        signature = None

    def finish(args: Sequence[Any], kwargs: Mapping[str, Any], started: float,
               result: Any, exc: BaseException | None) -> None:
        arguments = _bind(signature, args, kwargs) if details or isinstance(target, str) \
            else {}
        trail._finish_call(entry, arguments, started, result=result, exc=exc,
                           target=target, details=details)

    if inspect.iscoroutinefunction(func):
        @wrapt.decorator
        async def async_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = await wrapped(*args, **kwargs)
            except BaseException as exc:
                finish(args, kwargs, started, None, exc)
                raise
            finish(args, kwargs, started, result, None)
            return result

        wrapped_async: Callable[P, R] = async_wrapper(func)
        return wrapped_async

    @wrapt.decorator
    def sync_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            finish(args, kwargs, started, None, exc)
            raise
        finish(args, kwargs, started, result, None)
        return result

    wrapped_sync: Callable[P, R] = sync_wrapper(func)
    return wrapped_sync
