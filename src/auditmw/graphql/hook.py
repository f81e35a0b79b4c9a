"""The execution hook: what ran is decided where it runs.

Every Python GraphQL server here (plain graphql-core, Ariadne, Graphene, Strawberry)
executes through graphql-core, whatever the transport (POST, GET, batches, multipart,
WebSocket). This module hooks that execution at the *root* of each operation, after
graphql-core has chosen the operation, coerced the variables, applied ``@skip`` /
``@include`` and merged the fields — so the fields it sees are exactly the root fields
that run, once each:

- graphql-core 3.2: ``ExecutionContext.execute_operation`` is wrapped; for one execution
  it arms the context's ``execute_fields``/``execute_fields_serially`` to catch the root
  call (the grouped root fields) and disarms them there, before any nested field runs.
- graphql-core 3.3: ``Executor.execute_root_grouped_field_set`` (root only) is wrapped.

When a root field is catalogued, the execution's ``execute_field`` is armed for that
field only: graphql-core builds the resolver through the execution's middleware manager,
and a one-shot manager wraps it in :meth:`AuditResolverMiddleware.run` *outside* every
middleware the app set (so a guard middleware's refusal is seen, and ``fail_closed``
refuses before anything of the app runs). Nested fields never meet the hook: a query of
20,000 fields pays for its root fields only.

:func:`auditmw.graphql.install.instrument` puts it in place, once per process however
many adapters call it; a hand-installed :class:`AuditResolverMiddleware` or Strawberry
``AuditExtension`` stands aside while the hook runs, so nothing is recorded twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from auditmw.context import current_request
from auditmw.graphql.context_reading import default_actor_from_context
from auditmw.graphql.middleware import ActorFromContext, AuditResolverMiddleware
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
        self.use(trail)

    def use(self, trail: AuditTrail) -> None:
        self.trail = trail
        self.auditor = AuditResolverMiddleware(trail, actor_from_context=self.actor,
                                               is_denied=self.is_denied)

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

    def run_root(self, executor: Any, fields: Mapping[str, Any],
                 run: Callable[[], Any]) -> Any:
        """Run the grouped root ``fields`` of ``executor``'s operation through ``run``,
        with each catalogued one audited. Never raises anything of its own."""
        try:
            operation_type = executor.operation.operation.value
            state = current_request.get()
            if state is not None:
                state.executions += 1  # the door learns that graphql-core ran here
            catalogued: dict[str, Entry] = {}
            match = self.trail.catalog.match
            for key, items in fields.items():
                first = items[0]
                node = getattr(first, "node", first)  # 3.3: FieldDetails; 3.2: FieldNode
                entry = match(node.name.value, operation_type)
                if entry is not None:
                    catalogued[key] = entry
        except Exception:
            log.exception("auditmw: could not read an operation's root fields; "
                          "its fields are NOT audited")
            return run()
        if not catalogued:
            return run()
        _RootFields(self.auditor, executor, catalogued).arm()
        return run()


class _RootFields:
    """``execute_field`` for one execution's catalogued root fields.

    Armed as an instance attribute only while root fields are still to start: each
    call takes the class's ``execute_field`` back for the time it runs (nested fields
    resolved synchronously inside it never see this object) and re-arms only if another
    catalogued root field is to come (a serial mutation whose first field is async)."""

    def __init__(self, auditor: AuditResolverMiddleware, executor: Any,
                 pending: dict[str, Entry]) -> None:
        self.auditor = auditor
        self.executor = executor
        self.pending = pending
        self.plain = type(executor).execute_field

    def arm(self) -> None:
        self.executor.execute_field = self

    def __call__(self, parent_type: Any, source: Any, field_list: Any, path: Any,
                 *rest: Any) -> Any:
        executor = self.executor
        vars(executor).pop("execute_field", None)
        entry = self.pending.pop(path.key, None) if path.prev is None else None
        try:
            if entry is None:
                return self.plain(executor, parent_type, source, field_list, path, *rest)
            saved = executor.middleware_manager
            executor.middleware_manager = _OneShotManager(executor, saved, self.auditor, entry)
            try:
                return self.plain(executor, parent_type, source, field_list, path, *rest)
            finally:
                executor.middleware_manager = saved
        finally:
            if self.pending:
                executor.execute_field = self


class _OneShotManager:
    """Stands in for the execution's middleware manager for one root field: builds the
    resolver exactly as graphql-core would, wraps it in the auditor, and puts the real
    manager back at once (the nested fields use it)."""

    __slots__ = ("auditor", "entry", "executor", "saved")

    def __init__(self, executor: Any, saved: Any, auditor: AuditResolverMiddleware,
                 entry: Entry) -> None:
        self.executor, self.saved, self.auditor, self.entry = executor, saved, auditor, entry

    def get_field_resolver(self, resolve_fn: Callable[..., Any]) -> Callable[..., Any]:
        self.executor.middleware_manager = self.saved
        inner = self.saved.get_field_resolver(resolve_fn) if self.saved else resolve_fn
        auditor, entry = self.auditor, self.entry

        def audited(source: Any, info: Any, **args: Any) -> Any:
            return auditor.run(entry, inner, source, info, args)

        return audited
