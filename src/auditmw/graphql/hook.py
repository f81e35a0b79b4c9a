"""The execution hook: what ran is decided where it runs.

Every Python GraphQL server here (plain graphql-core, Ariadne, Graphene, Strawberry)
executes through graphql-core, whatever the transport (POST, GET, batches, multipart,
WebSocket). This module hooks that execution at the *root* of each operation, after
graphql-core has chosen the operation, coerced the variables, applied ``@skip`` /
``@include`` and merged the fields — so the fields it sees are exactly the root fields
that run, once each:

- graphql-core 3.2: ``ExecutionContext.execute_operation`` is wrapped: the execution is
  counted, and only when its document reaches a catalogued root field (read once per
  parsed operation, :mod:`auditmw.graphql.plan`) is anything armed for it.
- graphql-core 3.3: ``Executor.execute_root_grouped_field_set`` (root only) is wrapped;
  the grouped root fields say exactly which catalogued keys run.

When a root field may be catalogued, the execution's ``execute_field`` is armed for the
response keys it may run under: graphql-core builds the resolver through the execution's
middleware manager, and a one-shot manager wraps it in :meth:`AuditResolverMiddleware.run`
*outside* every middleware the app set (so a guard middleware's refusal is seen, and
``fail_closed`` refuses before anything of the app runs). Nested fields never meet the
hook: a query of 20,000 fields pays for its root fields only, and an execution with no
catalogued root field for one cached lookup and a count.

:func:`auditmw.graphql.install.instrument` puts it in place, once per process however
many adapters call it; a hand-installed :class:`AuditResolverMiddleware` or Strawberry
``AuditExtension`` stands aside while the hook runs, so nothing is recorded twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from auditmw.context import current_request
from auditmw.graphql.context_reading import default_actor_from_context
from auditmw.graphql.middleware import ActorFromContext, AuditResolverMiddleware
from auditmw.graphql.plan import PlanCache, RootPlan
from auditmw.outcome import DeniedCheck

if TYPE_CHECKING:
    from auditmw.catalog import Entry
    from auditmw.event import Actor
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw")


class ExecutionHook:
    """The installed hook: one per process, pointed at the current trail.

    ``actor_sources`` and ``denied_checks`` are added by the adapters (framework
    conventions first; the generic rules always apply last)."""

    def __init__(self, trail: AuditTrail) -> None:
        self.actor_sources: list[ActorFromContext] = []
        self.denied_checks: list[DeniedCheck] = []
        self.plans = PlanCache()
        self.use(trail)

    def use(self, trail: AuditTrail) -> None:
        self.trail = trail
        self.catalog = trail.catalog  # read per execution: one attribute, not two
        # without an adapter's source the generic rule is the reader itself: one call
        # less for every catalogued field
        reader = self.actor if self.actor_sources else default_actor_from_context
        self.auditor = AuditResolverMiddleware(trail, actor_from_context=reader,
                                               is_denied=self.is_denied)

    def add(self, actor_from_context: ActorFromContext | None,
            is_denied: DeniedCheck | None) -> None:
        """An adapter's actor source and denial rule, each once, ahead of the generic
        rules."""
        if actor_from_context is not None and actor_from_context not in self.actor_sources:
            self.actor_sources.append(actor_from_context)
            self.use(self.trail)  # the auditor reads through the sources from now on
        if is_denied is not None and is_denied not in self.denied_checks:
            self.denied_checks.append(is_denied)

    def actor(self, context: Any) -> Actor | None:
        for source in self.actor_sources:
            found = source(context)
            if found is not None:
                return found
        return default_actor_from_context(context)

    def is_denied(self, exc: BaseException) -> bool:
        """The adapters' extra denial rules; the one rule (``trail.outcome_rules``)
        always applies besides (:func:`auditmw.outcome.outcome_of_field`)."""
        return any(check(exc) for check in self.denied_checks)

    # -- the root of one operation ------------------------------------------------------

    def plan(self, operation: Any, fragments: Mapping[str, Any]) -> RootPlan | None:
        """The operation's catalogued root fields (:mod:`.plan`), ``None`` for none."""
        return self.plans.get(operation, fragments, self.catalog)

    def arm(self, executor: Any, plan: RootPlan, keys: Iterable[str] | None = None) -> None:
        """Audit the catalogued root fields of ``executor``'s execution: the response
        keys ``keys`` (default: every key ``plan`` says they may run under)."""
        executor.execute_field = _RootFields(self.auditor, executor, plan.entries,
                                             set(plan.keys if keys is None else keys))

    def enter_root(self, executor: Any, fields: Mapping[str, Any]) -> None:
        """graphql-core 3.3: the grouped root ``fields`` of ``executor``'s operation are
        about to run; count the execution, arm for the catalogued ones. Never raises."""
        try:
            state = current_request.get()
            if state is not None and state.collect:
                state.executions += 1  # the door learns that graphql-core ran here
            plan = self.plan(executor.operation, executor.fragments)
            if plan is not None:
                entries = plan.entries
                # 3.3: FieldDetails; the keys that run, exactly
                keys = [key for key, items in fields.items()
                        if getattr(items[0], "node", items[0]).name.value in entries]
                if keys:
                    self.arm(executor, plan, keys)
        except Exception:
            log.exception("auditmw: could not read an operation's root fields; "
                          "its fields are NOT audited")


class _RootFields:
    """``execute_field`` for one execution's catalogued root fields.

    Armed as an instance attribute only while root fields are still to start: each
    call takes the class's ``execute_field`` back for the time it runs (nested fields
    resolved synchronously inside it never see this object) and re-arms only if another
    catalogued root field may come (a serial mutation whose first field is async; a key
    read from the document that ``@skip`` left out keeps it armed for the root fields
    only, which then pass through)."""

    __slots__ = ("auditor", "entries", "entry", "executor", "pending", "plain", "saved")

    def __init__(self, auditor: AuditResolverMiddleware, executor: Any,
                 entries: dict[str, Entry], pending: set[str]) -> None:
        self.auditor = auditor
        self.executor = executor
        self.entries = entries
        self.pending = pending
        self.plain = type(executor).execute_field
        self.entry: Entry | None = None
        self.saved: Any = None

    def __call__(self, parent_type: Any, source: Any, field_list: Any, path: Any,
                 *rest: Any) -> Any:
        executor = self.executor
        # reached through the instance attribute, so it is there to take back; `del`, not
        # `vars(executor).pop`: a real __dict__ would slow every attribute graphql-core
        # reads on the executor for the rest of the execution
        del executor.execute_field
        pending = self.pending
        entry = None
        if path.prev is None and path.key in pending:
            pending.discard(path.key)
            first = field_list[0]
            entry = self.entries.get(getattr(first, "node", first).name.value)
        try:
            if entry is None:
                return self.plain(executor, parent_type, source, field_list, path, *rest)
            self.entry = entry
            saved = self.saved = executor.middleware_manager
            executor.middleware_manager = self  # one shot: get_field_resolver below
            try:
                return self.plain(executor, parent_type, source, field_list, path, *rest)
            finally:
                executor.middleware_manager = saved
        finally:
            if pending:
                executor.execute_field = self

    def get_field_resolver(self, resolve_fn: Callable[..., Any]) -> Callable[..., Any]:
        """Stands in for the execution's middleware manager for one root field: builds
        the resolver exactly as graphql-core would, wraps it in the auditor, and puts the
        real manager back at once (the nested fields use it). The wrapper is a
        ``partial`` of :meth:`~.middleware.AuditResolverMiddleware.run`: made and called
        in C, no Python closure or frame of its own per field."""
        saved = self.saved
        self.executor.middleware_manager = saved
        inner = saved.get_field_resolver(resolve_fn) if saved else resolve_fn
        entry = self.entry
        if entry is None:  # only ever armed with an entry
            return inner
        return partial(self.auditor.run, entry, inner)
