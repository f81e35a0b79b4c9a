"""A trail's parts built from its config: the processor chain and the sinks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from auditmw.capture.ip import apply_ip_policy
from auditmw.integrity.chain import ChainProcessor
from auditmw.integrity.checkpoint import purge_checkpointer
from auditmw.integrity.resume import resume_from
from auditmw.processors import Redactor, Truncator, make_enricher
from auditmw.redact_cut import RedactAndCut
from auditmw.sinks import Sink, build_sink
from auditmw.types import EventDict, Processor

if TYPE_CHECKING:
    from auditmw.catalog import Catalog
    from auditmw.config import Config


def build_processors(config: Config, catalog: Catalog,
                     sinks: Callable[[], Sequence[Sink]]
                     ) -> tuple[list[Processor], ChainProcessor | None]:
    """Enrich, the IP policy, redact, truncate and (last) the hash chain, which resumes
    from what ``sinks()`` already hold."""
    ip_mode = config.capture.ip

    def ip_policy(event: EventDict) -> EventDict:
        client = event.get("client")
        if client and client.get("ip") is not None:
            client["ip"] = apply_ip_policy(client["ip"], ip_mode)
            client.pop("forwarded", None)
        return event

    processors: list[Processor] = [
        make_enricher(config.service),
        *([ip_policy] if ip_mode != "full" else []),
        # Redactor then Truncator, in one walk (redact_cut.py)
        RedactAndCut(
            Redactor(details=config.capture.details, mode=config.capture.redact,
                     extra_keys=config.capture.redact_keys, hash_key=config.integrity.key,
                     sensitive_events=[e.name for e in catalog if e.sensitive],
                     extra_values=config.capture.redact_values,
                     keep=config.capture.max_string_chars),
            Truncator(config.capture.max_string_chars, config.capture.max_details_bytes)),
    ]
    # The chain goes last: it hashes the event exactly as the sinks will store it.
    chain: ChainProcessor | None = None
    if config.integrity.chain:
        chain = ChainProcessor(config.integrity.key, resume=resume_from(sinks))
        processors.append(chain)
    return processors, chain


def build_sinks(config: Config, catalog: Catalog) -> list[Sink]:
    """The ``[[sinks]]`` tables, and the store first when it is enabled."""
    context = {"service": config.service, "integrity_key": config.integrity.key,
               # the otel sink leaves service.name to OTEL_SERVICE_NAME unless it is set
               "service_set": "service" in config.model_fields_set,
               "catalog": catalog}
    sinks = [build_sink(sink, **context) for sink in config.sinks]
    if config.store.enabled:
        from auditmw.store import open_store_sink
        sinks.insert(0, open_store_sink(
            config.store, on_purge=purge_checkpointer(
                config.integrity.key, config.integrity.signing_key)
            if config.integrity.chain else None))
    return sinks
