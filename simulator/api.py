"""HTTP layer of the Bot API: ``/bot{token}/{method}`` and ``/file/bot{token}/{path}``."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from typing import Any

from aiohttp import BodyPartReader, web

import simulator.methods_bot  # noqa: F401  (registers the bot/updates handlers)
from simulator.limits import Fault
from simulator.methods import HANDLERS
from simulator.spec import ApiError, MethodSpec, Spec, UploadedFile, bad_request
from simulator.state import World

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")


def error_response(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status)


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Merge query string and body (urlencoded, multipart or JSON) into raw params."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, files
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON body must be an object")
        params.update(body)
    elif ctype.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            if part.filename is not None:
                content = await part.read()
                mime = part.headers.get("Content-Type", "application/octet-stream")
                files[name] = UploadedFile(part.filename, bytes(content), mime)
            else:
                params[name] = await part.text()
    else:
        params.update(await request.post())
    return params, files


def describe(params: dict[str, Any]) -> dict[str, Any]:
    """JSON-able copy of params for the call log (file contents summarised)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, UploadedFile):
            out[key] = {"file_name": value.filename, "size": len(value.content)}
        else:
            out[key] = value
    return out


class BotApi:
    def __init__(self, world: World, spec: Spec) -> None:
        self.world = world
        self.spec = spec

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self.handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)

    async def handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not TOKEN_RE.match(token):
            return error_response(UNAUTHORIZED)
        name = request.match_info["method"]
        spec = self.spec.resolve(name)
        entry: dict[str, Any] = {
            "bot_id": int(token.split(":")[0]),
            "method": spec.name if spec else name,
            "time": time.time(),
            "params": {},
        }
        try:
            raw, files = await read_params(request)
            entry["params"] = describe({**raw, **files})
            if spec is None:
                raise NOT_FOUND
            status, body = await self.execute(token, spec, raw, files)
        except ApiError as exc:
            status, body = exc.status, exc.body()
        entry.update(status=status, ok=body.get("ok", False), description=body.get("description"))
        self.world.record_call(entry)
        return web.json_response(body, status=status)

    async def execute(
        self,
        token: str,
        spec: MethodSpec,
        raw: dict[str, Any],
        files: dict[str, UploadedFile],
    ) -> tuple[int, dict[str, Any]]:
        """Run one validated call; returns (HTTP status, body)."""
        bot = self.world.bot(token)
        fault = self.world.faults.take(spec.name, raw.get("chat_id"))
        if fault is not None:
            raise await self.fault_error(fault)
        params = self.spec.coerce(spec, raw, files)
        handler = HANDLERS.get(spec.name.lower())
        if handler is None:
            if spec.returns in (["Boolean"], ["True"]):
                return 200, {"ok": True, "result": True}
            raise bad_request("method not supported by the emulator")
        result = await handler(bot, params)
        return 200, {"ok": True, "result": result}

    async def fault_error(self, fault: Fault) -> ApiError:
        if fault.kind == "429":
            return ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        if fault.kind == "blocked":
            return ApiError(403, "Forbidden: bot was blocked by the user")
        if fault.kind == "timeout":
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.world.closing.wait(), fault.hang_seconds)
            return ApiError(504, "Gateway Timeout")
        return ApiError(fault.status, "Internal Server Error")

    async def download(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not TOKEN_RE.match(token):
            return error_response(UNAUTHORIZED)
        path = request.match_info["path"]
        for file in self.world.bot(token).files.values():
            if file.file_path == path:
                return web.Response(
                    body=file.content, content_type=file.mime_type or "application/octet-stream"
                )
        return error_response(NOT_FOUND)
