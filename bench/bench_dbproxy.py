"""A TCP proxy in front of a database that counts the round trips its clients make.

PostgreSQL (frontend protocol v3): after the untyped startup messages, every
client message is `type byte + int32 length`; a round trip ends with Sync ('S')
(extended protocol, as asyncpg speaks it) or is one simple Query ('Q').
MongoDB (wire protocol): every client message is one command (OP_MSG); the
command name is the first key of its body. Driver housekeeping (hello, ping,
endSessions, auth) is not counted.
"""

from __future__ import annotations

import asyncio
import struct
from collections import Counter

SSL_OR_GSS_REQUEST = (80877103, 80877104)
MONGO_HOUSEKEEPING = {
    "hello", "ismaster", "isMaster", "ping", "endSessions", "saslStart", "saslContinue",
    "buildInfo", "buildinfo", "getLastError", "killCursors",
}  # fmt: skip


class CountingProxy:
    def __init__(self, kind: str, target_host: str, target_port: int) -> None:
        assert kind in ("postgres", "mongo")
        self.kind = kind
        self.target = (target_host, target_port)
        self.commands: Counter[str] = Counter()
        self.server: asyncio.Server | None = None
        self.port = 0

    @property
    def round_trips(self) -> int:
        return sum(self.commands.values())

    async def start(self) -> CountingProxy:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self.server:
            self.server.close()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        upstream = self._postgres if self.kind == "postgres" else self._mongo
        tasks = [
            asyncio.create_task(upstream(client_r, server_w)),
            asyncio.create_task(self._pipe(server_r, client_w)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for writer in (client_w, server_w):
            writer.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()

    async def _postgres(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        started = False
        while True:
            if not started:
                head = await reader.readexactly(8)
                length, code = struct.unpack("!ii", head)
                body = await reader.readexactly(length - 8)
                writer.write(head + body)
                await writer.drain()
                if code not in SSL_OR_GSS_REQUEST:
                    started = True
                continue
            head = await reader.readexactly(5)
            kind, length = head[:1], struct.unpack("!i", head[1:])[0]
            body = await reader.readexactly(length - 4)
            if kind in (b"S", b"Q"):
                self.commands["sync" if kind == b"S" else "query"] += 1
            writer.write(head + body)
            await writer.drain()

    async def _mongo(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readexactly(16)
            length, _, _, opcode = struct.unpack("<iiii", head)
            body = await reader.readexactly(length - 16)
            if opcode == 2013 and len(body) > 10 and body[4] == 0:  # OP_MSG, body section
                name = body[10 : body.index(b"\x00", 10)].decode(errors="replace")
                if name not in MONGO_HOUSEKEEPING:
                    self.commands[name] += 1
            writer.write(head + body)
            await writer.drain()
