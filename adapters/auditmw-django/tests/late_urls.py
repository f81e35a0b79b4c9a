"""A URLconf whose /graphql answers a mutation as done and runs it afterwards, in a
``request_finished`` receiver (Django runs those in ``response.close()``), with
graphql-core (the hooked engine) — or never (``/graphql/strawberry``: an engine the hook
cannot see). ``Counts`` holds the ground truth."""

from __future__ import annotations

from typing import Any

import graphql
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.urls import path

SCHEMA = graphql.build_schema("""
    type Query { assets: [String] }
    type AssetGroup { id: ID!, name: String }
    type Mutation { createAssetGroup(name: String!): AssetGroup }
""")
MUTATION = 'mutation { createAssetGroup(name: "prod") { id } }'
SHOWN = b'{"data": {"createAssetGroup": {"id": "g-1"}}}'


class Counts:
    graphql_core = 0  # executions graphql-core ran (the hook sees them)
    other = 0  # executions of an engine the hook cannot see


class _Root:
    def createAssetGroup(self, info: Any, name: str) -> dict[str, Any]:
        Counts.graphql_core += 1
        return {"id": f"g-{Counts.graphql_core}", "name": name}


def _later(**_: Any) -> None:
    request_finished.disconnect(_later)
    result = graphql.graphql_sync(SCHEMA, MUTATION, root_value=_Root(),
                                  context_value={"user": {"id": "u2", "name": "u2"}})
    assert result.errors is None


def late(request: HttpRequest) -> HttpResponse:
    request_finished.connect(_later, weak=False)
    return HttpResponse(SHOWN, content_type="application/json")


def other(request: HttpRequest) -> HttpResponse:
    Counts.other += 1
    return HttpResponse(SHOWN, content_type="application/json")


urlpatterns = [path("graphql", late), path("graphql/strawberry", other)]
