"""One behaviour behind every door, for the outcome/target parity tests.

``createAssetGroup(kind, name)`` returns an errors-as-data payload
(``{success, errors, assetGroup}``; the catalogue entry says ``outcome_path =
"success"``) or raises, depending on ``kind``; :data:`KINDS` says what the trail must
record for each. The same behaviour is served by graphql-core/Ariadne (SDL), Strawberry
and Graphene schemas, so every door and every framework sees the same errors and
payloads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import fastapi
import graphql
import starlette.exceptions
import strawberry
import werkzeug.exceptions


class NotAllowed(Exception):
    """An app's own denial class, named in ``capture.denied_errors``."""


def _named_like(module: str, qualname: str, **attrs: Any) -> type[Exception]:
    """An exception with a framework's qualified name (the rule goes by names; Django and
    DRF are not installed in this checkout)."""
    cls = type(qualname, (Exception,), dict(attrs))
    cls.__module__, cls.__qualname__ = module, qualname
    return cls


DjangoPermissionDenied = _named_like("django.core.exceptions", "PermissionDenied")
DrfNotAuthenticated = _named_like("rest_framework.exceptions", "NotAuthenticated",
                                  status_code=401)

CATALOG = {"events": {"createAssetGroup": {
    "category": "inventory_configuration", "outcome_path": "success"}}}
DENIED_ERRORS = ["support.parity_apps:NotAllowed", "NOT_ALLOWED"]


def trail_config() -> dict[str, Any]:
    return {"catalog": CATALOG, "capture": {"denied_errors": DENIED_ERRORS},
            "store": False, "sinks": [], "delivery": {"mode": "sync"}}


@dataclass(frozen=True)
class Expect:
    outcome: str
    #: ``error.type`` wherever the door can know it (``None``: no error)
    error: str | None
    #: the denial or failure is carried on the wire (a code, a payload); ``False``: only an
    #: exception class says it, which a response does not carry
    on_wire: bool = True


KINDS: dict[str, Expect] = {
    "ok": Expect("success", None),
    "data-error": Expect("failure", "TAKEN"),
    "data-denied": Expect("denied", "FORBIDDEN"),
    "code-access-denied": Expect("denied", "ACCESS_DENIED"),
    "code-custom": Expect("denied", "not-allowed"),  # the type is the code as the app wrote it
    "code-bad-input": Expect("failure", "BAD_USER_INPUT"),
    "starlette-403": Expect("denied", "HTTPException", on_wire=False),
    "fastapi-401": Expect("denied", "HTTPException", on_wire=False),
    "fastapi-403": Expect("denied", "HTTPException", on_wire=False),
    "flask-abort-403": Expect("denied", "Forbidden", on_wire=False),
    "werkzeug-403": Expect("denied", "Forbidden", on_wire=False),
    "starlette-404": Expect("failure", "HTTPException", on_wire=False),
    "permission": Expect("denied", "PermissionError", on_wire=False),
    "django": Expect("denied", "PermissionDenied", on_wire=False),
    "drf-not-authenticated": Expect("denied", "NotAuthenticated", on_wire=False),
    "custom-class": Expect("denied", "NotAllowed", on_wire=False),
    "plain": Expect("failure", "ValueError", on_wire=False),
}


def act(kind: str, name: str) -> dict[str, Any]:
    """The resolver's behaviour: a payload, or the exception ``kind`` names."""
    if kind == "ok":
        return {"success": True, "errors": [],
                "assetGroup": {"id": f"g-{name}", "name": name}}
    if kind == "data-error":
        return {"success": False, "errors": [{"message": "name taken", "code": "TAKEN"}],
                "assetGroup": None}
    if kind == "data-denied":
        return {"success": False, "errors": [{"message": "not yours", "code": "FORBIDDEN"}],
                "assetGroup": None}
    raise _error(kind)


def _error(kind: str) -> Exception:
    codes = {"code-access-denied": "ACCESS_DENIED", "code-custom": "not-allowed",
             "code-bad-input": "BAD_USER_INPUT"}
    if kind in codes:
        return graphql.GraphQLError(f"refused: {kind}", extensions={"code": codes[kind]})
    if kind == "flask-abort-403":
        import flask

        try:
            flask.abort(403)  # what a Flask resolver does; it raises werkzeug's Forbidden
        except Exception as exc:
            return exc
    errors: dict[str, Exception] = {
        "starlette-403": starlette.exceptions.HTTPException(403),
        "fastapi-401": fastapi.HTTPException(status_code=401, detail="sign in"),
        "fastapi-403": fastapi.HTTPException(status_code=403, detail="not yours"),
        "werkzeug-403": werkzeug.exceptions.Forbidden(),
        "starlette-404": starlette.exceptions.HTTPException(404),
        "permission": PermissionError("admin only"),
        "django": DjangoPermissionDenied("no"),
        "drf-not-authenticated": DrfNotAuthenticated("sign in"),
        "custom-class": NotAllowed("not for you"),
        "plain": ValueError("boom"),
    }
    return errors[kind]


def mutation(kind: str, name: str = "Ops") -> str:
    return (f"mutation {{ createAssetGroup(kind: {json.dumps(kind)}, name: {json.dumps(name)})"
            " { success errors { message code } assetGroup { __typename id name } } }")


# -- graphql-core / Ariadne ------------------------------------------------------------------

SDL = """
type AssetGroup { id: ID!  name: String! }
type PayloadError { message: String!  code: String }
type CreateAssetGroupPayload { success: Boolean!  errors: [PayloadError!]!  assetGroup: AssetGroup }
type Query { ping: String }
type Mutation { createAssetGroup(kind: String!, name: String!): CreateAssetGroupPayload }
"""


def core_schema() -> graphql.GraphQLSchema:
    """Ariadne's executable schema: a plain graphql-core schema too."""
    import ariadne

    mutation_type = ariadne.MutationType()
    mutation_type.set_field("createAssetGroup",
                            lambda _root, _info, kind, name: act(kind, name))
    query = ariadne.QueryType()
    query.set_field("ping", lambda *_: "pong")
    return ariadne.make_executable_schema(SDL, query, mutation_type)


# -- Strawberry ------------------------------------------------------------------------------

@strawberry.type(name="AssetGroup")
class SAssetGroup:
    id: strawberry.ID
    name: str


@strawberry.type(name="PayloadError")
class SPayloadError:
    message: str
    code: str | None


@strawberry.type(name="CreateAssetGroupPayload")
class SCreateAssetGroupPayload:
    success: bool
    errors: list[SPayloadError]
    asset_group: SAssetGroup | None


def _as_payload(data: dict[str, Any]) -> SCreateAssetGroupPayload:
    group = data["assetGroup"]
    return SCreateAssetGroupPayload(
        success=data["success"], errors=[SPayloadError(**e) for e in data["errors"]],
        asset_group=SAssetGroup(**group) if group else None)


@strawberry.type
class SQuery:
    ping: str = "pong"


@strawberry.type
class SMutation:
    @strawberry.mutation
    def create_asset_group(self, kind: str, name: str) -> SCreateAssetGroupPayload | None:
        return _as_payload(act(kind, name))


def strawberry_schema(extensions: list[Any]) -> strawberry.Schema:
    return strawberry.Schema(query=SQuery, mutation=SMutation, extensions=extensions)


# -- Graphene --------------------------------------------------------------------------------

def graphene_schema() -> Any:
    import graphene

    class AssetGroup(graphene.ObjectType):
        id = graphene.ID(required=True)
        name = graphene.String(required=True)

    class PayloadError(graphene.ObjectType):
        message = graphene.String(required=True)
        code = graphene.String()

    class CreateAssetGroupPayload(graphene.ObjectType):
        success = graphene.Boolean(required=True)
        errors = graphene.List(graphene.NonNull(PayloadError), required=True)
        asset_group = graphene.Field(AssetGroup)

    class Query(graphene.ObjectType):
        ping = graphene.String()

    class Mutation(graphene.ObjectType):
        create_asset_group = graphene.Field(CreateAssetGroupPayload,
                                            kind=graphene.String(required=True),
                                            name=graphene.String(required=True))

        def resolve_create_asset_group(root: Any, info: Any, kind: str,
                                       name: str) -> Any:
            data = act(kind, name)
            group = data["assetGroup"]
            return CreateAssetGroupPayload(
                success=data["success"],
                errors=[PayloadError(**e) for e in data["errors"]],
                asset_group=AssetGroup(**group) if group else None)

    return graphene.Schema(query=Query, mutation=Mutation)
