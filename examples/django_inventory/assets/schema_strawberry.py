"""strawberry-django schema at /graphql/strawberry (sync view) and /graphql/async (async
view): asset groups. ``strawberry_django.mutation`` runs the resolvers where Django's
ORM may run (a worker thread under the async view)."""

from __future__ import annotations

import strawberry
import strawberry_django
from django.core.exceptions import PermissionDenied
from strawberry.types import Info
from strawberry_django.optimizer import DjangoOptimizerExtension

from assets.models import AssetGroup


@strawberry_django.type(AssetGroup)
class AssetGroupType:
    id: strawberry.auto
    name: strawberry.auto
    description: strawberry.auto


@strawberry.type
class Query:
    asset_groups: list[AssetGroupType] = strawberry_django.field()


@strawberry.type
class Mutation:
    @strawberry_django.mutation
    def create_asset_group(self, info: Info, name: str, description: str = "") -> AssetGroupType:
        user = info.context.request.user
        if not user.is_authenticated:
            raise PermissionDenied("sign in to create asset groups")
        return AssetGroup.objects.create(  # type: ignore[return-value]
            name=name, description=description, owner=user)

    @strawberry_django.mutation
    def delete_asset_group(self, info: Info, id: strawberry.ID) -> bool:
        if not info.context.request.user.is_staff:
            raise PermissionDenied("only staff may delete asset groups")
        deleted, _ = AssetGroup.objects.filter(pk=id).delete()
        return bool(deleted)


schema = strawberry.Schema(query=Query, mutation=Mutation,
                           extensions=[DjangoOptimizerExtension])
