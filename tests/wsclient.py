"""A Streamlit session driven over its websocket, without a browser (tests and benchmarks).

It speaks the protocol the browser speaks (the protocol buffers ship with ``streamlit``):
it opens ``/_stcore/stream`` with the XSRF token as the browser sends it, asks for a run,
reads the elements the server sends, and can fill text inputs and press a form's button.
Light enough to open dozens of sessions on two cores, where dozens of browsers are not.
"""

from __future__ import annotations

import http.cookiejar
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect


@dataclass
class Session:
    """One open session: its id, the widgets seen by key, and the cookies it came with."""

    base: str
    cookies: dict[str, str]
    socket: ClientConnection
    session_id: str = ""
    widgets: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (kind, id)
    texts: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)  # URLs of download buttons in the last run

    def close(self) -> None:
        self.socket.close()


def browser_cookies(base: str) -> dict[str, str]:
    """The cookies a browser gets from the first page (the XSRF token; the guard's browser cookie)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for path in ("/", "/_stcore/health"):  # the page sets the guard's cookie, the health check the XSRF one
        with opener.open(f"{base}{path}", timeout=10) as response:
            response.read()
    return {c.name: c.value for c in jar}


def _xsrf_token(cookie: str) -> str:
    """The value the browser sends back: Streamlit's frontend sends the cookie value as it is."""
    return cookie


def open_session(
    base: str, cookies: dict[str, str] | None = None, resume: str | None = None, timeout: float = 20
) -> Session:
    """Connect like a browser tab (or, with ``resume``, ask to take over an existing session id)."""
    cookies = dict(cookies if cookies is not None else browser_cookies(base))
    xsrf = cookies.get("_streamlit_xsrf", "")
    protocols = ["streamlit", _xsrf_token(xsrf)] + ([resume] if resume else [])
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    socket = connect(
        url,
        subprotocols=protocols,  # type: ignore[arg-type]
        additional_headers={"Cookie": header, "Origin": base},
        open_timeout=timeout,
        max_size=None,
    )
    session = Session(base, cookies, socket)
    rerun(session, timeout=timeout)
    return session


def _collect(session: Session, message: ForwardMsg) -> None:
    kind = message.WhichOneof("type")
    if kind == "new_session":
        session.session_id = message.new_session.initialize.session_id
    if kind != "delta" or message.delta.WhichOneof("type") != "new_element":
        return
    element = message.delta.new_element
    which = element.WhichOneof("type")
    inner: Any = getattr(element, which) if which else None
    widget_id = getattr(inner, "id", "")
    if widget_id and "-" in widget_id:
        session.widgets[widget_id.rsplit("-", 1)[-1]] = (which or "", widget_id)
    if which == "button" and inner.is_form_submitter:
        session.widgets[f"submit:{inner.label}"] = ("button", widget_id)
    if which == "download_button" and inner.url:
        session.media.append(inner.url)
    for text_field in ("body",):
        if which in ("markdown", "alert", "heading", "text") and hasattr(inner, text_field):
            session.texts.append(getattr(inner, text_field))


def rerun(session: Session, states: list[Any] | None = None, timeout: float = 20) -> float:
    """Ask for a run (with widget values) and read until it finishes; the seconds it took."""
    back = BackMsg()
    back.rerun_script.query_string = ""
    back.rerun_script.page_script_hash = ""
    for state in states or []:
        back.rerun_script.widget_states.widgets.append(state)
    session.texts.clear()
    session.media.clear()
    started = time.perf_counter()
    session.socket.send(back.SerializeToString())
    return _read_run(session, started, timeout)


def _read_run(session: Session, started: float, timeout: float) -> float:
    deadline = started + timeout
    while time.perf_counter() < deadline:
        raw = session.socket.recv(timeout=max(0.1, deadline - time.perf_counter()))
        message = ForwardMsg()
        message.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
        _collect(session, message)
        if message.WhichOneof("type") == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:  # st.rerun(): the next run follows
                session.texts.clear()
                continue
            return time.perf_counter() - started
    raise TimeoutError("the run did not finish")


def switch_page(session: Session, url_path: str, timeout: float = 30) -> float:
    """Open another page of the app, as a click in the menu does."""
    back = BackMsg()
    back.rerun_script.query_string = ""
    back.rerun_script.page_name = url_path
    session.texts.clear()
    session.media.clear()
    started = time.perf_counter()
    session.socket.send(back.SerializeToString())
    return _read_run(session, started, timeout)


def put_file(session: Session, body: bytes, name: str = "f.csv", cookies: dict[str, str] | None = None) -> int:
    """PUT a file into a session's upload endpoint as the browser does; the HTTP status."""
    import uuid

    jar = cookies if cookies is not None else session.cookies
    boundary = uuid.uuid4().hex
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: text/csv\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(  # noqa: S310 - the test's own server on loopback
        f"{session.base}/_stcore/upload_file/{session.session_id}/{uuid.uuid4().hex}",
        data=payload,
        method="PUT",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": jar.get("_streamlit_xsrf", ""),
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (ConnectionError, urllib.error.URLError):
        return 0  # the server closed the connection before the body was sent: refused


def get(base: str, path: str, cookies: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A GET with the given cookies: status, headers, body."""
    request = urllib.request.Request(  # noqa: S310
        f"{base}{path}", headers={"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def sign_in(session: Session, name: str, password: str, timeout: float = 30) -> float:
    """Fill the login form and press its button, as a person would."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    states = []
    for key, value in (("auth.name", name), ("auth.password", password)):
        state = WidgetState()
        state.id = session.widgets[key][1]
        state.string_value = value
        states.append(state)
    submit = WidgetState()
    submit.id = next(i for k, (_, i) in session.widgets.items() if k.startswith("submit:"))
    submit.trigger_value = True
    states.append(submit)
    return rerun(session, states, timeout=timeout)


def raw(base: str, lines: list[str], timeout: float = 10) -> int:
    """A request written by hand (headers repeated as an attacker would), the status it is answered with
    (101: a websocket accepted; 0: the connection closed without an answer)."""
    import socket
    from urllib.parse import urlsplit

    where = urlsplit(base)
    with socket.create_connection((where.hostname, where.port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join([*lines, f"Host: {where.netloc}", "", ""])).encode("latin-1"))
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def upgrade(path: str, protocols: list[str], cookies: list[str]) -> list[str]:
    """The lines of a websocket upgrade request, one Sec-WebSocket-Protocol and one Cookie line each given."""
    return [
        f"GET {path} HTTP/1.1",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        *(f"Sec-WebSocket-Protocol: {p}" for p in protocols),
        *(f"Cookie: {c}" for c in cookies),
    ]
