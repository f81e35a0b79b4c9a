"""What every config table shares, and the defaults other tables name."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

CONFIG_ENV = "AUDITMW_CONFIG"
DEFAULT_FILE = "auditmw.toml"
DEFAULT_JSONL = "./auditmw-audit.jsonl"
DEFAULT_STORE = "sqlite:///./auditmw.db"


class Table(BaseModel):
    """A config table: unknown keys fail (with their key path), values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: What one event looks like in a sink (docs/formats.md).
DocumentFormat = Literal["auditmw", "ocsf", "ecs"]
