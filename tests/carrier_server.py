"""A carrier API on 127.0.0.1 that answers with recorded bodies: karrio speaks urllib, so its real HTTP
path runs against this instead of `responses`."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: str = ""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0


@dataclass
class Routes:
    replies: dict[tuple[str, str], Reply] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def on(self, method: str, path: str, reply: Reply) -> None:
        self.replies[(method, path)] = reply

    def find(self, method: str, path: str) -> Reply | None:
        bare = path.split("?")[0]
        return self.replies.get((method, path)) or self.replies.get((method, bare))


def _handler(routes: Routes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            routes.calls.append((method, self.path))
            reply = routes.find(method, self.path) or Reply(404, '{"title": "no such route in the test server"}')
            if reply.delay:
                time.sleep(reply.delay)
            data = reply.body.encode()
            try:
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def carrier_server() -> Iterator[tuple[str, Routes]]:
    routes = Routes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(routes))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", routes
    finally:
        server.shutdown()
        server.server_close()
