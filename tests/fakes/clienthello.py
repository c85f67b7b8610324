"""Parse a TLS ClientHello record into the facts that fingerprint a client (SNI, JA3, GREASE, ALPN)."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

RECORD_HEADER_SIZE = 5
_HANDSHAKE_RECORD = 0x16
_CLIENT_HELLO = 0x01

_EXT_SERVER_NAME = 0
_EXT_SUPPORTED_GROUPS = 10
_EXT_EC_POINT_FORMATS = 11
_EXT_ALPN = 16
_EXT_SUPPORTED_VERSIONS = 43


def is_grease(value: int) -> bool:
    """RFC 8701 reserves 0x0A0A, 0x1A1A … 0xFAFA; Chrome sprinkles them, OpenSSL never does."""
    return (value & 0x0F0F) == 0x0A0A and (value >> 8) == (value & 0xFF)


@dataclass(frozen=True, slots=True)
class ClientHello:
    sni: str | None
    legacy_version: int
    ciphers: tuple[int, ...]
    extensions: tuple[int, ...]  # in the order the client sent them
    groups: tuple[int, ...]
    point_formats: tuple[int, ...]
    alpn: tuple[str, ...]
    supported_versions: tuple[int, ...]
    grease: bool

    @property
    def ja3(self) -> str:
        def joined(values: tuple[int, ...]) -> str:
            return "-".join(str(value) for value in values if not is_grease(value))

        return ",".join(
            [
                str(self.legacy_version),
                joined(self.ciphers),
                joined(self.extensions),
                joined(self.groups),
                joined(self.point_formats),
            ]
        )

    @property
    def ja3_hash(self) -> str:
        return hashlib.md5(self.ja3.encode(), usedforsecurity=False).hexdigest()

    @property
    def ja3n(self) -> str:
        """JA3 with sorted extensions: stable for Chrome, which shuffles its extension order."""
        version, ciphers, extensions, groups, formats = self.ja3.split(",")
        ordered = "-".join(sorted(extensions.split("-"), key=lambda item: int(item or 0)))
        return ",".join([version, ciphers, ordered, groups, formats])


def record_length(header: bytes) -> int | None:
    """Body length of a TLS handshake record from its 5-byte header, None if it is not one."""
    if len(header) < RECORD_HEADER_SIZE or header[0] != _HANDSHAKE_RECORD or header[1] != 0x03:
        return None
    return struct.unpack("!H", header[3:5])[0]


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    def take(self, size: int) -> bytes:
        if self._offset + size > len(self._data):
            raise ValueError("truncated ClientHello")
        chunk = self._data[self._offset : self._offset + size]
        self._offset += size
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return struct.unpack("!H", self.take(2))[0]

    def u24(self) -> int:
        return int.from_bytes(self.take(3), "big")

    def vector8(self) -> bytes:
        return self.take(self.u8())

    def vector16(self) -> bytes:
        return self.take(self.u16())

    @property
    def exhausted(self) -> bool:
        return self._offset >= len(self._data)


def _u16_list(data: bytes) -> tuple[int, ...]:
    return tuple(struct.unpack(f"!{len(data) // 2}H", data[: len(data) // 2 * 2]))


def _server_name(data: bytes) -> str | None:
    names = _Cursor(_Cursor(data).vector16())
    while not names.exhausted:
        name_type = names.u8()
        name = names.vector16()
        if name_type == 0:
            return name.decode("ascii", "replace")
    return None


def _alpn(data: bytes) -> tuple[str, ...]:
    protocols = _Cursor(_Cursor(data).vector16())
    found: list[str] = []
    while not protocols.exhausted:
        found.append(protocols.vector8().decode("ascii", "replace"))
    return tuple(found)


def parse_client_hello(record: bytes) -> ClientHello | None:
    """The ClientHello in a complete TLS record (header included), None when it is not one."""
    body_length = record_length(record[:RECORD_HEADER_SIZE])
    if body_length is None:
        return None
    try:
        return _parse_handshake(record[RECORD_HEADER_SIZE : RECORD_HEADER_SIZE + body_length])
    except ValueError:
        return None


def _parse_handshake(body: bytes) -> ClientHello | None:
    cursor = _Cursor(body)
    if cursor.u8() != _CLIENT_HELLO:
        return None
    hello = _Cursor(cursor.take(cursor.u24()))
    legacy_version = hello.u16()
    hello.take(32)  # random
    hello.vector8()  # legacy session id
    ciphers = _u16_list(hello.vector16())
    hello.vector8()  # compression methods
    extension_types: list[int] = []
    payloads: dict[int, bytes] = {}
    if not hello.exhausted:
        extensions = _Cursor(hello.vector16())
        while not extensions.exhausted:
            extension_type = extensions.u16()
            extension_types.append(extension_type)
            payloads[extension_type] = extensions.vector16()

    groups_payload = payloads.get(_EXT_SUPPORTED_GROUPS)
    formats_payload = payloads.get(_EXT_EC_POINT_FORMATS)
    versions_payload = payloads.get(_EXT_SUPPORTED_VERSIONS)
    groups = _u16_list(_Cursor(groups_payload).vector16()) if groups_payload else ()
    versions = _u16_list(_Cursor(versions_payload).vector8()) if versions_payload else ()
    sni_payload = payloads.get(_EXT_SERVER_NAME)
    alpn_payload = payloads.get(_EXT_ALPN)
    return ClientHello(
        sni=_server_name(sni_payload) if sni_payload else None,
        legacy_version=legacy_version,
        ciphers=ciphers,
        extensions=tuple(extension_types),
        groups=groups,
        point_formats=tuple(_Cursor(formats_payload).vector8()) if formats_payload else (),
        alpn=_alpn(alpn_payload) if alpn_payload else (),
        supported_versions=versions,
        grease=any(is_grease(value) for value in (*ciphers, *extension_types, *groups, *versions)),
    )
