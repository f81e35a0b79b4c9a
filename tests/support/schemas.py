"""Validators built from the published OCSF and ECS schema data shipped in tests/data.

- OCSF: the schema's own definition files (tests/data/ocsf-1.8.0, copied unchanged from
  github.com/ocsf/ocsf-schema at tag 1.8.0, Apache-2.0) are compiled here into a JSON
  Schema for one event class, the way the OCSF server's JSON Schema export does: the
  class inherits its parents' attributes and its profiles' attributes, each attribute's
  type comes from the dictionary, objects inherit from the object they extend, required
  attributes are required, ``at_least_one``/``just_one`` constraints hold, integer enums
  are closed, and no attribute outside the schema may appear (those belong in
  ``unmapped``).
- ECS: tests/data/ecs-9.4.0/ecs_fields.json holds, for every field of ECS 9.4.0's
  generated/ecs/ecs_flat.yml (github.com/elastic/ecs, Apache-2.0), its type, whether it
  must be an array and its allowed values. :func:`ecs_problems` checks a document
  against it; fields under the custom ``auditmw.`` namespace are ours and not checked.
"""

from __future__ import annotations

import ipaddress
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

DATA = Path(__file__).resolve().parent.parent / "data"
OCSF = DATA / "ocsf-1.8.0"
ECS = DATA / "ecs-9.4.0" / "ecs_fields.json"

_SCALARS = {"string_t": "string", "integer_t": "integer", "long_t": "integer",
            "float_t": "number", "boolean_t": "boolean"}


def _load(relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((OCSF / relative).read_text("utf-8"))
    return data


class _OcsfCompiler:
    def __init__(self) -> None:
        dictionary = _load("dictionary.json")
        self.dictionary: dict[str, Any] = dictionary["attributes"]
        self.types: dict[str, Any] = dictionary["types"]["attributes"]
        self.objects: dict[str, dict[str, Any]] = {}
        for path in (OCSF / "objects").glob("*.json"):
            found = json.loads(path.read_text("utf-8"))
            self.objects[found["name"]] = found
        self.defs: dict[str, Any] = {}

    def _own_attributes(self, definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
        attributes = dict(definition.get("attributes", {}))
        includes = attributes.pop("$include", [])
        merged: dict[str, dict[str, Any]] = {}
        for include in [includes] if isinstance(includes, str) else includes:
            for name, spec in self._own_attributes(_load(include)).items():
                # A profile's attributes are optional unless the class says otherwise.
                merged[name] = {**spec, "requirement": "optional"}
        for name, spec in attributes.items():
            merged[name] = _merge(merged.get(name, {}), spec)
        return merged

    def _object_attributes(self, name: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        definition = self.objects[name]
        parent = definition.get("extends")
        attributes: dict[str, dict[str, Any]] = {}
        constraints: dict[str, Any] = {}
        if parent and parent != "object":
            attributes, constraints = self._object_attributes(parent)
        for attr, spec in self._own_attributes(definition).items():
            attributes[attr] = _merge(attributes.get(attr, {}), spec)
        return attributes, definition.get("constraints") or constraints

    def _scalar(self, type_name: str) -> dict[str, Any]:
        schema: dict[str, Any] = {}
        current = type_name
        while current not in _SCALARS and current in self.types:
            spec = self.types[current]
            if spec.get("regex") and "pattern" not in schema:
                schema["pattern"] = spec["regex"]
            if spec.get("max_len"):
                schema.setdefault("maxLength", spec["max_len"])
            if spec.get("range"):
                schema["minimum"], schema["maximum"] = spec["range"]
            current = spec.get("type") or current
            if current == type_name:
                break
        if current in _SCALARS:
            schema["type"] = _SCALARS[current]
        # json_t: any JSON value; object_t / "object": any object.
        return schema

    def attribute_schema(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        entry = {**self.dictionary.get(name, {}), **{k: v for k, v in spec.items() if v}}
        type_name = entry.get("type", "string_t")
        if type_name in ("object", "object_t"):  # the generic object: any members
            schema: dict[str, Any] = {"type": "object"}
        elif type_name in self.objects:
            self.object_schema(type_name)
            schema = {"$ref": f"#/$defs/{type_name}"}
        else:
            schema = self._scalar(type_name)
        enum = {**self.dictionary.get(name, {}).get("enum", {}), **spec.get("enum", {})}
        if enum and schema.get("type") == "integer":
            schema["enum"] = sorted(int(value) for value in enum)
        if entry.get("is_array"):
            schema = {"type": "array", "items": schema}
        return schema

    def _compose(self, attributes: dict[str, dict[str, Any]],
                 constraints: dict[str, Any]) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {n: self.attribute_schema(n, s) for n, s in attributes.items()},
            "required": sorted(n for n, s in attributes.items()
                               if s.get("requirement") == "required"),
            "additionalProperties": False,
        }
        if constraints.get("at_least_one"):
            schema["anyOf"] = [{"required": [n]} for n in constraints["at_least_one"]]
        if constraints.get("just_one"):
            schema["oneOf"] = [{"required": [n]} for n in constraints["just_one"]]
        return schema

    def object_schema(self, name: str) -> None:
        if name in self.defs:
            return
        self.defs[name] = {}  # placeholder: objects refer to themselves (process.parent)
        attributes, constraints = self._object_attributes(name)
        self.defs[name] = self._compose(attributes, constraints)

    def class_schema(self, paths: list[str]) -> dict[str, Any]:
        attributes: dict[str, dict[str, Any]] = {}
        for path in paths:  # base first, the class last
            for name, spec in self._own_attributes(_load(path)).items():
                attributes[name] = _merge(attributes.get(name, {}), spec)
        schema = self._compose(attributes, {})
        schema["$defs"] = self.defs
        return schema


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """A child's attribute settings over its parent's; enum values are added together."""
    merged = {**base, **{k: v for k, v in override.items() if v is not None}}
    if "enum" in base or "enum" in override:
        merged["enum"] = {**base.get("enum", {}), **override.get("enum", {})}
    return merged


@cache
def ocsf_api_activity_validator() -> jsonschema.Draft202012Validator:
    schema = _OcsfCompiler().class_schema([
        "events/base_event.json", "events/application/application.json",
        "events/application/api_activity.json"])
    categories = _load("categories.json")["attributes"]
    category_uid = categories["application"]["uid"]
    class_uid = category_uid * 1000 + _load("events/application/api_activity.json")["uid"]
    activities = schema["properties"]["activity_id"]["enum"]
    # The classification rules OCSF states in prose: fixed class/category, and
    # type_uid = class_uid * 100 + activity_id.
    schema["properties"]["class_uid"] = {"const": class_uid}
    schema["properties"]["category_uid"] = {"const": category_uid}
    schema["properties"]["type_uid"] = {"enum": [class_uid * 100 + a for a in activities]}
    return jsonschema.Draft202012Validator(schema)


def ocsf_version() -> str:
    return str(_load("version.json")["version"])


def ocsf_problems(document: dict[str, Any]) -> list[str]:
    validator = ocsf_api_activity_validator()
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in validator.iter_errors(document)]
    if document.get("type_uid") != document.get("class_uid", 0) * 100 + document.get(
            "activity_id", -1):
        problems.append("type_uid is not class_uid * 100 + activity_id")
    return problems


# -- ECS ----------------------------------------------------------------------------------

@cache
def ecs_fields() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ECS.read_text("utf-8"))
    return data


def _leaves(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        fields = ecs_fields()["fields"]
        if prefix and fields.get(prefix, {}).get("type") in ("object", "flattened", "nested"):
            return [(prefix, value)]
        out: list[tuple[str, Any]] = []
        for key, inner in value.items():
            out.extend(_leaves(inner, f"{prefix}.{key}" if prefix else key))
        return out
    return [(prefix, value)]


def _type_ok(ecs_type: str, value: Any) -> bool:
    if value is None:
        return True
    if ecs_type in ("keyword", "wildcard", "constant_keyword", "match_only_text", "text"):
        return isinstance(value, str)
    if ecs_type in ("long", "integer"):
        return isinstance(value, int) and not isinstance(value, bool)
    if ecs_type in ("float", "double", "scaled_float"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if ecs_type == "boolean":
        return isinstance(value, bool)
    if ecs_type == "date":
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return False
        return isinstance(value, str)
    if ecs_type == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
    return isinstance(value, dict) if ecs_type in ("object", "flattened", "nested") else True


def ecs_problems(document: dict[str, Any]) -> list[str]:
    data = ecs_fields()
    fields = data["fields"]
    problems: list[str] = []
    for path, value in _leaves(document):
        if path == "auditmw" or path.startswith("auditmw."):
            continue
        spec = fields.get(path)
        if spec is None:
            problems.append(f"{path}: not an ECS {data['ecs_version']} field")
            continue
        values = value if isinstance(value, list) else [value]
        if "array" in spec.get("normalize", []) and not isinstance(value, list):
            problems.append(f"{path}: ECS says this field is always an array")
        for item in values:
            if not _type_ok(spec["type"], item):
                problems.append(f"{path}: {item!r} is not an ECS {spec['type']}")
            if spec.get("allowed_values") and item not in spec["allowed_values"]:
                problems.append(f"{path}: {item!r} is not one of {spec['allowed_values']}")
            if spec.get("pattern") and not re.fullmatch(spec["pattern"], str(item)):
                problems.append(f"{path}: {item!r} does not match {spec['pattern']}")
    event = document.get("event", {})
    for category in event.get("category", []):
        expected = data["expected_event_types"].get(category, [])
        for kind in event.get("type", []):
            if expected and kind not in expected:
                problems.append(f"event.type {kind!r} is not expected with category "
                                f"{category!r}")
    if "@timestamp" not in document:
        problems.append("@timestamp: missing (ECS requires it)")
    if "ecs" not in document or "version" not in document["ecs"]:
        problems.append("ecs.version: missing (ECS requires it)")
    return problems
