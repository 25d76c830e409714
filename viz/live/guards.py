"""The local server's guards, as ASGI middleware in front of the app (Jupyter server's checks, smaller).

Every request must name the bound address in its Host header (against DNS rebinding) and carry
the token (``?token=`` or the ``X-Chainrule-Token`` header, compared in constant time); a request
that changes state must come from the page's own Origin; a body over ``MAX_BODY`` bytes gets 413.
"""
from __future__ import annotations

import hmac
import json
from urllib.parse import parse_qs

MAX_BODY = 1_000_000  # bytes
TOKEN_HEADER = b"x-chainrule-token"
SAFE_METHODS = {"GET", "HEAD"}


def listen_address(host: object) -> str:
    """``host`` as the address to listen on: a non-empty str (an empty one, as an unset shell variable gives,
    would listen on every interface: ValueError)."""
    if not isinstance(host, str):
        raise TypeError(f"host must be a host name or address (a str), got {type(host).__name__}: {host!r:.40}")
    if not host.strip():
        raise ValueError(f"host must be a host name or address such as 127.0.0.1 (0.0.0.0 for every interface), "
                         f"got {host!r:.40}: empty, it would listen on every interface")
    return host.strip()


def loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host headers that name the server: the bound address (and its loopback aliases) with the port."""
    names = {"127.0.0.1", "localhost", "[::1]"} if loopback(host) else {f"[{host}]" if ":" in host else host}
    return {f"{name}:{port}" for name in names}


async def _answer(send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class Guards:
    """Wraps an ASGI app: refuses foreign Hosts and Origins, missing or wrong tokens and large bodies."""

    def __init__(self, app, token: str, hosts: set[str]) -> None:
        self.app, self.token, self.hosts = app, token.encode("utf-8"), hosts
        self.origins = {f"http://{host}" for host in hosts}

    def _refusal(self, scope) -> tuple[int, str] | None:
        headers = dict(scope["headers"])
        host = headers.get(b"host", b"").decode("latin-1")
        if host not in self.hosts:
            return 403, f"the Host header must name this server ({', '.join(sorted(self.hosts))})"
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = headers.get(TOKEN_HEADER) or (query.get("token") or [""])[0].encode("utf-8")
        if not hmac.compare_digest(given, self.token):
            return 403, "a missing or wrong token: open the URL the playground printed"
        if scope["method"] not in SAFE_METHODS:
            origin = headers.get(b"origin", b"").decode("latin-1")
            if origin not in self.origins:
                return 403, "a request that changes the session must come from the playground's own page (Origin)"
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or len(length) > len(str(MAX_BODY)) or int(length) > MAX_BODY:  # no huge int()
            return 413, f"the request body is over {MAX_BODY:,} bytes"
        return None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal:
            await _answer(send, *refusal)
            return
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body, more = bytearray(), True  # grows in place: a body in many small pieces costs linear time
        while more:  # a chunked body has no Content-Length: count what arrives
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                await _answer(send, 413, f"the request body is over {MAX_BODY:,} bytes")
                return

        delivered = False

        async def replay():  # the body once, then whatever the client sends (its disconnect)
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)
