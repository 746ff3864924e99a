"""Connection limits for `masar serve`: slow or idle clients never crowd out people.

aiohttp (3.9) limits the length of one header line (`max_field_size`, `max_line_size`), the
body (`client_max_size`) and how long a kept-alive connection may stay idle
(`keepalive_timeout`), and `masar serve` uses those settings. It does not limit how long a
client may take to send a request's headers, how many headers it sends, their total size, or
how many connections are open, so a few hundred clients that open a connection and then send
nothing (or one byte a second) could hold the server's connections and memory for ever. This
module adds what is missing, around aiohttp's own connection handler:

- a request's headers must arrive within `header_timeout` seconds of connecting (on a
  kept-alive connection, aiohttp's idle timeout covers the wait for the next request);
- all the headers of one request together at most `max_header_bytes` (431 otherwise), and at
  most `max_headers` of them (431, checked by `check_headers`);
- a request's body must arrive within `body_timeout` seconds (408, `read_body_in_time`);
- at most `max_connections` connections: a new one first takes the place of the oldest one that
  is not being answered (idle, or still sending its headers), so a crowd of slow connections
  cannot keep a person's request out; only when every connection is being answered is a new
  one refused (503).
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """What one connection may take. The header sizes are nginx's defaults (one line 8k, four
    such buffers); the times are shorter than nginx's 60 s, as the README's example sets."""

    header_timeout: float = 10.0  # seconds from connecting to the end of the headers
    body_timeout: float = 20.0  # seconds to send the body once the headers are in
    idle_timeout: float = 30.0  # seconds a kept-alive connection may wait for its next request
    max_connections: int = 1000
    max_headers: int = 100  # header lines in one request
    max_header_bytes: int = 32 * 1024  # request line and headers together
    max_field_size: int = 8190  # one header line (aiohttp's default, nginx's 8k)
    max_body_bytes: int = 1024 * 1024


def _response(status: int, reason: str) -> bytes:
    body = f'{{"error": "{reason}"}}'.encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


TOO_SLOW = _response(408, "Request Timeout")
HEADERS_TOO_LARGE = _response(431, "Request Header Fields Too Large")
BUSY = _response(503, "Service Unavailable")


class Guard:
    """The open connections of one server, oldest first, and the limits they live under."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open: OrderedDict[GuardedConnection, None] = OrderedDict()

    def admit(self, connection: GuardedConnection) -> bool:
        """Room for a new connection: evict the oldest one nobody is being answered on."""
        if len(self.open) >= self.limits.max_connections:
            oldest = next((c for c in self.open if not c.answering), None)
            if oldest is None:
                return False
            self.open.pop(oldest, None)
            oldest.drop(None)
        self.open[connection] = None
        return True

    def left(self, connection: GuardedConnection) -> None:
        self.open.pop(connection, None)


class GuardedConnection(RequestHandler):
    """aiohttp's connection handler, with a deadline and a size limit for the headers."""

    def __init__(self, manager: web.Server, *, guard: Guard, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self.guard = guard
        self.answering = False  # a request's headers are in and its response is not yet sent
        self._head_bytes = 0
        self._deadline: asyncio.TimerHandle | None = None
        self._admitted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self.guard.admit(self):
            transport.write(BUSY)  # type: ignore[attr-defined]  # a TCP transport: it writes
            transport.close()
            return
        self._admitted = True
        super().connection_made(transport)
        self._deadline = self._loop.call_later(
            self.guard.limits.header_timeout, self._headers_too_slow
        )

    def connection_lost(self, exc: BaseException | None) -> None:
        if not self._admitted:
            return
        self.guard.left(self)
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        reading_head = not self.answering and not self._upgrade  # not a body, not a websocket
        requests = self._request_count
        super().data_received(data)
        if not reading_head:
            return
        if self._request_count > requests:  # the headers are complete
            self.answering = True
            self._head_bytes = 0
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None
            return
        self._head_bytes += len(data)
        if self._head_bytes > self.guard.limits.max_header_bytes:
            self.drop(HEADERS_TOO_LARGE)

    def log_access(self, request, response, time: float) -> None:
        """Called by aiohttp once a response is sent: the connection is idle again."""
        self.answering = False
        super().log_access(request, response, time)

    def _headers_too_slow(self) -> None:
        self._deadline = None
        if not self.answering:
            self.drop(TOO_SLOW)

    def drop(self, response: bytes | None) -> None:
        """Close the connection at once, after a short last word if there is one."""
        if response and self.transport is not None and not self.answering:
            self.transport.write(response)
        self.force_close()


def _closing(response: web.Response) -> web.Response:
    response.force_close()  # nothing more from this client on this connection
    return response


def check_headers(limits: Limits):
    """Middleware: too many header lines get 431 (and headers that came in one piece too large
    for the byte count above); a body that does not arrive in time, 408."""

    @web.middleware
    async def middleware(request: web.Request, handler):
        size = sum(len(name) + len(value) + 4 for name, value in request.raw_headers)
        if len(request.raw_headers) > limits.max_headers or size > limits.max_header_bytes:
            return _closing(
                web.json_response(
                    {
                        "error": f"too many or too large headers (at most {limits.max_headers}, "
                        f"{limits.max_header_bytes} bytes together)"
                    },
                    status=431,
                )
            )
        if request.can_read_body:
            try:
                await asyncio.wait_for(request.read(), limits.body_timeout)
            except asyncio.TimeoutError:
                return _closing(
                    web.json_response({"error": "the body did not arrive in time"}, status=408)
                )
        return await handler(request)

    return middleware


def room_for(limits: Limits) -> Limits:
    """The limits this process can keep: raise the open-files limit to fit the connections
    (up to what the system allows), else lower the connection cap, with a warning."""
    needed = limits.max_connections + 200  # models, the store, logs, outgoing connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < needed:
        fitting = max(10, soft - 200)
        logger.warning(
            "open-files limit %d leaves room for %d connections, not %d; raise it "
            "(ulimit -n, systemd LimitNOFILE=) or lower MASAR_HTTP_MAX_CONNECTIONS",
            soft,
            fitting,
            limits.max_connections,
            extra={"masar": {"event": "connection_cap_lowered", "cap": fitting}},
        )
        from dataclasses import replace

        return replace(limits, max_connections=fitting)
    return limits


async def listen(runner: web.AppRunner, host: str, port: int, limits: Limits) -> asyncio.Server:
    """Listen on host:port with the runner's application, each connection guarded."""
    loop = asyncio.get_running_loop()
    guard = Guard(limits)
    server = runner.server
    assert server is not None, "runner.setup() first"

    def connection() -> GuardedConnection:
        return GuardedConnection(
            server,
            guard=guard,
            loop=loop,
            access_log=None,
            keepalive_timeout=limits.idle_timeout,
            max_field_size=limits.max_field_size,
            max_line_size=limits.max_field_size,
        )

    return await loop.create_server(connection, host, port, backlog=512, reuse_address=True)
