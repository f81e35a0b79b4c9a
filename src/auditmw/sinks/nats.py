"""``type = "nats"``: publish each event to a NATS JetStream stream, acknowledged.

The first *message bus* sink; the shape (a subject or topic from a template, the event
id as the message key, publish acknowledgements before a batch counts as delivered,
retry and spool through the lane) is the one a Kafka sink would take (docs/sinks.md).

- subject from the template (``audit.{tenant}.{category}``, ``{event}`` too); each value
  becomes one subject token (``.``, ``*``, ``>`` and white space replaced by ``_``; a
  missing tenant is ``none``);
- header ``Nats-Msg-Id`` = the event id, so JetStream drops a copy of an event it already
  stored within the stream's duplicate window: a batch replayed after an outage is
  stored once;
- the payload is the event in the sink's ``format`` (compact JSON);
- a batch is delivered only when JetStream acknowledged every message (``ack_timeout_s``);
  a missing acknowledgement, a lost connection or a JetStream error raises for the lane,
  which retries, spools and replays as for every sink;
- with ``create_stream = true`` a missing stream is created on first connect, with the
  template's subjects (each placeholder a ``*``) and ``duplicate_window_s``.

nats-py is asyncio; the sink runs its own event loop on one daemon thread, so the lane's
worker calls it like any other blocking sink.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
import string
import threading
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.js.api import StreamConfig

from auditmw import codec
from auditmw.errors import ConfigError
from auditmw.formats import formatter
from auditmw.types import EventDict, RetryableError

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js import JetStreamContext

    from auditmw.config import NatsSinkConfig

T = TypeVar("T")
PLACEHOLDERS = frozenset({"tenant", "category", "event"})
_NOT_IN_TOKEN = re.compile(r"[.*>\s]")


def subject_token(value: Any, missing: str = "none") -> str:
    """One subject token from a value: never empty, never a separator or a wildcard."""
    text = "" if value is None else str(value)
    return _NOT_IN_TOKEN.sub("_", text) or missing


def check_template(template: str) -> list[str | None]:
    """The template's tokens, each a fixed text or a placeholder name (``None`` for
    fixed); placeholders must be whole tokens so the stream can match them with ``*``."""
    tokens: list[str | None] = []
    for token in template.split("."):
        fields = [f for _, f, _, _ in string.Formatter().parse(token) if f is not None]
        if not fields:
            if not token or _NOT_IN_TOKEN.search(token):
                raise ValueError(f"subject {template!r}: {token!r} is not a subject token")
            tokens.append(None)
            continue
        if len(fields) != 1 or token != "{" + fields[0] + "}" or fields[0] not in PLACEHOLDERS:
            raise ValueError(f"subject {template!r}: each placeholder must be a whole token, "
                             "one of {tenant}, {category}, {event}")
        tokens.append(fields[0])
    return tokens


class NatsSink:
    durable = False

    def __init__(self, url: str = "nats://127.0.0.1:4222", *, stream: str = "AUDIT",
                 subject: str = "audit.{category}", format: str = "auditmw",
                 create_stream: bool = True, duplicate_window_s: float = 120.0,
                 ack_timeout_s: float = 5.0, credentials: str = "", token: str = "",
                 ca_file: str = "", max_retries: int | None = None,
                 batch_size: int | None = None, name: str | None = None) -> None:
        self.servers = [u.strip() for u in url.split(",") if u.strip()]
        self.stream = stream
        self.subject = subject
        self._tokens = check_template(subject)
        self.name = name or f"nats:{self.servers[0]}/{stream}"
        self.format = format
        self._shape = formatter(format)
        self.create_stream = create_stream
        self.duplicate_window_s = duplicate_window_s
        self.ack_timeout_s = ack_timeout_s
        self.credentials = credentials
        self.token = token
        self._tls = ssl.create_default_context(cafile=ca_file) if ca_file else None
        self.max_retries = max_retries
        self.batch_size = batch_size
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._start_loop()

    def _start_loop(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name=f"auditmw-{self.name}")
        self._thread.start()

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    # -- subjects and messages ----------------------------------------------------------

    def subject_for(self, event: EventDict) -> str:
        values = {"tenant": event.get("tenant"), "category": event.get("category"),
                  "event": event.get("event")}
        return ".".join(fixed if name is None else subject_token(values[name])
                        for fixed, name in zip(self.subject.split("."), self._tokens,
                                               strict=True))

    def stream_subjects(self) -> list[str]:
        return [".".join("*" if name else fixed for fixed, name in
                         zip(self.subject.split("."), self._tokens, strict=True))]

    # -- connection -----------------------------------------------------------------

    async def _connect(self) -> JetStreamContext:
        if self._js is not None and self._nc is not None and not self._nc.is_closed:
            return self._js
        options: dict[str, Any] = {
            "servers": self.servers, "connect_timeout": max(1, int(self.ack_timeout_s)),
            "allow_reconnect": True, "max_reconnect_attempts": -1,
            "reconnect_time_wait": 0.5, "name": "auditmw",
            # Connection trouble is reported by write() failing; nats-py's own callbacks
            # would print every reconnect attempt.
            "error_cb": _quiet, "disconnected_cb": _quiet_event,
            "reconnected_cb": _quiet_event, "closed_cb": _quiet_event,
        }
        if self.credentials:
            options["user_credentials"] = self.credentials
        if self.token:
            options["token"] = self.token
        if self._tls is not None:
            options["tls"] = self._tls
        try:  # reconnects are endless once connected, so bound the first connect here
            nc = await asyncio.wait_for(nats.connect(**options), self.ack_timeout_s)
        except (TimeoutError, OSError, nats.errors.Error) as exc:
            raise RetryableError(f"nats: cannot connect to {', '.join(self.servers)} "
                                 f"({type(exc).__name__})") from exc
        js = nc.jetstream(timeout=self.ack_timeout_s)
        if self.create_stream:
            try:
                await js.stream_info(self.stream)
            except nats.js.errors.NotFoundError:
                await js.add_stream(StreamConfig(
                    name=self.stream, subjects=self.stream_subjects(),
                    duplicate_window=self.duplicate_window_s))
        self._nc, self._js = nc, js
        return js

    async def _publish(self, events: Sequence[EventDict]) -> int:
        js = await self._connect()
        shape = self._shape
        futures = []
        for event in events:
            futures.append(await js.publish_async(
                self.subject_for(event), codec.dumps(shape(event)), stream=self.stream,
                wait_stall=self.ack_timeout_s,
                headers={"Nats-Msg-Id": str(event.get("id", "")),
                         "Content-Type": "application/json"}))
        try:
            acks = await asyncio.wait_for(asyncio.gather(*futures), self.ack_timeout_s)
        finally:
            for future in futures:
                future.cancel()  # those never acknowledged free their slot
        return sum(1 for ack in acks if ack.duplicate)

    # -- Sink -------------------------------------------------------------------------

    def write(self, events: Sequence[EventDict]) -> None:
        if not events:
            return
        try:
            self._run(self._publish(events), self.ack_timeout_s * 2 + 5)
        except TimeoutError as exc:
            raise RetryableError(f"nats: no acknowledgement from stream {self.stream!r} "
                                 f"within {self.ack_timeout_s}s") from exc
        except nats.js.errors.NoStreamResponseError as exc:
            raise RetryableError(f"nats: no JetStream stream {self.stream!r} takes subject "
                                 f"{self.subject!r} (or JetStream is down)") from exc
        except (nats.errors.Error, OSError) as exc:
            raise RetryableError(f"nats: {type(exc).__name__}: {exc}") from exc

    def flush(self) -> None:
        return None

    def close(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None and not nc.is_closed:
            with contextlib.suppress(Exception):  # closing never raises into shutdown
                self._run(nc.close(), self.ack_timeout_s)
        with contextlib.suppress(Exception):  # let the client's tasks finish cancelling
            self._run(_cancel_the_rest(), self.ack_timeout_s)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(self.ack_timeout_s)
        if not self._thread.is_alive():
            self._loop.close()

    def after_fork(self) -> None:
        """In a forked child: the parent's loop thread and connection are not ours."""
        self._nc = None
        self._js = None
        self._start_loop()


async def _cancel_the_rest() -> None:
    """Cancel and await every task still on this loop (nats-py's readers and flushers),
    so none is left to be destroyed after the loop is closed."""
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _quiet(exc: Exception) -> None:
    return None


async def _quiet_event() -> None:
    return None


def from_config(config: NatsSinkConfig, **context: Any) -> NatsSink:
    try:
        return NatsSink(config.url, stream=config.stream, subject=config.subject,
                        format=config.format, create_stream=config.create_stream,
                        duplicate_window_s=config.duplicate_window_s,
                        ack_timeout_s=config.ack_timeout_s, credentials=config.credentials,
                        token=config.token, ca_file=config.ca_file,
                        max_retries=config.max_retries, batch_size=config.batch_size)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"sinks (nats {config.url}): {exc}") from None
