"""A local HTTP proxy that tunnels only to the fake TikTok and can misbehave on demand.

`CONNECT host:443` to a TikTok host opens a tunnel to the fake's TLS port; the first TLS record the
client sends through it is parsed as a ClientHello before it is forwarded. Absolute-form plain HTTP
requests (`GET http://host/…`) are piped to the fake's plain port. Any other target is refused with 403
and recorded. The web app learns which proxy (and which ClientHello) a request came through from the
local port of the proxy's upstream connection, registered in a `TunnelRegistry` before any byte flows.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import enum
import secrets
import socket
from dataclasses import dataclass

from tests.fakes.clienthello import RECORD_HEADER_SIZE, ClientHello, parse_client_hello, record_length
from tests.fakes.tiktok_hosts import is_tiktok_host

_HEAD_LIMIT = 64 * 1024
_PIPE_CHUNK = 256 * 1024


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
    allowed: bool  # a TikTok host
    status: int | None = None  # what the proxy answered; None while hanging or for piped plain HTTP
    tls: ClientHello | None = None  # the ClientHello seen inside the tunnel


@dataclass(frozen=True, slots=True)
class Tunnel:
    proxy: FakeProxy
    connection: ProxyConnection


class TunnelRegistry:
    """Upstream local port → the tunnel it belongs to, shared by the proxies and the web app."""

    def __init__(self) -> None:
        self._tunnels: dict[int, Tunnel] = {}

    def register(self, local_port: int, tunnel: Tunnel) -> None:
        self._tunnels[local_port] = tunnel

    def release(self, local_port: int, tunnel: Tunnel) -> None:
        if self._tunnels.get(local_port) is tunnel:
            del self._tunnels[local_port]

    def lookup(self, local_port: int) -> Tunnel | None:
        return self._tunnels.get(local_port)


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where a proxy may tunnel to: the fake's TLS and plain HTTP ports on 127.0.0.1."""

    tls_port: int
    http_port: int
    tunnels: TunnelRegistry


@dataclass(frozen=True, slots=True)
class _RequestHead:
    method: str
    target: str
    headers: dict[str, str]
    raw: bytes


class _BadRequest(Exception):
    pass


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
    return _RequestHead(method=parts[0].upper(), target=parts[1], headers=headers, raw=raw)


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
    lines = [f"HTTP/1.1 {status} {reason}", *headers, "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


class FakeProxy:
    """One proxy of the fake's PROXY_FILE. `mode` and `upstream_status` may be changed at any time."""

    def __init__(self, name: str, upstream: Upstream) -> None:
        self.name = name
        self.username = f"user-{name}"
        self.password = secrets.token_urlsafe(12)
        self.upstream_status: int | None = None  # e.g. 403 or 429: TikTok answers that through this proxy
        self.connections: list[ProxyConnection] = []
        self._upstream = upstream
        self._mode = ProxyMode.OK
        self._port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: socket.socket | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

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
        self._abort_connections()
        handlers = list(self._handlers)
        for handler in handlers:
            handler.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)

    def _open_listener(self) -> None:
        assert self._loop is not None
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self._port))
        listener.listen(512)
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
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def _accept_ready(self) -> None:
        assert self._loop is not None
        while self._listener is not None:
            try:
                client, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            client.setblocking(False)
            handler = self._loop.create_task(self._serve(client))
            self._handlers.add(handler)
            handler.add_done_callback(self._handlers.discard)

    # --- one client connection ---
    async def _serve(self, client: socket.socket) -> None:
        reader, writer = await asyncio.open_connection(sock=client, limit=_HEAD_LIMIT)
        self._writers.add(writer)
        try:
            await self._answer(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, _BadRequest):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()  # flushes what is still buffered, unlike abort()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self._mode
        head = _parse_head(await reader.readuntil(b"\r\n\r\n"))
        connection = self._record(head)
        if mode is ProxyMode.HANG:
            await reader.read()  # until the client gives up
            return
        if mode is ProxyMode.CLOSE:
            return
        if mode is ProxyMode.BAD_GATEWAY:
            await self._reply(writer, connection, _response(502, "Bad Gateway"))
            return
        if mode is ProxyMode.AUTH and not self._authorized(head):
            challenge = 'Proxy-Authenticate: Basic realm="fake-tiktok"'
            await self._reply(writer, connection, _response(407, "Proxy Authentication Required", challenge))
            return
        if not connection.allowed:
            await self._reply(writer, connection, _response(403, "Forbidden"))
            return
        if head.method == "CONNECT":
            await self._tunnel(reader, writer, connection, drop=mode is ProxyMode.DROP)
        elif mode is not ProxyMode.DROP:
            await self._forward_plain(reader, writer, connection, head)

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

    @staticmethod
    async def _reply(writer: asyncio.StreamWriter, connection: ProxyConnection, response: bytes) -> None:
        connection.status = int(response[9:12])
        writer.write(response)
        await writer.drain()

    async def _tunnel(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        connection: ProxyConnection,
        *,
        drop: bool,
    ) -> None:
        if drop:
            await self._reply(writer, connection, b"HTTP/1.1 200 Connection established\r\n\r\n")
            return
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self._upstream.tls_port)
        await self._reply(writer, connection, b"HTTP/1.1 200 Connection established\r\n\r\n")
        first_record = await self._read_first_record(reader)
        connection.tls = parse_client_hello(first_record)
        upstream_writer.write(first_record)
        await self._pipe_registered(reader, writer, upstream_reader, upstream_writer, connection)

    @staticmethod
    async def _read_first_record(reader: asyncio.StreamReader) -> bytes:
        header = await reader.readexactly(RECORD_HEADER_SIZE)
        length = record_length(header)
        if length is None:
            return header
        return header + await reader.readexactly(length)

    async def _forward_plain(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        connection: ProxyConnection,
        head: _RequestHead,
    ) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self._upstream.http_port)
        upstream_writer.write(head.raw)
        await self._pipe_registered(reader, writer, upstream_reader, upstream_writer, connection)

    async def _pipe_registered(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        upstream_reader: asyncio.StreamReader,
        upstream_writer: asyncio.StreamWriter,
        connection: ProxyConnection,
    ) -> None:
        # Registered before the first byte reaches the web app, so every request finds its tunnel.
        local_port = upstream_writer.get_extra_info("sockname")[1]
        tunnel = Tunnel(proxy=self, connection=connection)
        self._upstream.tunnels.register(local_port, tunnel)
        self._writers.add(upstream_writer)
        try:
            await _pipe_both_ways(reader, writer, upstream_reader, upstream_writer)
        finally:
            self._upstream.tunnels.release(local_port, tunnel)
            self._writers.discard(upstream_writer)
            upstream_writer.close()


async def _copy(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await source.read(_PIPE_CHUNK):
            target.write(data)
            await target.drain()


async def _pipe_both_ways(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    upstream_reader: asyncio.StreamReader,
    upstream_writer: asyncio.StreamWriter,
) -> None:
    """Copy both directions until either side closes (HTTP clients never half-close)."""
    directions = [
        asyncio.ensure_future(_copy(reader, upstream_writer)),
        asyncio.ensure_future(_copy(upstream_reader, writer)),
    ]
    try:
        await asyncio.wait(directions, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for direction in directions:
            direction.cancel()
        await asyncio.gather(*directions, return_exceptions=True)
