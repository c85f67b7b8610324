"""A local HTTP proxy that tunnels only to the fake TikTok and can misbehave on demand.

`CONNECT host:443` to a TikTok host is answered with 200; the TLS ClientHello that follows is peeked
(MSG_PEEK, nothing consumed) and parsed, then the client socket itself is handed to the fake's aiohttp
server with its TLS context. Absolute-form plain HTTP requests (`GET http://host/…`) are handed over
unread, without TLS. No second TCP hop and no byte piping: the tunnel costs what a real one costs.
Any other target is refused with 403 and recorded. Before a hand-off the proxy registers the client's
port in a `TunnelRegistry`, so the web app knows which proxy (and ClientHello) each request came through.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import enum
import secrets
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from tests.fakes.clienthello import RECORD_HEADER_SIZE, ClientHello, parse_client_hello, record_length
from tests.fakes.tiktok_hosts import is_tiktok_host

_HEAD_LIMIT = 64 * 1024
_TLS_RECORD_LIMIT = RECORD_HEADER_SIZE + 16 * 1024 + 2048
_PARTIAL_READ_PAUSE = 0.001  # a peeked socket stays readable: pause instead of spinning on half a message
_HANDSHAKE_TIMEOUT = 10.0


class ProxyMode(enum.Enum):
    OK = "ok"
    REFUSE = "refuse"  # the listening socket is closed: connection refused
    DROP = "drop"  # CONNECT answered 200, then the tunnel is closed (curl_cffi: SSLError)
    CLOSE = "close"  # the request is read and the connection closed unanswered (curl_cffi: ProxyError)
    HANG = "hang"  # the request is read and never answered
    BAD_GATEWAY = "bad_gateway"  # 502 on CONNECT
    AUTH = "auth"  # 407 unless Proxy-Authorization carries the proxy's user:pass


@dataclass(slots=True)
class ProxyConnection:
    """One request a proxy received: a CONNECT or an absolute-form plain HTTP request."""

    method: str
    host: str
    port: int
    allowed: bool  # a TikTok host on the expected port
    status: int | None = None  # what the proxy answered; None while hanging, closed unanswered, or plain HTTP
    tls: ClientHello | None = None  # the ClientHello seen inside the tunnel
    given_up: bool = False  # the client closed a hanging request (it stopped waiting)


@dataclass(frozen=True, slots=True)
class Tunnel:
    proxy: FakeProxy
    connection: ProxyConnection


class TunnelRegistry:
    """Client port → the tunnel it came through, shared by the proxies and the web app.

    Every connection the app serves was handed over by a proxy, which registers it first, so an entry
    left by a closed connection is always overwritten before its port is looked up again.
    """

    def __init__(self) -> None:
        self._tunnels: dict[int, Tunnel] = {}

    def register(self, client_port: int, tunnel: Tunnel) -> None:
        self._tunnels[client_port] = tunnel

    def lookup(self, client_port: int) -> Tunnel | None:
        return self._tunnels.get(client_port)


@dataclass(frozen=True, slots=True)
class Gateway:
    """Where a proxy delivers accepted tunnels: the web app's protocol factory and TLS context."""

    protocol_factory: Callable[[], asyncio.Protocol]
    tls_context: ssl.SSLContext
    tunnels: TunnelRegistry


@dataclass(frozen=True, slots=True)
class _RequestHead:
    method: str
    target: str
    headers: dict[str, str]
    size: int  # bytes up to and including the blank line


class _BadRequest(Exception):
    pass


def _head_size(data: bytes) -> int | None:
    end = data.find(b"\r\n\r\n")
    return None if end < 0 else end + 4


def _parse_head(raw: bytes) -> _RequestHead:
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        raise _BadRequest(lines[0])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, separator, value = line.partition(":")
        if separator:
            headers[name.strip().lower()] = value.strip()
    return _RequestHead(method=parts[0].upper(), target=parts[1], headers=headers, size=len(raw))


def _record_size(data: bytes) -> int | None:
    if len(data) < RECORD_HEADER_SIZE:
        return None
    length = record_length(data[:RECORD_HEADER_SIZE])
    if length is None:
        return RECORD_HEADER_SIZE  # not TLS: nothing to parse, hand it over anyway
    size = RECORD_HEADER_SIZE + length
    return size if len(data) >= size else None


def _split_host_port(authority: str, default_port: int) -> tuple[str, int]:
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    host, separator, port = authority.rpartition(":")
    if not separator or not port.isdigit():
        return authority, default_port
    return host, int(port)


def _plain_target(target: str) -> tuple[str, int] | None:
    if not target.lower().startswith("http://"):
        return None
    authority = target[len("http://") :].split("/", 1)[0].rsplit("@", 1)[-1]
    return _split_host_port(authority, 80)


def _response(status: int, reason: str, *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", *headers, "Content-Length: 0", "Connection: close", "", ""]
    return "\r\n".join(lines).encode()


_ESTABLISHED = b"HTTP/1.1 200 Connection established\r\n\r\n"
_PASSING_MODES = (ProxyMode.OK, ProxyMode.AUTH)


class FakeProxy:
    """One proxy of the fake's PROXY_FILE. `mode` and `upstream_status` may be changed at any time."""

    def __init__(self, name: str, gateway: Gateway) -> None:
        self.name = name
        self.username = f"user-{name}"
        self.password = secrets.token_urlsafe(12)
        self.upstream_status: int | None = None  # e.g. 403 or 429: TikTok answers that through this proxy
        self.upstream_status_hosts: set[str] | None = None  # only these hosts answer it (None: every host)
        self.hang_hosts: set[str] | None = None  # in HANG mode only these hosts hang, others pass (None: all)
        self.connections: list[ProxyConnection] = []
        self._gateway = gateway
        self._mode = ProxyMode.OK
        self._port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: socket.socket | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._transports: set[asyncio.BaseTransport] = set()

    # --- addresses ---
    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def url_with_credentials(self) -> str:
        """The URL with this proxy's user:pass, accepted in `ProxyMode.AUTH`."""
        return f"http://{self.username}:{self.password}@127.0.0.1:{self._port}"

    def status_for(self, host: str) -> int | None:
        """The upstream_status TikTok answers `host` with through this proxy, if any."""
        if self.upstream_status_hosts is not None and host not in self.upstream_status_hosts:
            return None
        return self.upstream_status

    def __repr__(self) -> str:
        return f"FakeProxy({self.name!r}, {self.url!r}, mode={self._mode.name})"

    # --- mode ---
    @property
    def mode(self) -> ProxyMode:
        return self._mode

    @mode.setter
    def mode(self, mode: ProxyMode) -> None:
        """Switching mode drops live connections, like a proxy restarting with a new configuration."""
        self._mode = mode
        if self._loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._apply_mode()
        else:
            self._loop.call_soon_threadsafe(self._apply_mode)

    def _apply_mode(self) -> None:
        self._abort_connections()
        if self._mode is ProxyMode.REFUSE:
            self._close_listener()
        elif self._listener is None:
            self._open_listener()

    # --- lifecycle ---
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._open_listener()
        if self._mode is ProxyMode.REFUSE:
            self._close_listener()

    async def stop(self) -> None:
        self._close_listener()
        handlers = list(self._handlers)
        self._abort_connections()
        await asyncio.gather(*handlers, return_exceptions=True)

    def _open_listener(self) -> None:
        assert self._loop is not None
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self._port))
        listener.listen(1024)
        listener.setblocking(False)
        self._port = listener.getsockname()[1]
        self._listener = listener
        self._loop.add_reader(listener.fileno(), self._accept_ready)

    def _close_listener(self) -> None:
        if self._listener is None:
            return
        assert self._loop is not None
        self._loop.remove_reader(self._listener.fileno())
        self._listener.close()
        self._listener = None

    def _abort_connections(self) -> None:
        for handler in self._handlers:
            handler.cancel()
        for transport in self._transports:
            transport.abort()
        self._transports.clear()

    def _accept_ready(self) -> None:
        assert self._loop is not None
        while self._listener is not None:
            try:
                client, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            client.setblocking(False)
            # Nagle's algorithm meeting delayed ACKs would add 40 ms to every TLS round trip.
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            handler = self._loop.create_task(self._serve(client))
            self._handlers.add(handler)
            handler.add_done_callback(self._handlers.discard)

    # --- one client connection ---
    async def _serve(self, client: socket.socket) -> None:
        handed_over = False
        try:
            handed_over = await self._answer(client)
        except (OSError, _BadRequest, EOFError):
            pass
        finally:
            if not handed_over:
                client.close()

    async def _answer(self, client: socket.socket) -> bool:
        """Answer per mode; True when the socket now belongs to the web app."""
        mode = self._mode
        head = _parse_head(await self._peek(client, _head_size, _HEAD_LIMIT))
        connection = self._record(head)
        if mode is ProxyMode.HANG and self.hang_hosts is not None and connection.host not in self.hang_hosts:
            mode = ProxyMode.OK
        authorized = mode is not ProxyMode.AUTH or self._authorized(head)
        if head.method != "CONNECT" and connection.allowed and authorized and mode in _PASSING_MODES:
            # The head stays unread: the web app parses the absolute-form request itself.
            return await self._hand_over(client, connection, tls=False)
        # Consumed before any answer: closing a socket with unread input sends RST instead of FIN.
        await self._consume(client, head.size)
        if mode is ProxyMode.HANG:
            with contextlib.suppress(OSError):  # a reset is giving up too
                await self._wait_for_close(client)
            connection.given_up = True
            return False
        if mode is ProxyMode.CLOSE:
            return False
        if mode is ProxyMode.BAD_GATEWAY:
            await self._reply(client, connection, _response(502, "Bad Gateway"))
            return False
        if not authorized:
            challenge = 'Proxy-Authenticate: Basic realm="fake-tiktok"'
            await self._reply(client, connection, _response(407, "Proxy Authentication Required", challenge))
            return False
        if not connection.allowed:
            await self._reply(client, connection, _response(403, "Forbidden"))
            return False
        if head.method != "CONNECT":
            return False  # DROP of a plain request: closed unanswered
        await self._reply(client, connection, _ESTABLISHED)
        if mode is ProxyMode.DROP:
            return False
        connection.tls = parse_client_hello(await self._peek(client, _record_size, _TLS_RECORD_LIMIT))
        return await self._hand_over(client, connection, tls=True)

    def _record(self, head: _RequestHead) -> ProxyConnection:
        if head.method == "CONNECT":
            host, port = _split_host_port(head.target, 443)
        else:
            host, port = _plain_target(head.target) or ("", 0)
        expected_port = 443 if head.method == "CONNECT" else 80
        allowed = bool(host) and is_tiktok_host(host) and port == expected_port
        connection = ProxyConnection(method=head.method, host=host.lower(), port=port, allowed=allowed)
        self.connections.append(connection)
        return connection

    def _authorized(self, head: _RequestHead) -> bool:
        scheme, _, encoded = head.headers.get("proxy-authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            credentials = base64.b64decode(encoded, validate=True).decode()
        except ValueError:
            return False
        return secrets.compare_digest(credentials, f"{self.username}:{self.password}")

    async def _hand_over(self, client: socket.socket, connection: ProxyConnection, *, tls: bool) -> bool:
        assert self._loop is not None
        gateway = self._gateway
        gateway.tunnels.register(client.getpeername()[1], Tunnel(proxy=self, connection=connection))
        transport, _ = await self._loop.connect_accepted_socket(
            gateway.protocol_factory,
            client,
            ssl=gateway.tls_context if tls else None,
            ssl_handshake_timeout=_HANDSHAKE_TIMEOUT if tls else None,
        )
        self._transports = {known for known in self._transports if not known.is_closing()}
        self._transports.add(transport)
        return True

    # --- socket helpers ---
    async def _readable(self, client: socket.socket) -> None:
        assert self._loop is not None
        ready = self._loop.create_future()
        self._loop.add_reader(client.fileno(), lambda: ready.done() or ready.set_result(None))
        try:
            await ready
        finally:
            self._loop.remove_reader(client.fileno())

    async def _peek(self, client: socket.socket, complete_size: Callable[[bytes], int | None], limit: int) -> bytes:
        """The first complete message on the socket, left unread."""
        while True:
            await self._readable(client)
            data = client.recv(limit, socket.MSG_PEEK)
            if not data:
                raise EOFError
            size = complete_size(data)
            if size is not None:
                return data[:size]
            if len(data) >= limit:
                raise _BadRequest("message too large")
            await asyncio.sleep(_PARTIAL_READ_PAUSE)

    async def _consume(self, client: socket.socket, size: int) -> None:
        assert self._loop is not None
        while size > 0:
            chunk = await self._loop.sock_recv(client, size)
            if not chunk:
                raise EOFError
            size -= len(chunk)

    async def _wait_for_close(self, client: socket.socket) -> None:
        assert self._loop is not None
        while await self._loop.sock_recv(client, 65536):
            pass

    async def _reply(self, client: socket.socket, connection: ProxyConnection, response: bytes) -> None:
        assert self._loop is not None
        connection.status = int(response[9:12])
        await self._loop.sock_sendall(client, response)
