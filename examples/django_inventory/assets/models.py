from __future__ import annotations

from django.conf import settings
from django.db import models


class Scope(models.Model):
    name = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.name


class AssetGroup(models.Model):
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return self.name


class Asset(models.Model):
    name = models.CharField(max_length=100)
    ip = models.GenericIPAddressField(null=True, blank=True)
    group = models.ForeignKey(AssetGroup, null=True, blank=True, on_delete=models.SET_NULL)
    scope = models.ForeignKey(Scope, null=True, blank=True, on_delete=models.SET_NULL)
    resynced = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
