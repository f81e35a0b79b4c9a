"""What the after-the-response tests share: a graphql-core schema whose mutation counts
its executions, and a trail with the execution hook installed, in each delivery mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import graphql

from auditmw.graphql import instrument, uninstrument
from auditmw.testing import MemorySink
from auditmw.trail import AuditTrail

SCHEMA = graphql.build_schema("""
    type Query { assets: [String] }
    type AssetGroup { id: ID!, name: String }
    type Mutation { createAssetGroup(name: String!): AssetGroup }
""")
MUTATION = 'mutation { createAssetGroup(name: "prod") { id } }'
QUERY = "{ assets }"


class Root:
    """The resolvers; ``calls`` is the ground truth: executions of the mutation."""

    calls = 0

    def createAssetGroup(self, info: Any, name: str) -> dict[str, Any]:
        Root.calls += 1
        return {"id": f"g-{Root.calls}", "name": name}

    def assets(self, info: Any) -> list[str]:
        return ["a"]


def hooked_trail(mode: str) -> Iterator[AuditTrail]:
    """A fixture's body: an in-memory trail in delivery ``mode`` with graphql-core's
    execution hook pointed at it, removed after."""
    made = AuditTrail(store=False, sinks=[MemorySink()], delivery={"mode": mode})
    instrument(made)
    yield made
    uninstrument()
    made.close()
