"""``[store]`` and ``[server]``: the queryable store, its retention, and the audit server."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from auditmw.config.base import DEFAULT_STORE, Table


class TenantRetentionConfig(Table):
    default: int | None = Field(default=None, ge=1)
    categories: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)


class RetentionConfig(Table):
    """``store.retention`` (docs/tenants.md): days per category and tenant."""

    default: int | None = Field(default=None, ge=1)
    categories: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    tenants: dict[str, TenantRetentionConfig] = Field(default_factory=dict)


class StoreConfig(Table):
    enabled: bool = True
    url: str = DEFAULT_STORE
    retention_days: int = Field(default=365, ge=1)  # the old form of retention.default
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    purge_interval_s: float = Field(default=3600.0, gt=0)
    #: The most events the store lane writes in one transaction (its own, not
    #: ``delivery.batch_size``): a store write ends in a durable commit, whose cost is per
    #: batch, so when events queue up the store takes them in bigger batches than a
    #: network sink would want. Under light load ``delivery.flush_interval_s`` decides.
    batch_size: int = Field(default=5_000, ge=1)

    @model_validator(mode="after")
    def _one_default(self) -> StoreConfig:
        default = self.retention.default
        if (default is not None and "retention_days" in self.model_fields_set
                and default != self.retention_days):
            raise ValueError("retention.default and retention_days both set, to different "
                             "days: keep retention.default (retention_days is its old name)")
        return self

    def retention_policy(self) -> Any:
        """The :class:`auditmw.store.retention.RetentionPolicy` these settings give."""
        from auditmw.store.retention import RetentionPolicy

        rule = self.retention.model_dump()
        rule["default"] = rule["default"] or self.retention_days
        return RetentionPolicy.of(rule)

    @field_validator("url")
    @classmethod
    def _scheme(cls, url: str) -> str:
        if not re.match(r"^(sqlite:///|postgres(ql)?://)", url):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return url


class ServerConfig(Table):
    prefix: str = "/audit"
    mount: bool = False
    edition: Literal["enterprise", "platform"] = "enterprise"
    max_export_days: int = Field(default=366, ge=1)
    host: str = "127.0.0.1"
    port: int = Field(default=9001, ge=0, le=65535)
    keys_pepper: str = ""  # HMAC key for access-key hashes, kept outside the database
    host_auth: bool = False  # mounted: the host app's signed-in user may read (docs/page.md)

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, prefix: str) -> str:
        if prefix and not prefix.startswith("/"):
            raise ValueError("must be empty or start with '/'")
        return prefix.rstrip("/")
