"""graphene-django schema at /graphql: scopes. Deleting is staff-only (Django's
``PermissionDenied`` raised in the resolver: a ``denied`` event)."""

from __future__ import annotations

from typing import Any

import graphene
from django.core.exceptions import PermissionDenied
from graphene_django import DjangoObjectType

from assets.models import Scope


class ScopeType(DjangoObjectType):
    class Meta:
        model = Scope
        fields = ("id", "name")


class Query(graphene.ObjectType):
    scopes = graphene.List(graphene.NonNull(ScopeType), required=True)

    def resolve_scopes(root: Any, info: Any) -> Any:
        return Scope.objects.order_by("id")


class Mutation(graphene.ObjectType):
    create_scope = graphene.Field(ScopeType, name=graphene.String(required=True))
    delete_scope = graphene.Boolean(id=graphene.ID(required=True))

    def resolve_create_scope(root: Any, info: Any, name: str) -> Scope:
        if not info.context.user.is_authenticated:
            raise PermissionDenied("sign in to create scopes")
        return Scope.objects.create(name=name)

    def resolve_delete_scope(root: Any, info: Any, id: str) -> bool:
        if not info.context.user.is_staff:
            raise PermissionDenied("only staff may delete scopes")
        deleted, _ = Scope.objects.filter(pk=id).delete()
        return bool(deleted)


schema = graphene.Schema(query=Query, mutation=Mutation)
