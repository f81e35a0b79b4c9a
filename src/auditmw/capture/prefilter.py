"""The GraphQL door's fast path: a body that certainly executes nothing catalogued.

A plain JSON GraphQL request (an object with a string ``query``) whose document names
no catalogued field gets no request state and no analysis. Anything unusual (encodings,
batches, persisted queries, bad JSON) is not quiet and takes the full path. The answer
depends on the bytes alone (and the catalogue, fixed for the middleware's life), so a
body seen before — a client polling, a dashboard's refresh: the very same bytes — is
answered by one dict lookup.
"""

from __future__ import annotations

import orjson

from auditmw.capture.documents import DocumentAnalyzer

#: Bodies remembered, each at most ``MEMO_MAX_BODY`` bytes (so at most 1 MiB held);
#: forgotten all at once when full.
MEMO_SIZE = 256
MEMO_MAX_BODY = 4096


class QuietBodies:
    """``quiet(body)``: ``True`` when ``body`` is certainly a plain JSON GraphQL request
    whose document executes no catalogued field."""

    def __init__(self, analyzer: DocumentAnalyzer) -> None:
        self.analyzer = analyzer
        self.memo: dict[bytes, bool] = {}

    def quiet(self, body: bytes) -> bool:
        if len(body) > MEMO_MAX_BODY or type(body) is not bytes:
            return self._decide(body)  # (hashing a large body costs too)
        memo = self.memo
        known = memo.get(body)
        if known is not None:
            return known
        quiet = self._decide(body)
        if len(memo) >= MEMO_SIZE:
            memo.clear()  # the simplest bound: no order to keep across threads
        memo[body] = quiet
        return quiet

    def _decide(self, body: bytes) -> bool:
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            return False
        if type(value) is not dict:
            return False
        query = value.get("query")
        return type(query) is str and not self.analyzer.plan(query)
