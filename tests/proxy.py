"""A TCP relay on loopback whose connections can die silently, as behind a NAT that forgot them.

`silence()` stops relaying on every open connection without closing it: no FIN, no RST, the
peer just never hears again. New connections are relayed as usual.
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
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
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
            server = socket.create_connection((HOST, self.target_port), timeout=5)
            silenced = threading.Event()
            with self.lock:
                self.connections.append((client, server, silenced))
            threading.Thread(
                target=self._pump, args=(client, server, silenced), daemon=True
            ).start()

    def _pump(self, a: socket.socket, b: socket.socket, silenced: threading.Event) -> None:
        peers = {a: b, b: a}
        while not self.closed.is_set():
            if silenced.is_set():
                self.closed.wait(0.1)
                continue
            try:
                readable, _, _ = select.select([a, b], [], [], 0.1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return self._close(a, b)
                    peers[sock].sendall(data)
            except OSError:
                return self._close(a, b)

    def _close(self, a: socket.socket, b: socket.socket) -> None:
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.close()

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
