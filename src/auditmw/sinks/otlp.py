"""OTLP/HTTP logs without the SDK's record objects: a batch of events encoded straight to
one protobuf ``ExportLogsServiceRequest`` and POSTed (``type = "otel"``; the mapping is
:mod:`auditmw.sinks.otel`'s, shared with its SDK path).

Why by hand: the SDK path builds a ``LogRecord`` per event, validates its attributes,
then the exporter copies everything into protobuf objects — about 120 µs per event, the
slowest lane by far. Here a record is written as its wire bytes, and what repeats from
event to event is encoded once and kept:

- the resource and the scope, once per sink;
- the record's *head* — severity, body, event name, operation type and the attributes of
  the fields that repeat (who, from where, what kind: :data:`HEAD`) — once per distinct
  combination of those fields (keyed by their compact JSON, so ``1``, ``1.0``, ``true``
  and ``"1"`` never share an entry);
- every attribute key's bytes, and the epoch seconds of the time's ``YYYY-MM-DDTHH:MM:SS``.

What is left per event is its id, time, details and the fields that vary (target,
duration...), and the request is joined once per batch. The record's attributes are a
set, so their order differs from :func:`~auditmw.sinks.otel.attributes_of`'s, not their
content: the tests decode the bytes with the official protobuf classes and compare them
with what the SDK's exporter encodes for the same events.
"""

from __future__ import annotations

import gzip
import struct
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.sdk.resources import Resource

from auditmw import codec
from auditmw.sinks.http import HttpSink
from auditmw.sinks.otel import (
    NOT_ATTRIBUTES,
    OperationTypes,
    attribute_name,
    body_of,
    operation_type,
    scalar,
    severity_of,
    time_ns,
)
from auditmw.types import EventDict, PermanentError

_FIXED64 = struct.Struct("<Q").pack
_DOUBLE = struct.Struct("<d").pack
_FIXED32 = struct.Struct("<I").pack
#: The fields a record's head depends on (with ``event``, which names it): everything in
#: the head — severity, body, operation type, these fields' attributes — is a function of
#: them alone, so one encoding serves every event that agrees on them.
HEAD = ("event", "schema", "category", "action", "outcome", "channel", "source", "actor",
        "client", "service", "request", "tenant")
#: Fields not written per event: in the head, or carried in a record field of their own.
_NOT_PER_EVENT = frozenset(HEAD) | NOT_ATTRIBUTES
_CACHE_LIMIT = 4096
_SMALL = [bytes((n,)) for n in range(0x80)]


def varint(value: int) -> bytes:
    if value < 0x80:
        return _SMALL[value]
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def field(tag: int, payload: bytes) -> bytes:
    """A length-delimited field: ``tag`` is the already-shifted key byte."""
    return _SMALL[tag] + varint(len(payload)) + payload


def any_value(value: Any) -> bytes:
    """An ``AnyValue`` message for a scalar attribute value."""
    if isinstance(value, str):
        return field(0x0A, codec.utf8(value))
    if isinstance(value, bool):
        return b"\x10\x01" if value else b"\x10\x00"
    if isinstance(value, int):
        return b"\x18" + varint(value & 0xFFFFFFFFFFFFFFFF)  # int64, two's complement
    if isinstance(value, float):
        return b"\x21" + _DOUBLE(value)
    return field(0x0A, codec.utf8(str(value)))


def key_field(name: str) -> bytes:
    """``KeyValue.key`` (field 1) for attribute ``name``."""
    return field(0x0A, codec.utf8(name))


def text_attribute(key: bytes, data: bytes) -> bytes:
    """One ``LogRecord.attributes`` entry (field 6) with a string value: ``key`` from
    :func:`key_field`, ``data`` the UTF-8 text."""
    size = len(data)
    pair_size = len(key) + size + 4
    if pair_size < 0x80:  # the common case: every length fits one byte
        return b"".join((b"\x32", _SMALL[pair_size], key, b"\x12", _SMALL[size + 2],
                         b"\x0a", _SMALL[size], data))
    return field(0x32, key + field(0x12, b"\x0a" + varint(size) + data))


def attribute(key: bytes, value: Any) -> bytes:
    """One ``LogRecord.attributes`` entry for any value (:func:`~auditmw.sinks.otel.scalar`
    decides how a non-scalar is written)."""
    kind = type(value)
    if kind is str:
        return text_attribute(key, codec.utf8(value))
    if kind is float and len(key) < 0x75:  # AnyValue.double_value: 9 bytes
        return b"".join((b"\x32", _SMALL[len(key) + 11], key, b"\x12\x09\x21",
                         _DOUBLE(value)))
    return field(0x32, key + field(0x12, any_value(scalar(value))))


def _trace_fields(found: Any) -> bytes:
    """Flags, trace id and span id (fields 8, 9, 10), or nothing without valid ids."""
    if not isinstance(found, dict):
        return b""
    try:
        trace_id = bytes.fromhex(str(found.get("trace_id", "")))
        span_id = bytes.fromhex(str(found.get("span_id", "")))
    except ValueError:
        return b""
    if len(trace_id) != 16 or len(span_id) != 8:
        return b""
    return b"\x45" + _FIXED32(1) + field(0x4A, trace_id) + field(0x52, span_id)  # sampled


class OtlpEncoder:
    """Events to ``ExportLogsServiceRequest`` bytes. Not thread-safe (its caches): one
    per sink, used under the sink's write."""

    def __init__(self, resource: Resource, *, scope: str = "auditmw",
                 operation_types: OperationTypes | None = None) -> None:
        self.operation_types = operation_types
        resource_attrs = b"".join(  # Resource.attributes is field 1
            field(0x0A, key_field(k) + field(0x12, any_value(
                v if isinstance(v, str | bool | int | float) else str(v))))
            for k, v in resource.attributes.items())
        self._resource = field(0x0A, resource_attrs)  # ResourceLogs.resource
        self._scope = field(0x0A, field(0x0A, scope.encode()))  # ScopeLogs.scope
        self._uid = key_field("log.record.uid")
        self._details = key_field("audit.details")
        self._operation = key_field("graphql.operation.type")
        self._heads: dict[bytes, bytes] = {}
        self._names: dict[tuple[str, str | None], bytes] = {}
        self._seconds: dict[str, int] = {}
        self._members: dict[str, dict[str, bytes]] = {}
        self._layouts: dict[tuple[str, ...], tuple[str, ...]] = {}

    # -- caches ---------------------------------------------------------------------

    def _name(self, key: str, sub: str | None) -> bytes:
        """The key bytes of the attribute ``key`` (or its member ``sub``) is written as."""
        found = self._names.get((key, sub))
        if found is None:
            if len(self._names) >= _CACHE_LIMIT:
                self._names.clear()
            found = self._names[(key, sub)] = key_field(attribute_name(key, sub))
        return found

    def _time(self, text: Any) -> bytes:
        """``time_unix_nano`` (field 1). The events' own ``...T12:34:56.123456Z`` form
        costs a slice and an ``int``; the seconds are parsed once each."""
        if (type(text) is str and len(text) == 27 and text[19] == "." and text[26] == "Z"
                and text.isascii() and text[20:26].isdigit()):
            second = self._seconds.get(text[:19])
            if second is None:
                whole = time_ns(text[:19] + "Z")
                if whole is not None and whole >= 0:
                    if len(self._seconds) >= _CACHE_LIMIT:
                        self._seconds.clear()
                    second = self._seconds[text[:19]] = whole
            if second is not None:
                return b"\x09" + _FIXED64(second + int(text[20:26]) * 1000)
        return b"\x09" + _FIXED64(max(time_ns(text) or 0, 0))

    def _head(self, event: EventDict) -> bytes:
        try:
            key = orjson.dumps([event.get(name) for name in HEAD])
        except TypeError:  # a value JSON has no type for (or a huge int): not cached
            return self._encode_head(event)
        found = self._heads.get(key)
        if found is None:
            if len(self._heads) >= _CACHE_LIMIT:
                self._heads.clear()
            found = self._heads[key] = self._encode_head(event)
        return found

    def _encode_head(self, event: EventDict) -> bytes:
        number, text = severity_of(event)
        parts = [b"\x10" + varint(number.value), field(0x1A, text.encode()),
                 field(0x2A, any_value(body_of(event))),
                 field(0x62, codec.utf8(str(event.get("event", ""))))]
        parts.extend(self.of_field(name, event[name]) for name in HEAD if name in event)
        kind = operation_type(event, self.operation_types)
        if kind:
            parts.append(attribute(self._operation, kind))
        return b"".join(parts)

    # -- encoding -------------------------------------------------------------------

    def of_field(self, key: str, value: Any) -> bytes:
        """The attributes of one top-level field of the event, encoded (nothing for the
        fields carried elsewhere)."""
        if key in NOT_ATTRIBUTES or value is None:
            return b""
        parts: list[bytes] = []
        self._add_field(parts, key, value)
        return b"".join(parts)

    def _add_field(self, parts: list[bytes], key: str, value: Any) -> None:
        """Append the attributes of field ``key`` (not None, not carried elsewhere)."""
        if not isinstance(value, dict):
            parts.append(attribute(self._name(key, None), value))
            return
        names = self._members.get(key)
        if names is None:
            if len(self._members) >= _CACHE_LIMIT:
                self._members.clear()
            names = self._members[key] = {}
        for sub, inner in value.items():
            if inner is None:
                continue
            name = names.get(sub)
            if name is None:
                if len(names) >= _CACHE_LIMIT:
                    names.clear()
                name = names[sub] = self._name(key, sub)
            if type(inner) is str:  # text_attribute's common case, inline: the hot loop
                try:
                    data = inner.encode()
                except UnicodeEncodeError:  # a lone surrogate: escaped, as the JSON does
                    data = codec.utf8(inner)
                size = len(data)
                pair_size = len(name) + size + 4
                if pair_size < 0x80:
                    parts += (b"\x32", _SMALL[pair_size], name, b"\x12", _SMALL[size + 2],
                              b"\x0a", _SMALL[size], data)
                    continue
            parts.append(attribute(name, inner))

    def _per_event_keys(self, event: EventDict) -> tuple[str, ...]:
        """The event's fields written per record, by the event's keys (which repeat)."""
        keys = tuple(event)
        found = self._layouts.get(keys)
        if found is None:
            if len(self._layouts) >= _CACHE_LIMIT:
                self._layouts.clear()
            found = self._layouts[keys] = tuple(k for k in keys if k not in _NOT_PER_EVENT)
        return found

    def record(self, event: EventDict, observed: bytes) -> bytes:
        """One ``LogRecord`` (without its own field key); ``observed`` is the batch's
        ``observed_time_unix_nano`` field."""
        parts = [self._time(event.get("time")), observed, self._head(event)]
        uid = event.get("id")
        if uid is not None:
            parts.append(text_attribute(self._uid, codec.utf8(str(uid))))
        add_field = self._add_field
        for key in self._per_event_keys(event):
            value = event[key]
            if value is not None:
                add_field(parts, key, value)
        if "details" in event:
            parts.append(text_attribute(self._details, codec.dumps(event["details"])))
        trace = event.get("trace")
        if trace:
            parts.append(_trace_fields(trace))
        return b"".join(parts)

    def request(self, events: Sequence[EventDict]) -> bytes:
        """The ``ExportLogsServiceRequest`` for the batch: one resource, one scope."""
        observed = b"\x59" + _FIXED64(time.time_ns())
        record = self.record
        parts = [self._scope]
        for event in events:
            encoded = record(event, observed)
            parts.append(b"\x12" + varint(len(encoded)))  # ScopeLogs.log_records
            parts.append(encoded)
        scope_logs = b"".join(parts)
        resource_logs = b"".join((self._resource, b"\x12", varint(len(scope_logs)),
                                  scope_logs))
        return b"".join((b"\x0a", varint(len(resource_logs)), resource_logs))


class OtlpHttpSink:
    """``type = "otel"`` over OTLP/HTTP protobuf."""

    durable = False

    def __init__(self, url: str, *, headers: Mapping[str, str] | None = None,
                 timeout_s: float = 10.0, resource: Resource | None = None,
                 ca_file: str = "", client_cert: str = "", client_key: str = "",
                 gzip: bool = False, operation_types: OperationTypes | None = None,
                 batch_size: int | None = None, name: str = "otel") -> None:
        self.name = name
        self.url = url
        self.batch_size = batch_size
        self.resource = resource or Resource.create({})
        self.gzip = gzip
        self.encoder = OtlpEncoder(self.resource, operation_types=operation_types)
        self.transport = HttpSink(url, headers=headers, timeout_s=timeout_s,
                                  ca_file=ca_file, client_cert=client_cert,
                                  client_key=client_key, name=name)
        self._lock = threading.Lock()

    def write(self, events: Sequence[EventDict]) -> None:
        if not events:
            return
        body = self.encoder.request(events)
        headers = {"Content-Type": "application/x-protobuf"}
        if self.gzip:
            body = gzip.compress(body, compresslevel=5, mtime=0)
            headers["Content-Encoding"] = "gzip"
        answer = self.transport.send(body, headers)
        if answer:
            self._check_partial_success(answer, len(events))

    @staticmethod
    def _check_partial_success(answer: bytes, count: int) -> None:
        response = ExportLogsServiceResponse()
        try:
            response.ParseFromString(answer)
        except Exception:
            return
        rejected = response.partial_success.rejected_log_records
        if rejected:
            raise PermanentError(f"OTLP collector rejected {rejected} of {count} record(s): "
                                 f"{response.partial_success.error_message[:200]}")

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.transport.close()

    def after_fork(self) -> None:
        self.transport.after_fork()
