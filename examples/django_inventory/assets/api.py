"""REST API (Django REST Framework): asset groups as a viewset; deleting is staff-only,
so a signed-in non-staff user gets DRF's 403 (a ``denied`` event)."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions, serializers, viewsets

from assets.models import AssetGroup


class AssetGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssetGroup
        fields = ["id", "name", "description"]


class StaffMayDelete(permissions.BasePermission):
    message = "only staff may delete asset groups"

    def has_permission(self, request: Any, view: Any) -> bool:
        return request.method != "DELETE" or bool(request.user and request.user.is_staff)


class AssetGroupViewSet(viewsets.ModelViewSet):
    queryset = AssetGroup.objects.order_by("id")
    serializer_class = AssetGroupSerializer
    permission_classes = [permissions.IsAuthenticated, StaffMayDelete]

    def perform_create(self, serializer: Any) -> None:
        serializer.save(owner=self.request.user)
