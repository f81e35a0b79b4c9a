"""Plain Django views: a sync one (resync an asset) and an async one (delete a scope),
both refusing with Django's ``PermissionDenied``."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from assets.models import Asset, AssetGroup, Scope


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"groups": AssetGroup.objects.order_by("id")[:20],
                                         "scopes": Scope.objects.order_by("id")[:20]})


def _token_user(request: HttpRequest) -> None:
    """Let ``Authorization: Token ...`` sign in plain views too (as DRF does)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Token ") and not request.user.is_authenticated:
        from rest_framework.authtoken.models import Token

        token = Token.objects.select_related("user").filter(key=header[6:].strip()).first()
        if token is not None:
            request.user = token.user


@csrf_exempt
@require_POST
def resync_asset(request: HttpRequest, pk: int) -> HttpResponse:
    _token_user(request)
    if not request.user.is_authenticated:
        raise PermissionDenied("sign in to resync assets")
    asset = get_object_or_404(Asset, pk=pk)
    asset.resynced += 1
    asset.save(update_fields=["resynced"])
    return JsonResponse({"id": asset.pk, "resynced": asset.resynced})


async def delete_scope(request: HttpRequest, pk: int) -> HttpResponse:
    # (Django 4.2's view decorators are sync-only: checks by hand keep the view async)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    await sync_to_async(_token_user)(request)
    is_staff = await sync_to_async(lambda: bool(request.user.is_staff))()
    if not is_staff:
        raise PermissionDenied("only staff may delete scopes")
    deleted, _ = await Scope.objects.filter(pk=pk).adelete()
    if not deleted:
        return JsonResponse({"error": "no such scope"}, status=404)
    return JsonResponse({"id": pk, "deleted": True})


delete_scope.csrf_exempt = True  # type: ignore[attr-defined]
