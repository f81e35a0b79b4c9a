"""FastAPI + Strawberry as a user writes it, for the installed-wheel tests.

``AUDIT_BY_CODE=1``: audited by the documented two lines (``instrument_app`` and the
``AuditExtension``); otherwise it knows nothing of auditmw (``auditmw run``).
"""

from __future__ import annotations

import os

import strawberry
from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter


@strawberry.type
class Query:
    @strawberry.field
    def ping(self) -> str:
        return "pong"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_asset_group(self, name: str) -> str:
        return f"group-{name}"

    @strawberry.mutation
    def delete_scope(self, id: str) -> bool:
        return True

    @strawberry.mutation
    def rename_nothing(self, name: str) -> str:  # not catalogued: never an event
        return name


extensions: list[object] = []
trail = None
if os.environ.get("AUDIT_BY_CODE"):
    from auditmw_strawberry import AuditExtension

    from auditmw import AuditTrail

    trail = AuditTrail.from_config(os.environ["APP_AUDIT_CONFIG"])
    extensions = [AuditExtension(trail)]

schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)
app = FastAPI()
app.include_router(GraphQLRouter(schema), prefix="/graphql")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


if trail is not None:
    from auditmw_starlette import instrument_app

    instrument_app(app, trail)
