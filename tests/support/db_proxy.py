"""A TCP relay in front of the test's PostgreSQL server that a test can take away and give back.

planbot is pointed at the relay (``url``) instead of the server. ``refuse`` closes the listening
socket and cuts every open connection, as a database restarting or a failed-over address does
(new connections are refused at once); ``hang`` keeps the connections open but passes nothing
either way, as a database stuck behind a dead network path does; ``restore`` serves again on the
same port.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy.engine import make_url

BUFFER = 65536


class DatabaseRelay:
    """Relays ``host:port`` on a local port of its own until ``close``."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        self._target = (url.host or "127.0.0.1", url.port or 5432)
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._listener: socket.socket | None = None
        self._passing = threading.Event()
        self._passing.set()
        self._closed = False
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.url = url.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)
        self.restore()

    def refuse(self) -> None:
        """Refuse new connections and cut the open ones."""
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, []
        if listener is not None:
            _close(listener)  # shut down first: a bare close leaves a blocked accept() accepting
        for pair in pairs:
            _close(*pair)

    def hang(self) -> None:
        """Keep every connection open and accept new ones, but pass nothing either way."""
        self._passing.clear()

    def restore(self) -> None:
        """Serve again (on the same port) and pass traffic."""
        self._passing.set()
        with self._lock:
            if self._listener is not None or self._closed:
                return
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(64)
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self.refuse()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
            threading.Thread(target=self._relay, args=(client, server), daemon=True).start()

    def _relay(self, client: socket.socket, server: socket.socket) -> None:
        ends = {client: server, server: client}
        try:
            while True:
                if not self._passing.wait(0.1):
                    continue
                readable, _, _ = select.select(list(ends), [], [], 0.1)
                for end in readable:
                    data = end.recv(BUFFER)
                    if not data:
                        return
                    ends[end].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            _close(client, server)


@contextmanager
def relay(database_url: str) -> Iterator[DatabaseRelay]:
    """A relay in front of ``database_url``'s server, closed afterwards."""
    proxy = DatabaseRelay(database_url)
    try:
        yield proxy
    finally:
        proxy.close()


def _close(*sockets: socket.socket) -> None:
    for end in sockets:
        with suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()
