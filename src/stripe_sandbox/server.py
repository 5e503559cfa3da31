"""The HTTP server: ``/v1/...`` is Stripe's API, ``/_sandbox/...`` the control API, the rest
the hosted pages (onboarding, checkout, receipts)."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import api, control, ids, pages
from .errors import api_error
from .messages import Request, Response
from .sandbox import Config, Sandbox

logger = logging.getLogger("stripe_sandbox.server")

MAX_BODY = 10 * 1024 * 1024


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        super().__init__(address, Handler)
        self.sandbox = sandbox

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        shown = host if isinstance(host, str) else host.decode()
        if shown in ("0.0.0.0", "::", ""):  # noqa: S104 (only naming the bound address)
            shown = "127.0.0.1"
        return f"http://{shown}:{port}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stripe-sandbox"
    sys_version = ""
    server: SandboxHTTPServer

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_HEAD(self) -> None:
        self._dispatch("GET", head=True)

    def _dispatch(self, method: str, head: bool = False) -> None:
        sandbox = self.server.sandbox
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            self._send(
                Response.json(
                    413,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "message": "Request body too large.",
                        }
                    },
                ),
                ids.request_id(),
                head,
            )
            return
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=method,
            path=url.path,
            query=url.query,
            body=body,
            headers={k.lower(): v for k, v in self.headers.items()},
            request_id=ids.request_id(),
        )
        try:
            if url.path.startswith("/v1/"):
                response = api.handle(sandbox, request)
            elif url.path == "/_sandbox" or url.path.startswith("/_sandbox/"):
                response = control.handle(sandbox, request)
            else:
                response = pages.handle(sandbox, request)
        except Exception:
            logger.exception("%s %s failed", method, self.path)
            response = Response.json(500, api_error().body())
        self._send(response, request.request_id, head)

    def _send(self, response: Response, request_id: str, head: bool) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Request-Id", request_id)
            self.send_header("Cache-Control", "no-cache, no-store")
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(response.body)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class Runner:
    """A sandbox and its HTTP server, served from a background thread."""

    def __init__(
        self,
        config: Config,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_path: str | None = None,
        spec_path: str | None = None,
    ) -> None:
        self.sandbox = Sandbox(config, state_path=state_path, spec_path=spec_path)
        self.httpd = SandboxHTTPServer((host, port), self.sandbox)
        if not config.public_url:
            config.public_url = self.httpd.base_url
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.httpd.base_url

    def start(self) -> None:
        self.sandbox.start()
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="stripe-sandbox-http",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.close()

    def close(self) -> None:
        self.sandbox.stop()
        self.httpd.server_close()
