from __future__ import annotations

from assets import api, views
from assets.schema_strawberry import schema as strawberry_schema
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView as GrapheneView
from rest_framework.routers import DefaultRouter
from strawberry.django.views import AsyncGraphQLView, GraphQLView

router = DefaultRouter()
router.register("asset-groups", api.AssetGroupViewSet, basename="assetgroup")

# The GraphQL views are CSRF-exempt to keep the example short: a real project would
# rather keep the check (or accept tokens only) for cookie-authenticated requests.
urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("hijack/", include("hijack.urls")),
    path("api/", include(router.urls)),
    path("api/assets/<int:pk>/resync", views.resync_asset, name="asset-resync"),
    path("api/scopes/<int:pk>/delete", views.delete_scope, name="scope-delete"),
    path("graphql", csrf_exempt(GrapheneView.as_view())),
    path("graphql/strawberry", csrf_exempt(GraphQLView.as_view(schema=strawberry_schema))),
    path("graphql/async", csrf_exempt(AsyncGraphQLView.as_view(schema=strawberry_schema))),
]

if getattr(settings, "AUDIT", "") == "settings":
    # The audit pages in the URLconf (under `auditmw run` server.mount serves them).
    urlpatterns.append(path("audit/", include("auditmw_django.urls")))
