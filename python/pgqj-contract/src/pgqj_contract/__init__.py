"""Check pgqueuer payloads made in Python against the contracts of the Java side's @Entrypoint records.

pgqueuer-jooq exports one JSON Schema (draft 2020-12) per entrypoint, ``<entrypoint>.schema.json``; the Java worker
checks every payload against the same rules before it decodes it. This package runs those schemas on the Python
side: on payloads (bytes, str, dict or a pydantic model instance) and on pydantic model classes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

__all__ = ["Contracts", "ContractError", "Violation"]

SUFFIX = ".schema.json"

# What a value must be, as the Java side words it (keyed by the schema's "format").
_EXPECTED_FORMAT = {
    "date-time": "an ISO-8601 date-time with an offset (2026-01-31T12:00:00Z)",
    "date": "an ISO-8601 date (2026-01-31)",
    "uuid": "a UUID string (8-4-4-4-12 hex digits)",
}
_EXPECTED_TYPE = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
    "null": "null",
}


@dataclass(frozen=True)
class Violation:
    """One way a payload (or a model) breaks a contract: where, as a JSONPath (``$.tags[2]``), and what."""

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class ContractError(ValueError):
    """A payload or a model breaks its entrypoint's contract; ``violations`` names every field."""

    def __init__(self, entrypoint: str, java_type: str, violations: list[Violation], what: str = "payload") -> None:
        self.entrypoint = entrypoint
        self.java_type = java_type
        self.violations = violations
        super().__init__(f"{what} of entrypoint '{entrypoint}' breaks its contract ({java_type}): "
                         + "; ".join(str(v) for v in violations))


class Contracts:
    """The contracts of a directory of ``*.schema.json`` files, keyed by entrypoint."""

    def __init__(self, schemas: Mapping[str, Mapping[str, Any]]) -> None:
        self._schemas = dict(schemas)
        self._validators = {}
        for entrypoint, schema in self._schemas.items():
            Draft202012Validator.check_schema(schema)
            self._validators[entrypoint] = Draft202012Validator(
                schema, format_checker=Draft202012Validator.FORMAT_CHECKER)

    @classmethod
    def load(cls, directory: str | Path) -> Contracts:
        """Every ``<entrypoint>.schema.json`` in ``directory`` (the entrypoint is the schema's ``x-pgqj-entrypoint``)."""
        directory = Path(directory)
        files = sorted(directory.glob("*" + SUFFIX))
        if not files:
            raise FileNotFoundError(f"no *{SUFFIX} files in {directory}: export them with `pgqj contract export "
                                    f"--dir {directory} <package>` on the Java side")
        schemas = {}
        for file in files:
            schema = json.loads(file.read_text(encoding="utf-8"))
            schemas[schema.get("x-pgqj-entrypoint", file.name[: -len(SUFFIX)])] = schema
        return cls(schemas)

    @property
    def entrypoints(self) -> list[str]:
        """The entrypoints with a contract, sorted."""
        return sorted(self._schemas)

    def covers(self, entrypoint: str) -> bool:
        """Whether ``entrypoint`` has a contract (a Java record); others are the Python side's own."""
        return entrypoint in self._schemas

    def schema(self, entrypoint: str) -> dict[str, Any]:
        """The JSON Schema of ``entrypoint``."""
        try:
            return self._schemas[entrypoint]
        except KeyError:
            raise KeyError(f"no contract for entrypoint '{entrypoint}' (have: {', '.join(self.entrypoints)}); "
                           "export the Java side's schemas again, or check the name") from None

    def violations(self, entrypoint: str, payload: Any) -> list[Violation]:
        """Every way ``payload`` (bytes, str, a JSON value, or a pydantic model instance) breaks the contract."""
        self.schema(entrypoint)  # a KeyError naming the known entrypoints for an unknown one
        try:
            value = _as_json(payload)
        except ValueError as e:
            return [Violation("$", f"not JSON: {e}")]
        out: list[Violation] = []
        for error in self._validators[entrypoint].iter_errors(value):
            _describe(error, out)
        return _unique(out)

    def validate(self, entrypoint: str, payload: Any) -> None:
        """Raises ContractError naming every field of ``payload`` that breaks the contract of ``entrypoint``."""
        found = self.violations(entrypoint, payload)
        if found:
            raise ContractError(entrypoint, self.schema(entrypoint).get("x-pgqj-java-type", "?"), found)

    def validate_jobs(self, entrypoints: Iterable[str], payloads: Iterable[Any]) -> None:
        """As ``validate`` for each job of a batch (``Queries.enqueue``'s lists); entrypoints without a contract pass."""
        for entrypoint, payload in zip(entrypoints, payloads, strict=True):
            if self.covers(entrypoint):
                self.validate(entrypoint, payload)

    def model_violations(self, entrypoint: str, model: type, *, strict: bool = False) -> list[Violation]:
        """How the JSON a pydantic model class writes differs from the contract (see ``check_model``)."""
        from ._models import compare

        return compare(model, self.schema(entrypoint), strict=strict)

    def check_model(self, entrypoint: str, model: type, *, strict: bool = False) -> None:
        """Raises ContractError when the pydantic model class, as it dumps to JSON (by alias), cannot meet the contract.

        It compares the model's own JSON Schema with the contract, so it needs no sample data: a field the contract
        requires and the model lacks (a rename), a type the contract does not take, None where a value is required, an
        enum value the Java enum does not have. With ``strict`` a model field the contract does not know is one too
        (Java ignores such a field, so by default it is allowed: a producer may add one before the consumers know it).
        """
        found = self.model_violations(entrypoint, model, strict=strict)
        if found:
            raise ContractError(entrypoint, self.schema(entrypoint).get("x-pgqj-java-type", "?"), found,
                                what=f"model {model.__module__}.{model.__qualname__}")


def _as_json(payload: Any) -> Any:
    if hasattr(payload, "model_dump"):  # a pydantic model instance: what model_dump_json would write
        return payload.model_dump(mode="json", by_alias=True)
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return json.loads(bytes(payload).decode("utf-8"))
    if isinstance(payload, str):
        return json.loads(payload)
    return payload


def json_path(parts: Iterable[Any]) -> str:
    """``$.a.b[2]``, and ``$['a b']`` for a key that is not a plain name (as the Java side writes paths)."""
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            path += "." + part
        else:
            path += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return path


def describe(value: Any) -> str:
    """A JSON value as the messages show it: the string "42a", the number 1.5, null, an object."""
    if isinstance(value, str):
        return "the string " + json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {json.dumps(value)}"
    if value is None:
        return "null"
    return "an array" if isinstance(value, list) else "an object"


def loose(name: str) -> str:
    """A name without case, underscores and dashes: articleId and article_id meet here."""
    return name.replace("_", "").replace("-", "").lower()


def renamed_hint(missing: str, present: Iterable[str], known: Iterable[str]) -> str:
    """`` (the payload has 'articleId': renamed?)`` when a key not in the contract is ``missing`` spelled another way."""
    known = set(known)
    like = [f"'{k}'" for k in present if k not in known and loose(k) == loose(missing)]
    return f" (the payload has {', '.join(like)}: renamed?)" if like else ""


def _expected(schema: Mapping[str, Any]) -> str:
    types = schema.get("type")
    if types == ["number", "string"]:
        return "a decimal number (a JSON number or a numeric string)"
    if "format" in schema and schema["format"] in _EXPECTED_FORMAT:
        return _EXPECTED_FORMAT[schema["format"]]
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    if schema.get("maxLength") == 1 and schema.get("minLength") == 1:
        return "a string of one character"
    if "pattern" in schema:
        return f"a string matching {schema['pattern']}"
    if isinstance(types, str):
        return _EXPECTED_TYPE.get(types, types)
    return " or ".join(_EXPECTED_TYPE.get(t, t) for t in types or ["a value"])


def _describe(error: ValidationError, out: list[Violation]) -> None:
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, Mapping) else {}
        known = list(schema.get("properties", {}))
        for name in error.validator_value:
            if name not in instance:
                out.append(Violation(json_path(path + [name]),
                                     "required, missing" + renamed_hint(name, instance, known)))
        return
    if error.validator == "anyOf" and error.context:
        # a nullable value (anyOf [X, null]) that is not null: report what X says
        branches = [e for e in error.context if schema["anyOf"][e.schema_path[0]] != {"type": "null"}]
        for sub in branches or error.context:
            _describe(sub, out)
        return
    if error.validator in ("minimum", "maximum"):
        problem = (f"expected {_expected(schema)} between {schema.get('minimum')} and {schema.get('maximum')}, "
                   f"got {describe(error.instance)}")
    elif error.validator in ("type", "pattern", "format", "enum", "minLength", "maxLength"):
        problem = f"expected {_expected(schema)}, got {describe(error.instance)}"
    else:
        problem = error.message
    out.append(Violation(json_path(path), problem))


def _unique(violations: list[Violation]) -> list[Violation]:
    seen = set()
    return [v for v in violations if not (v in seen or seen.add(v))]
