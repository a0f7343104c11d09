"""``serve --jt808 PORT``: vehicle terminals report over JT/T 808 (TCP) into the backend.

Runs on the backend's own event loop beside uvicorn (started by the app's lifespan), one
``TerminalConnection`` per socket. A terminal registers (0x0100 → 0x8100 with an auth code),
authenticates (0x0102 → 0x8001), then sends heartbeats (0x0002), locations (0x0200) and
batches (0x0704); only an authenticated connection may report (else 0x8001 result 1). Its
fixes go to ``jt808_fixes.FixSink``, the telemetry path every posted batch takes.

What a hostile or broken peer meets (none of it can take the listener down):

- a message split into packets is joined (``PacketJoiner``, at most ``MAX_PACKETS``);
- bad frames (checksum, escape, length, garbage without 0x7e, over ``MAX_WIRE_FRAME``) are
  dropped with a log line each (at most ``LOG_BURST`` lines per ``LOG_WINDOW_S``, then a count);
  a frame whose header reads but whose body does not gets 0x8001 result 2;
- ``IDLE_S`` without a complete frame closes the socket: a half-open connection (a terminal
  gone without a FIN) or a slow drip of bytes that never completes a frame holds nothing;
- at most ``max_connections`` sockets; the next are closed on accept;
- at most ``MAX_IN_FLIGHT`` reports of a connection wait for storing (then its socket is not
  read until they are), and a peer that never reads its answers is closed;
- an exception in one connection's handling closes that connection, logged, and no other.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from console.jt808 import messages as m
from console.jt808.frame import Frame, FrameError, Header, encode_frame
from console.jt808.stream import FrameSplitter, PacketJoiner

from .context import Context
from .jt808_fixes import FixSink, fix_of, phone_key

log = logging.getLogger("console.jt808")

#: A terminal's heartbeat interval is its parameter 0x0001, 60 s in common terminals' defaults;
#: three missed heartbeats close the connection (the platform side of TCP 消息应答超时).
IDLE_S = 180.0
#: Sockets at once: the demo's 40 vehicles to a city's 10,000 (``serve --vehicles``), each a
#: file descriptor; ``run.fd_headroom`` raises the process's limit at start.
MAX_CONNECTIONS = 12_000
#: Dropped-frame log lines: a burst, then one line with how many were not written.
LOG_BURST = 20
LOG_WINDOW_S = 10.0
#: Reports of one connection waiting for their batch: past this the gateway stops reading
#: the socket (TCP flow control holds the terminal back) until answers catch up. A terminal
#: waits for each answer (消息处理), so only a misbehaving peer ever gets near it.
MAX_IN_FLIGHT = 64
#: Answers a peer has not read (it sends and never reads): past this the connection closes.
MAX_UNREAD_ANSWERS_BYTES = 256 * 1024


class DropLog:
    """A log line per dropped frame, at most ``burst`` per ``window`` seconds (then a count),
    so a flood of garbage cannot fill the disk with lines."""

    def __init__(self, burst: int = LOG_BURST, window: float = LOG_WINDOW_S):
        self.burst, self.window = burst, window
        self._start, self._lines, self._suppressed = 0.0, 0, 0
        self.dropped = 0

    def __call__(self, peer: str, reason: str) -> None:
        self.dropped += 1
        now = time.monotonic()
        if now - self._start > self.window:
            if self._suppressed:
                log.warning("JT/T 808: %d more dropped frames not logged", self._suppressed)
            self._start, self._lines, self._suppressed = now, 0, 0
        if self._lines < self.burst:
            self._lines += 1
            log.warning("JT/T 808 %s: frame dropped: %s", peer, reason)
        else:
            self._suppressed += 1


class Jt808Gateway:
    """The TCP listener and what its connections share."""

    def __init__(
        self,
        ctx: Context,
        host: str,
        port: int,
        *,
        idle_s: float = IDLE_S,
        max_connections: int = MAX_CONNECTIONS,
    ):
        self.ctx, self.host, self.port = ctx, host, port
        self.idle_s = idle_s
        self.max_connections = max_connections
        self.sink = FixSink(ctx)
        self.drops = DropLog()
        self.connections: set[TerminalConnection] = set()
        self.refused_connections = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> Jt808Gateway:
        loop = asyncio.get_running_loop()
        self.sink.start()
        self._server = await loop.create_server(
            lambda: TerminalConnection(self), self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("JT/T 808 gateway on %s:%d", self.host, self.port)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for c in list(self.connections):
            c.close()
        await self.sink.stop()


class TerminalConnection(asyncio.Protocol):
    """One terminal's socket: frames in, answers out, its fixes to the sink."""

    def __init__(self, gateway: Jt808Gateway):
        self.gw = gateway
        self.splitter = FrameSplitter()
        self.joiner = PacketJoiner()
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        #: After a good 0x0102: the vehicle and the phone it authenticated as.
        self.vehicle_id: str | None = None
        self.phone: str | None = None
        self._serial = 0
        self._idle: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task] = set()
        self._in_flight = 0
        self._paused = False

    # ---- socket ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        if len(self.gw.connections) >= self.gw.max_connections:
            self.gw.refused_connections += 1
            self.gw.drops(self.peer, f"connection refused: {len(self.gw.connections)} open")
            transport.close()
            return
        self.gw.connections.add(self)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self.gw.connections.discard(self)
        if self._idle is not None:
            self._idle.cancel()
        for t in self._tasks:
            t.cancel()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _arm(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        self._idle = asyncio.get_running_loop().call_later(self.gw.idle_s, self._expired)

    def _expired(self) -> None:
        log.info(
            "JT/T 808 %s: closed after %.0f s without a complete frame (%d bytes pending)",
            self.peer,
            self.gw.idle_s,
            self.splitter.pending,
        )
        self.close()

    def data_received(self, data: bytes) -> None:
        try:
            for item in self.splitter.feed(data):
                if isinstance(item, FrameError):
                    self.gw.drops(self.peer, str(item))
                    continue
                self._arm()  # only a whole frame counts as life: a drip of bytes does not
                self._dispatch(item)
        except Exception:
            log.exception("JT/T 808 %s: closing the connection after an error", self.peer)
            self.close()

    # ---- messages ----------------------------------------------------------------------
    def send(self, request: Header, msg_id: int, body: bytes) -> None:
        """An answer in the request's header version, to the phone number it came from."""
        if self.transport is None or self.transport.is_closing():
            return
        self._serial = (self._serial + 1) & 0xFFFF
        h = Header(msg_id, request.phone, self._serial, request.version)
        self.transport.write(encode_frame(h, body))
        if self.transport.get_write_buffer_size() > MAX_UNREAD_ANSWERS_BYTES:
            self.gw.drops(self.peer, "closed: the peer does not read its answers")
            self.close()

    def answer(self, request: Header, result: int) -> None:
        body = m.GeneralAnswer(request.serial, request.msg_id, result).encode()
        self.send(request, m.PLATFORM_ANSWER, body)

    def _dispatch(self, frame: Frame) -> None:
        h = frame.header
        if h.encryption:  # RSA-encrypted bodies are not supported (docs/jt808.md)
            self.answer(h, m.UNSUPPORTED)
            return
        if h.packet is not None:
            whole = self._join(frame)
            if whole is None:
                return
            frame, h = whole, whole.header
        handler = self.HANDLERS.get(h.msg_id)
        if handler is None:
            if h.msg_id != m.TERMINAL_ANSWER:  # a terminal's answer needs none
                self.answer(h, m.UNSUPPORTED)
            return
        try:
            handler(self, frame)
        except FrameError as e:  # a body that does not match its message
            self.gw.drops(self.peer, f"0x{h.msg_id:04x} from {h.phone}: {e}")
            self.answer(h, m.BAD_MESSAGE)

    def _join(self, packet: Frame) -> Frame | None:
        """A packet of a sub-packaged message: the whole message once its last packet is in
        (answered as the message), else None with the packet answered on its own: 0 taken,
        2 dropped (out of order, too many packets)."""
        whole = None
        for item in self.joiner.add(packet):
            if isinstance(item, FrameError):
                self.gw.drops(self.peer, str(item))
            else:
                whole = item
        if whole is None:
            self.answer(packet.header, m.OK if self.joiner.took_last else m.BAD_MESSAGE)
        return whole

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("JT/T 808 %s: %r", self.peer, task.exception())
            self.close()

    def _register(self, frame: Frame) -> None:
        m.Register.decode(frame.body, frame.header.version is not None)  # readable, or result 2
        self._spawn(self._registered(frame.header))

    async def _registered(self, h: Header) -> None:
        vehicle = await self.gw.sink.vehicle_for(h.phone)
        if vehicle is None:
            log.info("JT/T 808 %s: registration of unknown terminal %s", self.peer, h.phone)
            self.send(h, m.REGISTER_ANSWER, m.RegisterAnswer(h.serial, m.NO_TERMINAL).encode())
            return
        code = self.gw.sink.auth_code(vehicle, h.phone)
        body = m.RegisterAnswer(h.serial, m.REGISTERED, code).encode()
        self.send(h, m.REGISTER_ANSWER, body)

    def _auth(self, frame: Frame) -> None:
        auth = m.Auth.decode(frame.body, frame.header.version is not None)
        self._spawn(self._authenticated(frame.header, auth.code))

    async def _authenticated(self, h: Header, code: str) -> None:
        vehicle = await self.gw.sink.vehicle_for(h.phone)
        if vehicle is None or code != self.gw.sink.auth_code(vehicle, h.phone):
            log.info("JT/T 808 %s: auth of %s refused", self.peer, h.phone)
            self.answer(h, m.FAIL)
            return
        self.vehicle_id, self.phone = vehicle, phone_key(h.phone)
        self.answer(h, m.OK)

    def _reporting(self, h: Header) -> bool:
        """Whether this message may report: authenticated, and as the same terminal."""
        if self.vehicle_id is None or phone_key(h.phone) != self.phone:
            self.answer(h, m.FAIL)
            return False
        return True

    def _heartbeat(self, frame: Frame) -> None:
        self.answer(frame.header, m.OK if self.vehicle_id is not None else m.FAIL)

    def _location(self, frame: Frame) -> None:
        if self._reporting(frame.header):
            self._store(frame.header, [m.Location.decode(frame.body)])

    def _batch(self, frame: Frame) -> None:
        if self._reporting(frame.header):
            self._store(frame.header, m.Batch.decode(frame.body).items)

    def _store(self, h: Header, locations: list[m.Location]) -> None:
        assert self.vehicle_id is not None
        # Without a position (status bit 1 clear) a report has nothing to store.
        fixes = [fix_of(self.vehicle_id, loc) for loc in locations if loc.fixed]
        self._in_flight += 1
        if self._in_flight >= MAX_IN_FLIGHT and self.transport is not None and not self._paused:
            self._paused = True
            self.transport.pause_reading()
        self._spawn(self._stored(h, fixes))

    async def _stored(self, h: Header, fixes: list[dict]) -> None:
        try:
            ok = await self.gw.sink.store(fixes)
            self.answer(h, m.OK if ok else m.FAIL)
        finally:
            self._in_flight -= 1
            if self._paused and self._in_flight < MAX_IN_FLIGHT // 2 and self.transport:
                self._paused = False
                if not self.transport.is_closing():
                    self.transport.resume_reading()

    def _logout(self, frame: Frame) -> None:
        self.answer(frame.header, m.OK)
        self.vehicle_id = self.phone = None
        self.close()

    #: The messages served, by id (the rest get 0x8001 result 3).
    HANDLERS: dict[int, Callable[[TerminalConnection, Frame], None]] = {
        m.REGISTER: _register,
        m.AUTH: _auth,
        m.HEARTBEAT: _heartbeat,
        m.LOCATION: _location,
        m.BATCH: _batch,
        m.LOGOUT: _logout,
    }
