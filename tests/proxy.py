"""A TCP relay on loopback whose connections can die silently, as behind a NAT that forgot them.

`silence()` stops relaying on every open connection without closing it: no FIN, no RST, the
peer just never hears again. New connections are relayed as usual. With `hold_after`, the
first connection the server sends that many bytes to is silenced there, in the middle of a
response (say a FETCH), and `held` is set: the moment to stop the server. `cut()` closes
every open connection, as a server that died would. While the server is down, a new
connection is accepted and closed at once.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

HOST = "127.0.0.1"


class Relay:
    def __init__(self, target_port: int, hold_after: int | None = None) -> None:
        self.target_port = target_port
        self.hold_after = hold_after
        self.held = threading.Event()
        self.listener = socket.create_server((HOST, 0))
        self.port: int = self.listener.getsockname()[1]
        self.connections: list[tuple[socket.socket, socket.socket, threading.Event]] = []
        self.closed = threading.Event()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, name="relay-accept", daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection((HOST, self.target_port), timeout=5)
            except OSError:  # the server is down: the client hears it at once
                self._close(client, client)
                continue
            silenced = threading.Event()
            with self.lock:
                self.connections.append((client, server, silenced))
            threading.Thread(
                target=self._pump, args=(client, server, silenced), daemon=True
            ).start()

    def _pump(self, a: socket.socket, b: socket.socket, silenced: threading.Event) -> None:
        peers = {a: b, b: a}
        from_server = 0
        while not self.closed.is_set():
            if silenced.is_set():
                if a.fileno() == -1:  # cut
                    return None
                self.closed.wait(0.1)
                continue
            try:
                readable, _, _ = select.select([a, b], [], [], 0.1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return self._close(a, b)
                    peers[sock].sendall(data)
                    if sock is b:
                        from_server += len(data)
                        if self._hold_here(from_server):
                            silenced.set()
            except OSError:
                return self._close(a, b)

    def _close(self, a: socket.socket, b: socket.socket) -> None:
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.close()

    def _hold_here(self, from_server: int) -> bool:
        with self.lock:
            if self.hold_after is None or self.held.is_set() or from_server < self.hold_after:
                return False
            self.held.set()
            return True

    def cut(self) -> int:
        """Close every open connection, as a server that stopped would; returns how many."""
        with self.lock:
            connections, self.connections = self.connections, []
        for a, b, _ in connections:
            self._close(a, b)
        return len(connections)

    def silence(self) -> int:
        """Let every open connection die without a word; returns how many there were."""
        with self.lock:
            for _, _, silenced in self.connections:
                silenced.set()
            return len(self.connections)

    def close(self) -> None:
        self.closed.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        with self.lock:
            for a, b, _ in self.connections:
                self._close(a, b)


@contextmanager
def relay(target_port: int) -> Iterator[Relay]:
    r = Relay(target_port)
    try:
        yield r
    finally:
        r.close()
