"""Real receivers on 127.0.0.1 for the notification tests: a group-robot HTTP server that checks
each robot's payload format and 钉钉's signature as the real services do, and an SMTP server
(aiosmtpd) that requires STARTTLS and a login. Nothing of ours is replaced."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Received:
    at: float  # time.monotonic() on arrival
    robot: str  # wecom | dingtalk
    query: dict[str, str]
    body: dict[str, Any]


@dataclass
class RobotServer:
    """企业微信 at /wecom?key=…, 钉钉 at /dingtalk?access_token=…&timestamp=…&sign=…."""

    dingtalk_secret: str = "SEC-test-secret"
    received: list[Received] = field(default_factory=list)
    fail_next: int = 0  # answer this many requests with HTTP 500 first (retries)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if self.fail_next:
                self.fail_next -= 1
                return 500, {}
        robot = path.strip("/")
        text = body.get("text", {}).get("content") if isinstance(body.get("text"), dict) else None
        if body.get("msgtype") != "text" or not isinstance(text, str) or not text:
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        if robot == "wecom" and not query.get("key"):
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        if robot == "dingtalk":
            stamp = query.get("timestamp", "")
            expected = base64.b64encode(
                hmac.new(
                    self.dingtalk_secret.encode(), f"{stamp}\n{self.dingtalk_secret}".encode(), hashlib.sha256
                ).digest()
            ).decode()
            fresh = stamp.isdigit() and abs(time.time() * 1000 - int(stamp)) < 3_600_000
            if not fresh or query.get("sign") != expected:
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
        with self.lock:
            self.received.append(Received(time.monotonic(), robot, query, body))
        return 200, {"errcode": 0, "errmsg": "ok"}


def serve_robots(robots: RobotServer) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))  # 钉钉's sign arrives URL-encoded
            length = int(self.headers.get("Content-Length", 0))
            try:
                body = json.loads(self.rfile.read(length))
            except ValueError:
                body = {}
            status, answer = robots.answer(url.path, query, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it as its ``ca_file``)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Mailbox:
    user: str = "notify@district.example"
    password: str = "mail-secret"
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    tls_seen: list[bool] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        self.tls_seen.append(session.ssl is not None)
        return "250 OK"


def serve_mail(mailbox: Mailbox, folder: Path) -> tuple[Any, int, Path]:
    """aiosmtpd on 127.0.0.1 requiring STARTTLS before anything and a login before mail."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            mailbox.user.encode(),
            mailbox.password.encode(),
        )
        return AuthResult(success=ok, handled=False)  # a refusal answers 535, as mail servers do

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=True,
        ready_timeout=10,
    )
    controller.start()
    return controller, port, cert
