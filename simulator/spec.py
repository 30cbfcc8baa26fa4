"""Load the official Bot API spec and coerce/validate request parameters against it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

_INT_RE = re.compile(r"^[+-]?\d+$")
_MUST_BE_RE = re.compile(r'must (?:be|always be) "?\*?([a-z_]+)\*?"?')


class ApiError(Exception):
    """An error answered to the bot as ``{"ok": false, ...}``."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str


@dataclass
class MethodSpec:
    name: str
    fields: list[dict[str, Any]]
    returns: list[str]
    by_name: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Mismatch(Exception):
    pass


class Spec:
    """The Bot API as described by ``simulator/spec/api.min.json``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data.get("version", "")
        self.types: dict[str, dict[str, Any]] = data["types"]
        self.methods: dict[str, MethodSpec] = {}
        for name, raw in data["methods"].items():
            fields = raw.get("fields", [])
            spec = MethodSpec(name, fields, raw.get("returns", []))
            spec.by_name = {f["name"]: f for f in fields}
            self.methods[name.lower()] = spec

    @classmethod
    def load(cls) -> Spec:
        ref = resources.files("simulator") / "spec" / "api.min.json"
        return cls(json.loads(ref.read_text(encoding="utf-8")))

    def resolve(self, name: str) -> MethodSpec | None:
        return self.methods.get(name.lower())

    def coerce(
        self, method: MethodSpec, raw: dict[str, Any], files: dict[str, UploadedFile]
    ) -> dict[str, Any]:
        """Return typed params; raise ``ApiError`` 400 naming the offending parameter."""
        out: dict[str, Any] = {}
        for f in method.fields:
            name = f["name"]
            if name not in raw or raw[name] is None:
                if name in files and "InputFile" in f["types"]:
                    out[name] = files[name]
                elif f["required"]:
                    raise bad_request(f'parameter "{name}" is required')
                continue
            value = raw[name]
            try:
                out[name] = self._coerce_any(f["types"], value, files, from_text=True)
            except _Mismatch as exc:
                expected = " or ".join(f["types"])
                detail = exc.args[0] if exc.args else ""
                raise bad_request(
                    f'invalid parameter "{name}": expected {expected}{detail}'
                ) from None
        return out

    # -- value coercion -------------------------------------------------
    def _coerce_any(
        self, types: list[str], value: Any, files: dict[str, UploadedFile], from_text: bool
    ) -> Any:
        for t in types:
            try:
                return self._coerce_one(t, value, files, from_text)
            except _Mismatch:
                continue
        raise _Mismatch()

    def _coerce_one(
        self, t: str, value: Any, files: dict[str, UploadedFile], from_text: bool
    ) -> Any:
        if t == "Integer":
            if isinstance(value, bool):
                raise _Mismatch()
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str) and _INT_RE.match(value.strip()):
                return int(value.strip())
            raise _Mismatch()
        if t == "Float":
            if isinstance(value, bool):
                raise _Mismatch()
            if isinstance(value, int | float):
                return float(value)
            if isinstance(value, str):
                try:
                    return float(value)
                except ValueError:
                    raise _Mismatch() from None
            raise _Mismatch()
        if t in ("Boolean", "True"):
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
                return value.lower() in ("true", "1")
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise _Mismatch()
        if t == "String":
            if isinstance(value, str):
                if value.startswith("attach://"):
                    raise _Mismatch()
                return value
            if isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)
            raise _Mismatch()
        if t == "InputFile":
            if isinstance(value, UploadedFile):
                return value
            if isinstance(value, str) and value.startswith("attach://"):
                part = files.get(value[len("attach://") :])
                if part is None:
                    raise _Mismatch(f" (file part {value!r} is missing)")
                return part
            raise _Mismatch()
        if t.startswith("Array of "):
            inner = t[len("Array of ") :]
            if from_text and isinstance(value, str):
                value = _parse_json(value)
            if not isinstance(value, list):
                raise _Mismatch()
            return [self._coerce_one(inner, v, files, from_text=False) for v in value]
        if t in self.types:
            if from_text and isinstance(value, str):
                value = _parse_json(value)
            return self._coerce_object(t, value, files)
        raise _Mismatch()

    def _coerce_object(self, t: str, value: Any, files: dict[str, UploadedFile]) -> Any:
        spec = self.types[t]
        subtypes = spec.get("subtypes")
        if subtypes:
            return self._coerce_any(subtypes, value, files, from_text=False)
        if not isinstance(value, dict):
            raise _Mismatch()
        out = dict(value)
        for f in spec.get("fields", []):
            name = f["name"]
            if name not in value:
                if f["required"]:
                    raise _Mismatch(f' (field "{name}" of {t} is required)')
                continue
            if name in ("type", "source", "status") and isinstance(value[name], str):
                m = _MUST_BE_RE.search(f.get("description", ""))
                if m and value[name] != m.group(1):
                    raise _Mismatch()
            try:
                out[name] = self._coerce_any(f["types"], value[name], files, from_text=False)
            except _Mismatch:
                raise _Mismatch(f' (field "{name}" of {t} has a wrong type)') from None
        return out


def _parse_json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise _Mismatch(" (can't parse JSON)") from None
