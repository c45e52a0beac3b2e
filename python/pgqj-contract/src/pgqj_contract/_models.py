"""A pydantic model class against a contract: its own JSON Schema (as it dumps, by alias) beside the contract's."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import Violation, json_path, renamed_hint

_ANY = "any"


def compare(model: type, contract: Mapping[str, Any], *, strict: bool) -> list[Violation]:
    produced = model.model_json_schema(by_alias=True, mode="serialization")
    out: list[Violation] = []
    _compare(_Side(produced), produced, _Side(contract), contract, [], out, strict, set())
    return out


class _Side:
    """One schema document: resolves its local $refs ("#", "#/$defs/Name")."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            ref = schema["$ref"]
            target: Any = self.root
            for part in ref.lstrip("#").strip("/").split("/") if ref != "#" else []:
                target = target[part]
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return schema

    def branches(self, schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The alternatives a value may take (anyOf / oneOf flattened), each resolved."""
        schema = self.resolve(schema)
        alternatives = schema.get("anyOf") or schema.get("oneOf")
        if alternatives:
            return [b for a in alternatives for b in self.branches(a)]
        return [schema]

    def types(self, schema: Mapping[str, Any]) -> set[str]:
        found: set[str] = set()
        for b in self.branches(schema):
            if "type" in b:
                found |= set(b["type"] if isinstance(b["type"], list) else [b["type"]])
            elif "enum" in b or "const" in b:
                values = b.get("enum", [b.get("const")])
                found |= {_json_type(v) for v in values}
            else:
                found.add(_ANY)
        return found


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _compare(model: _Side, m: Mapping[str, Any], contract: _Side, c: Mapping[str, Any], path: list,
             out: list[Violation], strict: bool, seen: set) -> None:
    key = (json.dumps(m, sort_keys=True), json.dumps(c, sort_keys=True))
    if key in seen:  # a recursive model and contract: each pair of (unresolved) schemas once
        return
    seen.add(key)
    c_types, m_types = contract.types(c), model.types(m)
    if _ANY in c_types or _ANY in m_types:
        return
    extra = m_types - c_types - ({"integer"} if "number" in c_types else set())
    if "null" in extra:
        out.append(Violation(json_path(path), "the model may write null (None); the contract requires a value"))
    if extra - {"null"}:
        out.append(Violation(json_path(path), f"the model writes {_words(extra - {'null'})}, the contract expects "
                                              f"{_words(c_types)}"))
        return
    c_branch = [b for b in contract.branches(c) if b.get("type") != "null"]
    m_branch = [b for b in model.branches(m) if b.get("type") != "null"]
    if not c_branch or not m_branch:
        return
    cb, mb = c_branch[0], m_branch[0]
    c_enum = [v for b in c_branch for v in b.get("enum", [])]
    m_enum = [v for b in m_branch for v in b.get("enum", [])]
    if c_enum and m_enum:
        unknown = [v for v in m_enum if v not in c_enum]
        if unknown:
            out.append(Violation(json_path(path), f"the model may write {', '.join(map(repr, unknown))}, which the "
                                                  f"contract does not allow (one of {', '.join(map(repr, c_enum))})"))
    if cb.get("format") and mb.get("format") and cb["format"] != mb["format"]:
        out.append(Violation(json_path(path), f"the model writes a {mb['format']}, the contract expects a {cb['format']}"))
    if "properties" in cb and "properties" in mb:
        c_props, m_props = cb["properties"], mb["properties"]
        for name, c_prop in c_props.items():
            if name in m_props:
                _compare(model, m_props[name], contract, c_prop, path + [name], out, strict, seen)
            elif name in cb.get("required", []):
                out.append(Violation(json_path(path + [name]), "required by the contract, missing from the model"
                                     + renamed_hint(name, m_props, c_props).replace("the payload", "the model")))
        if strict:
            for name in m_props:
                if name not in c_props:
                    out.append(Violation(json_path(path + [name]), "not in the contract (the Java side ignores it)"))
    elif "additionalProperties" in cb and isinstance(mb.get("additionalProperties"), Mapping):
        _compare(model, mb["additionalProperties"], contract, cb["additionalProperties"], path + ["*"], out, strict, seen)
    if "items" in cb and isinstance(mb.get("items"), Mapping):
        _compare(model, mb["items"], contract, cb["items"], path + ["*"], out, strict, seen)


def _words(types: set[str]) -> str:
    return " or ".join(sorted(types))
