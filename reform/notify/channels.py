"""Where messages go: 企业微信 and 钉钉 group robots and e-mail, each kept to its rate limit.

A channel is declared in ``config.yaml`` → ``notify.channels`` (its type, and for e-mail the
server, sender and recipients); its secrets (a robot's webhook address, 钉钉's signing secret,
the mail password) come from the environment (``REFORM_NOTIFY_<NAME>_URL``, ``_SECRET``,
``_PASSWORD``) or ``.streamlit/secrets.toml`` → ``[notify.<name>]`` (``url``, ``secret``,
``password``), never from the configuration file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import threading
import time
import tomllib
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from reform.config import Channel

SECRETS = Path(__file__).resolve().parent.parent.parent / ".streamlit" / "secrets.toml"


class SendError(RuntimeError):
    """A send that failed; ``retry`` says whether trying again later may succeed."""

    def __init__(self, message: str, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


def secret(channel: Channel, name: str) -> str | None:
    """A channel's secret: ``REFORM_NOTIFY_<CHANNEL>_<NAME>`` or secrets.toml ``[notify.<channel>]``."""
    env = f"REFORM_NOTIFY_{channel.name.upper()}_{name.upper()}"
    if os.environ.get(env):
        return os.environ[env]
    try:
        data = tomllib.loads(SECRETS.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    value = data.get("notify", {}).get(channel.name, {}).get(name)
    return str(value) if value else None


class RateLimit:
    """At most ``count`` sends in any ``seconds`` (企业微信 and 钉钉 robots: 20 a minute), counted as
    the robot counts them, on arrival: a send's time is taken when its answer came back (after it
    arrived), and a send that would make ``count + 1`` within ``seconds`` of the oldest waits."""

    def __init__(self, count: int, seconds: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.count, self.seconds, self.sleep = count, seconds, sleep
        self._done: deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            while self._done and now - self._done[0] >= self.seconds:
                self._done.popleft()
            if len(self._done) >= self.count:
                self.sleep(self.seconds - (now - self._done[0]) + 0.01)
                self._done.popleft()

    def done(self) -> None:
        """A send has finished (its answer is back)."""
        with self._lock:
            self._done.append(time.monotonic())


def _post_json(url: str, payload: dict[str, object], timeout: float = 10) -> dict[str, object]:
    if not url.startswith(("https://", "http://")):
        raise SendError("the webhook address must start with https://", retry=False)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, json.dumps(payload, ensure_ascii=False).encode(), {"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}", retry=exc.code >= 500 or exc.code == 429) from exc
    except OSError as exc:
        raise SendError(f"no connection: {exc}") from exc
    try:
        return json.loads(body)
    except ValueError as exc:
        raise SendError("the robot answered something other than JSON") from exc


ROBOT_BUSY = {45009, 130101}  # 企业微信 / 钉钉: sent too often: wait and retry


def _robot_answer(answer: dict[str, object]) -> str:
    code = answer.get("errcode", -1)
    if code == 0:
        return "ok"
    raise SendError(f"errcode {code}: {answer.get('errmsg', '')}", retry=code in ROBOT_BUSY)


def send_wecom(channel: Channel, subject: str, text: str) -> str:
    """企业微信 group robot: POST {"msgtype": "text", ...} to its webhook (the key is in the address)."""
    url = secret(channel, "url")
    if not url:
        raise SendError(f"no webhook address for {channel.name}", retry=False)
    return _robot_answer(_post_json(url, {"msgtype": "text", "text": {"content": f"{subject}\n{text}"}}))


def dingtalk_signed(url: str, signing_secret: str, now_ms: int | None = None) -> str:
    """钉钉 custom robot with 加签: timestamp and sign = base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(signing_secret.encode(), f"{timestamp}\n{signing_secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def send_dingtalk(channel: Channel, subject: str, text: str) -> str:
    url, signing = secret(channel, "url"), secret(channel, "secret")
    if not url or not signing:
        raise SendError(f"no webhook address or signing secret for {channel.name}", retry=False)
    payload = {"msgtype": "text", "text": {"content": f"{subject}\n{text}"}}
    return _robot_answer(_post_json(dingtalk_signed(url, signing), payload))


def send_email(channel: Channel, subject: str, text: str, attachment: tuple[str, bytes] | None = None) -> str:
    """SMTP with STARTTLS and login; the server's certificate is checked (``ca_file`` for a private CA)."""
    password = secret(channel, "password")
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, channel.sender, ", ".join(channel.to)
    message.set_content(text)
    if attachment:
        message.add_attachment(attachment[1], maintype="application", subtype="pdf", filename=attachment[0])
    context = ssl.create_default_context(cafile=channel.ca_file or None)
    try:
        with smtplib.SMTP(channel.host, channel.port, timeout=30) as smtp:
            smtp.starttls(context=context)
            if channel.user:
                smtp.login(channel.user, password or "")
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError("the mail server refused the login", retry=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"mail not sent: {exc}") from exc
    if refused:
        raise SendError(f"refused recipients: {', '.join(refused)}", retry=False)
    return f"ok: {len(channel.to)} recipients"
