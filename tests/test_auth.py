"""Accounts and roles through the real app: the login gate, a role × page × action matrix,
uploads refused across townships, lock-out, and no clear-text password anywhere."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from reform import auth, ingest
from reform.auth import AuthError
from reform.config import Config
from reform.store import Store
from tests.conftest import copy_store

ROOT = Path(__file__).resolve().parent.parent
PASSWORDS = {
    "admin": "Adm1n-secret-pw",
    "leader": "Lead3r-secret-pw",
    "luotang": "Luotang-secret-pw",
    "district": "D1strict-secret-pw",
    "sys": "Sys-admin-secret1",
    "sec": "Sec-admin-secret1",
    "aud": "Aud-admin-secret1",
}
ROLES = {
    "admin": ("admin", None),
    "leader": ("leader", None),
    "luotang": ("township", "罗塘街道"),
    "district": ("district", None),
    "sys": ("sysadmin", None),  # 三员分立 (issue 27): system, security and audit administrators
    "sec": ("secadmin", None),
    "aud": ("auditor", None),
}
PAGES = [
    "overview",
    "township",
    "meeting",
    "staffing",
    "funding",
    "upload",
    "review",
    "completeness",
    "data",
    "users",
    "security",
    "audit",
    "notifications",
    "account",
]
# what each account may open, by hand from the issue: leaders view, meet and export; townships upload and see history
MAY_OPEN = {
    "admin": set(PAGES),
    "leader": {"overview", "township", "meeting", "staffing", "funding", "completeness", "account"},
    "luotang": {"overview", "township", "staffing", "funding", "upload", "completeness", "data", "account"},
    "district": {
        "overview",
        "township",
        "meeting",
        "staffing",
        "funding",
        "upload",
        "review",
        "completeness",
        "data",
        "account",
    },
    # the three administrators: accounts and data upkeep / locks and the self-check / the audit log alone
    "sys": {"overview", "township", "staffing", "funding", "completeness", "data", "users", "account"},
    "sec": {"security", "account"},
    "aud": {"audit", "notifications", "account"},
}
OWN_FUNDING = "镇街,年度,经费类型,金额（元）\n罗塘街道,2025,青少年发展专项,5万\n"  # within 50% of 2024 per head
OTHER_FUNDING = "镇街,年度,经费类型,金额（元）\n罗塘街道,2025,青少年发展专项,9万\n三水街道,2025,青少年发展专项,1万\n"


@pytest.fixture(scope="module")
def accounts_db(sample_db: Path, cfg: Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "accounts.duckdb"
    shutil.copy(sample_db, path)
    store = Store(path)
    for name, (role, township) in ROLES.items():
        auth.add_user(store, cfg, name, role, PASSWORDS[name], township)
    return path


@pytest.fixture
def db(request: pytest.FixtureRequest, backend: str, accounts_db: Path, tmp_path: Path) -> str | Path:
    """The sample store with one account per role, on each backend (the app runs on both)."""
    return copy_store(request, backend, accounts_db, tmp_path / "db.duckdb")


def app(db: str | Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("REFORM_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    return at


def sign_in(at: AppTest, name: str, password: str | None = None) -> AppTest:
    at.text_input(key="auth.name").input(name)
    at.text_input(key="auth.password").input(password or PASSWORDS[name])
    next(b for b in at.button if b.label == "登录").click().run()
    assert not at.exception, at.exception
    return at


def forbidden(at: AppTest) -> bool:
    return any("无权访问" in e.value for e in at.error)


def test_a_visitor_sees_a_login_form_and_no_figures(db: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(db, monkeypatch)
    assert at.title[0].value == "请登录"
    assert not at.metric and not at.get("plotly_chart") and not at.dataframe
    for page in ("app_pages/funding.py", "app_pages/upload.py"):
        at.switch_page(page).run()
        assert at.title[0].value == "请登录" and not at.metric


@pytest.mark.parametrize("name", list(ROLES))
def test_role_page_matrix_through_the_navigation(db: str | Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    at = sign_in(app(db, monkeypatch), name)
    for page in PAGES:
        if page not in MAY_OPEN[name]:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"app_pages/{page}.py")  # not in this role's navigation at all
            continue
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (name, page, at.exception)
        assert not forbidden(at) and at.title and at.title[0].value != "请登录", (name, page)


@pytest.mark.parametrize("name", list(ROLES))
def test_every_page_checks_the_role_again_when_run_directly(db: str | Path, cfg: Config, name: str) -> None:
    """A page reached without the menu (its script run on its own) refuses a role that may not use it."""
    from reform import audience
    from ui.context import Context

    role, township = ROLES[name]
    user = auth.User(name, role, township)
    context = Context(
        cfg.with_database(db),
        Store(db),
        "zh",
        audience.decide(Store(db), cfg.with_database(db), user),
        user,
    )
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=120)
        at.session_state["global.context"] = context
        at.run()
        assert forbidden(at) == (page not in MAY_OPEN[name] and page != "account"), (name, page)


def test_a_township_clerk_cannot_upload_another_townships_rows(db: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = sign_in(app(db, monkeypatch), "luotang")
    version = Store(db).data_version()
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload.file").upload("经费.csv", OTHER_FUNDING.encode("gbk"), "text/csv").run()
    assert any("第 3 行属于 三水街道" in e.value for e in at.error)
    counts = {m.label: m.value for m in at.metric}
    assert counts["可保存行数"] == "0" and counts["错误"] != "0"  # never "rows can be stored" above a refusal
    assert len(at.error) == 1 and not at.success
    assert not [b for b in at.button if b.key == "upload.commit"]
    assert Store(db).data_version() == version
    log = auth.audit_log(Store(db))
    assert ((log["action"] == "upload") & (log["outcome"] == "refused") & (log["user_name"] == "luotang")).any()
    at.file_uploader(key="upload.file").upload("经费.csv", OWN_FUNDING.encode("gbk"), "text/csv").run()
    at.button(key="upload.commit").click().run()
    assert Store(db).data_version() == version + 1
    assert Store(db).batches().iloc[0]["uploaded_by"] == "luotang"


def test_a_leader_cannot_upload_and_a_clerk_cannot_roll_back(db: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = sign_in(app(db, monkeypatch), "leader")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/upload.py")
    at = sign_in(app(db, monkeypatch), "luotang")
    at.switch_page("app_pages/data.py").run()
    assert not [b for b in at.button if b.key in ("data.undo_button", "data.restore_button")]
    shown = at.selectbox(key="data.batch").options
    datasets = {b.batch_id: b.dataset for b in Store(db).batches().itertuples()}
    # the sample batches holding 罗塘街道 rows; alumni rows belong to no township
    assert sorted(datasets[int(o.split(" · ")[0].lstrip("#"))] for o in shown) == [
        "funding",
        "inspections",
        "members",
        "staffing",
        "venues",
    ]


def test_the_store_refuses_rows_and_replacements_outside_the_units(store: Store, cfg: Config) -> None:
    header = "阵地名称,镇街,类型,启用日期,统计期\n"
    store.commit(
        ingest.validate((header + "共用名称之家,三水,专营店,2022-01-01,2025\n").encode(), "a.csv", cfg), "admin"
    )
    theirs = ingest.validate((header + "共用名称之家,罗塘,专营店,2022-01-01,2025\n").encode(), "b.csv", cfg)
    with pytest.raises(PermissionError):
        store.commit(theirs, "luotang", units={"罗塘街道"})  # the same key would replace 三水's row
    other = ingest.validate((header + "某之家,三水,专营店,2022-01-01,2025\n").encode(), "c.csv", cfg)
    with pytest.raises(PermissionError):
        store.commit(other, "luotang", units={"罗塘街道"})
    assert store.data_version() == 1


def test_lock_out_after_repeated_failures(store: Store, cfg: Config) -> None:
    auth.add_user(store, cfg, "wang", "leader", "Wang-secret-pw")
    now = datetime(2026, 1, 1, 9, 0)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(AuthError, match="bad_login"):
            auth.login(store, "wang", "wrong", now)
    with pytest.raises(AuthError, match="bad_login"):  # locked: the same answer as a wrong password
        auth.login(store, "wang", "Wang-secret-pw", now + timedelta(minutes=5))  # even the right password
    reasons = list(auth.audit_log(store)["detail"])[::-1]
    assert reasons == ["wrong_password"] * auth.MAX_FAILURES + ["locked"]
    assert auth.login(store, "wang", "Wang-secret-pw", now + timedelta(minutes=auth.LOCK_MINUTES + 1)).role == "leader"


def test_disabled_accounts_and_bad_accounts(store: Store, cfg: Config) -> None:
    auth.add_user(store, cfg, "li", "township", "Li-secret-pw-1", "三水街道")
    auth.set_disabled(store, "li")
    with pytest.raises(AuthError, match="bad_login"):  # never 'disabled': that would tell the name exists
        auth.login(store, "li", "Li-secret-pw-1")
    assert auth.audit_log(store).iloc[0]["detail"] == "disabled"  # the administrator sees why
    for args, code in (
        (("x", "king", "long-enough-pw"), "bad_role"),
        (("x", "township", "long-enough-pw", "北京"), "bad_township"),
        (("x", "admin", "Sh0rt-x"), "password_short"),
        (("x", "admin", "abcdefghijkl"), "password_weak"),  # one kind of character
        (("x", "admin", "abcdefgh1234"), "password_weak"),  # two kinds: the rule asks for three
        (("Zhou-Pw-2026", "admin", "zhou-pw-2026"), "password_is_name"),  # the name, in another case
        (("Zhou-Pw-2026", "admin", "6202-wP-uohZ"), "password_is_name"),  # the name backwards
        (("li", "admin", "Long-enough-pw"), "user_exists"),
    ):
        with pytest.raises(AuthError, match=code):
            auth.add_user(store, cfg, *args)
    for accepted in ("Abcdefg1", "abcdefg-1", "青年之家abc1", "ABCD-1234"):  # three kinds, eight characters
        auth.check_password(accepted, "someone", cfg.password)
    with pytest.raises(AuthError, match="password_short"):  # a district's own, stricter rule
        auth.check_password("Abcdefg-1234", "someone", replace(cfg.password, min_length=16))
    with pytest.raises(AuthError, match="password_weak"):
        auth.set_password(store, "li", "abcdefghij")  # a reset keeps to the rule too


def test_no_clear_text_password_in_the_database_its_wal_or_the_logs(
    target: str | Path,
    backend: str,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "Tr0ub4dor-见过-zz"
    run = subprocess.run(
        [sys.executable, "-m", "reform", "--db", str(target), "user", "add", "zhao", "--role", "sysadmin"],
        cwd=ROOT,
        input=f"{secret}\n{secret}\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    at = app(target, monkeypatch)
    sign_in(at, "zhao", secret)
    sign_in(app(target, monkeypatch), "zhao", secret + "x")  # a failed attempt is logged without the password
    store = Store(target)
    texts = [run.stdout, run.stderr, caplog.text, auth.audit_log(store).to_string()]
    if backend == "duckdb":
        files = [p for p in Path(target).parent.iterdir() if p.name.startswith(Path(target).name)]
    else:  # PostgreSQL's files (tables and write-ahead log, written out), and this server's replica
        server = request.getfixturevalue("postgres")
        with store.pg(autocommit=True) as pg:
            pg.execute("CHECKPOINT")
        files = [p for p in (server.folder / "data").rglob("*") if p.is_file()]
        files += list(store.path.parent.glob(f"{store.path.name}*"))
    assert files
    for data in [_contents(p) for p in files]:
        for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le"), secret.encode("gb18030")):
            assert encoded not in data
    assert all(secret not in t for t in texts)
    assert "$argon2" in store.query("SELECT password_hash FROM users").iloc[0, 0]


def _contents(path: Path) -> bytes:
    """A file's bytes; nothing for one the running server removed since it was listed (PostgreSQL
    rewrites files such as its relation cache's ``pg_internal.init`` by renaming a new one in)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def test_user_commands(target: str | Path) -> None:
    db = str(target)

    def cli(*args: str, password: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reform", "--db", db, *args],
            cwd=ROOT,
            input=password,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert (
        cli(
            "user",
            "add",
            "zhang",
            "--role",
            "township",
            "--township",
            "罗塘街道",
            password="Zhang-pw-123\nZhang-pw-123\n",
        ).returncode
        == 0
    )
    assert cli("user", "add", "qian", "--role", "leader", password="Qian-pw-1234\nother-pw-1234\n").returncode == 1
    assert cli("user", "passwd", "zhang", password="Zhang-pw-456\nZhang-pw-456\n").returncode == 0
    assert cli("user", "disable", "zhang").returncode == 0
    listing = cli("user", "list")
    assert "zhang" in listing.stdout and "qian" not in listing.stdout and "Zhang-pw" not in listing.stdout
    audit = cli("audit").stdout
    assert "user_add" in audit and "user_passwd" in audit and "user_disable" in audit


def test_local_mode_only_on_this_machine(sample_target: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit import config as st_config

    at = app(sample_target, monkeypatch)  # no account: local mode, with a banner
    assert any("单机模式" in w.value for w in at.sidebar.warning) and at.metric
    previous = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")  # noqa: S104 - the refusal under test
    try:
        at = app(sample_target, monkeypatch)
        assert any("不能在 0.0.0.0 上对外提供服务" in e.value for e in at.error) and not at.metric
    finally:
        st_config.set_option("server.address", previous)


def test_sign_out_and_failed_sign_in_are_audited(db: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = sign_in(app(db, monkeypatch), "leader", "wrong-password")
    assert any("用户名或密码不正确" in e.value for e in at.error)
    at = sign_in(at, "leader")
    assert at.metric
    at.sidebar.button(key="auth.sign_out").click().run()
    assert at.title[0].value == "请登录"
    log = auth.audit_log(Store(db))
    assert list(log[log["user_name"] == "leader"]["action"])[:3] == ["logout", "login", "login"]
    assert list(log[log["user_name"] == "leader"]["outcome"])[:3] == ["ok", "ok", "refused"]


SHARED_NAME_VENUE = "阵地名称,镇街,类型,启用日期,统计期\n三水青年之家专营店,罗塘街道,专营店,2022-04-11,2025年\n"


def test_the_dry_run_refuses_a_shared_key_as_the_commit_would(db: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11, finding 11: 检查通过：可以保存 for a file the commit then refused (a venue named like 三水's)."""
    at = sign_in(app(db, monkeypatch), "luotang")
    version = Store(db).data_version()
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload.file").upload("阵地.csv", SHARED_NAME_VENUE.encode("gbk"), "text/csv").run()
    assert not at.exception
    assert not at.success  # never "check passed: can be saved"
    assert any("第 2 行与 三水街道 已保存的数据同名" in e.value for e in at.error), [e.value for e in at.error]
    assert not [b for b in at.button if b.key == "upload.commit"]
    assert Store(db).data_version() == version
    refused = auth.audit_log(Store(db))
    assert ((refused["action"] == "upload") & (refused["outcome"] == "refused")).sum() == 1


def test_a_clerk_sees_only_their_townships_rows_of_a_shared_batch(
    db: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11, finding 9: opening batch 1 sent a clerk all 1,308 rows of 18 units."""
    at = sign_in(app(db, monkeypatch), "luotang")
    at.switch_page("app_pages/data.py").run()
    first = next(o for o in at.selectbox(key="data.batch").options if o.startswith("#1 "))
    at.selectbox(key="data.batch").select(first).run()
    assert not at.exception
    listing, slices, rows = (d.value for d in at.dataframe)  # batches, the batch's slices, its rows
    assert len(slices) and all(str(s).startswith("罗塘街道") for s in slices.iloc[:, 0])
    township = next(c for c in rows.columns if c in ("镇街", "township"))
    assert set(rows[township]) == {"罗塘街道"}
    assert not listing.astype(str).apply(lambda col: col.str.contains("三水")).any().any()


def test_an_admin_sees_and_lifts_a_locked_name_and_a_slowed_address(
    db: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26, finding 4: holds are lifted by an administrator, on the page, each audited."""
    store = Store(db)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.login(store, "leader", "wrong")
    now = auth.clock.now()
    auth.ADDRESSES.lift("198.51.100.7")  # this process's memory: from a clean slate
    for _ in range(auth.ADDRESS_FAILURES):
        auth.ADDRESSES.failed("198.51.100.7", now)
    at = sign_in(app(db, monkeypatch), "admin")
    at.switch_page("app_pages/users.py").run()
    said = [m.value for m in at.markdown]
    assert any("账户 leader：密码错误次数过多，已暂时锁定" in m for m in said), said
    assert any("198\\.51\\.100\\.7" in m and "延迟 0\\.5 秒" in m for m in said), said
    at.button(key="users.unlock.leader").click().run()
    at.button(key="users.lift.198.51.100.7").click().run()
    assert not at.exception, at.exception
    assert auth.login(store, "leader", PASSWORDS["leader"]).name == "leader"
    assert auth.ADDRESSES.delay("198.51.100.7", auth.clock.now()) == 0
    actions = set(auth.audit_log(store)["action"])
    assert {"user_unlock", "address_lift"} <= actions


def test_a_new_password_ends_the_accounts_other_sessions_and_keeps_its_own(
    db: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 27 (sessions): a reset by an administrator ends a signed-in session at its next run; a
    clerk changing their own password stays signed in there."""
    leader = sign_in(app(db, monkeypatch), "leader")
    assert leader.metric
    auth.set_password(Store(db), "leader", "Reset-secret-pw1")  # the administrator's reset
    leader.run()
    assert leader.title[0].value == "请登录" and not leader.metric
    assert any("密码或角色已更改" in i.value for i in leader.info)
    assert "credentials_changed" in set(auth.audit_log(Store(db))["action"])
    clerk = sign_in(app(db, monkeypatch), "luotang")
    clerk.switch_page("app_pages/account.py").run()
    clerk.text_input(key="account.old").input(PASSWORDS["luotang"])
    clerk.text_input(key="account.new").input("Changed-secret-pw1")
    clerk.text_input(key="account.new2").input("Changed-secret-pw1")
    next(b for b in clerk.button if b.label == "修改密码").click().run()
    assert any("密码已修改" in s.value for s in clerk.success), [s.value for s in clerk.success]
    clerk.switch_page("app_pages/home.py").run()
    assert clerk.title[0].value != "请登录"  # its own session goes on
