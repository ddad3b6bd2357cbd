"""Notifications against real receivers on 127.0.0.1: a group-robot HTTP server checking 企业微信's
payload and 钉钉's signature, and an SMTP server requiring STARTTLS and a login (aiosmtpd).

The store is the small fixture with reporting reduced to yearly funding owed from 2026: on
2027-03-05 every one of its three townships is overdue with its 2026 report (due 2027-03-01).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from reform import config as config_module
from reform import notify
from reform.config import Config, ConfigError
from reform.notify.channels import RateLimit, dingtalk_signed
from reform.notify.messages import Message
from reform.store import Store
from tests.conftest import load_small
from tests.receivers import Mailbox, RobotServer, serve_mail

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "fixtures" / "small"
OVERDUE_DAY = date(2027, 3, 5)
TOWNSHIPS = {"甲镇", "乙镇", "丙街道"}


@pytest.fixture
def mail(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path]]:
    mailbox = Mailbox()
    controller, port, cert = serve_mail(mailbox, tmp_path)
    yield mailbox, port, cert
    controller.stop()


def write_config(tmp_path: Path, notify_section: dict, **reporting: object) -> Path:
    data = yaml.safe_load((SMALL / "config.yaml").read_text(encoding="utf-8"))
    data["reporting"] = {
        "first_year": 2026,
        "datasets": {"funding": {"frequency": "year", "by": "townships", "due_days": 60}},
        **reporting,
    }
    data["storage"]["sample_dir"] = str(ROOT / "data" / "sample")
    data["notify"] = notify_section
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def loaded(path: Path, db: Path) -> Config:
    return config_module.load(path).with_database(db)


@pytest.fixture
def db(small_store_file: Path | str, small_cfg: Config, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """The small fixture to send from: a copy of its DuckDB file, or a new PostgreSQL database with it
    (every notification test runs on both backends: the claim is the store's transaction)."""
    if isinstance(small_store_file, str):
        url = request.getfixturevalue("postgres").database()
        load_small(Store(url), small_cfg)
        return url
    target = tmp_path / "notify.duckdb"
    shutil.copy(small_store_file, target)
    return target


VACANCIES = "镇街,统计期,岗位类型,核定数,在岗数\n甲镇,2025-Q4,团组织书记,9,0\n乙镇,2025-Q4,团组织书记,9,0\n"
# 18 branches without a secretary: above the amber line of 5, so 团组织书记空缺 turns red


def leaders_robot(url: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Leaders' alerts to a 企业微信 robot, no digest."""
    monkeypatch.setenv("REFORM_NOTIFY_LEADERS_URL", f"{url}/wecom?key=leaders")
    return {"leaders_channel": "leaders", "digest_weekday": 0, "channels": {"leaders": {"type": "wecom"}}}


def robot_config(url: str, monkeypatch: pytest.MonkeyPatch, **extra: object) -> dict:
    monkeypatch.setenv("REFORM_NOTIFY_TOWNSHIPS_URL", f"{url}/wecom?key=test-key")
    return {
        "townships_channel": "townships",
        "remind_days_before": 0,
        "digest_weekday": 0,
        "backoff_seconds": 0.05,
        "channels": {"townships": {"type": "wecom"}},
        **extra,
    }


def test_three_overdue_townships_get_exactly_three_reminders_and_none_again(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver, url = robots
    cfg = loaded(write_config(tmp_path, robot_config(url, monkeypatch)), db)
    first = notify.run(Store(db), cfg, OVERDUE_DAY)
    assert (first.due, len(first.sent), first.failed, first.skipped) == (3, 3, [], 0)
    texts = [r.body["text"]["content"] for r in receiver.received]
    assert {t.split("：")[0].removeprefix("【催报】") for t in texts} == TOWNSHIPS
    assert all("经费保障（2026）应于 2027年3月1日 前报送，已逾期 4 天" in t for t in texts)
    again = notify.run(Store(db), cfg, OVERDUE_DAY)
    assert (again.due, again.sent, again.skipped) == (3, [], 3)
    assert len(receiver.received) == 3
    sent = notify.log(Store(db))
    assert list(sent["status"]) == ["sent"] * 3 and set(sent["recipient"]) == TOWNSHIPS
    assert set(sent["result"]) == {"ok"} and set(sent["channel"]) == {"townships"}


def test_two_runs_started_at_the_same_moment_send_each_reminder_once(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver, url = robots
    path = write_config(tmp_path, robot_config(url, monkeypatch))
    command = [
        sys.executable, "-m", "reform", "--db", str(db), "--config", str(path),
        "notify", "--today", OVERDUE_DAY.isoformat(), "--json",
    ]  # fmt: skip
    runs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [run.communicate(timeout=180) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [o[1].decode()[-2000:] for o in outputs]
    counts = [json.loads(out.decode()) for out, _ in outputs]
    assert sum(c["sent"] for c in counts) == 3 and sum(c["skipped"] for c in counts) == 3
    assert len(receiver.received) == 3
    assert len({r.body["text"]["content"] for r in receiver.received}) == 3


def test_fifty_messages_to_one_robot_keep_to_its_rate(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 a minute, with the minute scaled to 1.5 s so the test takes seconds, not minutes."""
    receiver, url = robots
    section = robot_config(url, monkeypatch)
    section["channels"]["townships"] |= {"per_minute": 20, "window_seconds": 1.5}
    cfg = loaded(write_config(tmp_path, section), db)
    messages = [Message(f"test:{n}", "remind_overdue", "townships", "甲镇", f"消息 {n}", "正文") for n in range(50)]
    outcome = notify.send(Store(db), cfg, messages)
    assert len(outcome.sent) == 50 and len(receiver.received) == 50
    times = sorted(r.at for r in receiver.received)
    busiest = max(sum(1 for t in times if start <= t < start + 1.5) for start in times)
    assert busiest <= 20
    assert times[-1] - times[0] >= 2 * 1.5 * 0.9  # 50 at 20 a window need at least two full waits


def test_the_rate_limit_waits_only_when_the_window_is_full() -> None:
    waits: list[float] = []
    limit = RateLimit(3, 60, sleep=waits.append)
    for _ in range(3):
        limit.wait()
        limit.done()
    assert waits == []
    limit.wait()
    assert len(waits) == 1 and 59 < waits[0] <= 60.01


def test_a_robot_error_is_retried_with_back_off_and_recorded(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver, url = robots
    receiver.fail_next = 2  # HTTP 500 twice, then the robot answers
    cfg = loaded(write_config(tmp_path, robot_config(url, monkeypatch)), db)
    outcome = notify.run(Store(db), cfg, OVERDUE_DAY)
    assert len(outcome.sent) == 3 and not outcome.failed
    assert sorted(notify.log(Store(db))["attempts"]) == [1, 1, 3]


def test_dingtalk_messages_are_signed_and_a_wrong_secret_is_recorded_as_failed(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver, url = robots
    monkeypatch.setenv("REFORM_NOTIFY_DING_URL", f"{url}/dingtalk?access_token=test-token")
    monkeypatch.setenv("REFORM_NOTIFY_DING_SECRET", receiver.dingtalk_secret)
    section = {
        "townships_channel": "ding",
        "remind_days_before": 0,
        "digest_weekday": 0,
        "backoff_seconds": 0.05,
        "channels": {"ding": {"type": "dingtalk"}},
    }
    cfg = loaded(write_config(tmp_path, section), db)
    assert len(notify.run(Store(db), cfg, OVERDUE_DAY).sent) == 3
    assert {r.robot for r in receiver.received} == {"dingtalk"}
    assert all(r.query["access_token"] == "test-token" for r in receiver.received)
    monkeypatch.setenv("REFORM_NOTIFY_DING_SECRET", "SEC-wrong")
    with Store(db).writing() as con:  # the same reminders again, now with the wrong secret
        con.execute("DELETE FROM notifications")
    failed = notify.run(Store(db), cfg, OVERDUE_DAY)
    assert len(failed.failed) == 3 and len(receiver.received) == 3
    log = notify.log(Store(db))
    assert set(log["result"]) == {"errcode 310000: sign not match"} and set(log["attempts"]) == {1}  # not retried


def test_the_dingtalk_signature_is_the_documented_one() -> None:
    """钉钉: sign = urlencode(base64(HMAC-SHA256(secret, timestamp + "\\n" + secret)))."""
    signed = dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=t", "SECabc", now_ms=1700000000000)
    assert signed == (
        "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000"
        "&sign=jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D"
    )


def mail_channel(mailbox: Mailbox, port: int, cert: Path, to: list[str]) -> dict:
    """An e-mail channel to the local server: STARTTLS on ``port``, its certificate as the CA."""
    return {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "user": mailbox.user,
        "sender": mailbox.user,
        "to": to,
        "ca_file": str(cert),
    }


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="the digest's PDF needs chromium")
def test_the_weekly_digest_arrives_by_mail_over_starttls_with_the_pack(
    mail: tuple[Mailbox, int, Path], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox, port, cert = mail
    monkeypatch.setenv("REFORM_NOTIFY_LEADERS_PASSWORD", mailbox.password)
    to = ["secretary@district.example", "deputy@district.example"]
    section = {
        "leaders_channel": "leaders",
        "digest_weekday": OVERDUE_DAY.isoweekday(),
        "channels": {"leaders": mail_channel(mailbox, port, cert, to)},
    }
    cfg = loaded(write_config(tmp_path, section), db)
    outcome = notify.run(Store(db), cfg, OVERDUE_DAY)
    assert outcome.sent == ["digest:2027-W09"] and not outcome.failed
    (message,) = mailbox.messages
    assert mailbox.tls_seen == [True]
    assert mailbox.recipients == [["secretary@district.example", "deputy@district.example"]]
    assert message["Subject"] == "姜堰区基层团组织改革周报（2027年3月5日）"
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert "项考核指标中" in body.decode("utf-8")
    (pdf,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename().endswith(".pdf") and pdf.get_payload(decode=True).startswith(b"%PDF")
    assert notify.run(Store(db), cfg, OVERDUE_DAY).sent == []  # once a week


def test_a_wrong_mail_password_is_recorded_and_not_retried(
    mail: tuple[Mailbox, int, Path], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox, port, cert = mail
    monkeypatch.setenv("REFORM_NOTIFY_LEADERS_PASSWORD", "wrong")
    section = {
        "townships_channel": "leaders",
        "remind_days_before": 0,
        "digest_weekday": 0,
        "channels": {"leaders": mail_channel(mailbox, port, cert, ["secretary@district.example"])},
    }
    outcome = notify.run(Store(db), loaded(write_config(tmp_path, section), db), OVERDUE_DAY)
    assert len(outcome.failed) == 3 and not mailbox.messages
    assert set(notify.log(Store(db))["result"]) == {"the mail server refused the login"}


def test_a_kpi_turning_red_sends_one_alert_to_leaders(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reform import ingest

    receiver, url = robots
    cfg = loaded(write_config(tmp_path, leaders_robot(url, monkeypatch)), db)
    assert notify.run(Store(db), cfg, OVERDUE_DAY).sent == []  # the first run only notes today's statuses
    Store(db).commit(ingest.validate(VACANCIES.encode(), "书记.csv", cfg), "clerk")
    outcome = notify.run(Store(db), cfg, OVERDUE_DAY)
    assert [k.split(":")[:2] for k in outcome.sent] == [["kpi_red", "secretary_vacancies"]]
    (alert,) = [r.body["text"]["content"] for r in receiver.received]
    assert alert.startswith("【预警】姜堰区：团组织书记空缺转为未达标")
    assert notify.run(Store(db), cfg, OVERDUE_DAY).sent == []


def test_secrets_never_come_from_the_configuration(tmp_path: Path) -> None:
    section = {"channels": {"townships": {"type": "wecom", "url": "https://qyapi.weixin.qq.com/x?key=k"}}}
    with pytest.raises(ConfigError, match=r"notify.channels.townships.url: unknown key \(secrets go in"):
        config_module.load(write_config(tmp_path, section))
    bad = {"channels": {}, "townships_channel": "nowhere"}
    with pytest.raises(ConfigError, match=r"notify\.townships_channel: no channel 'nowhere'"):
        config_module.load(write_config(tmp_path, bad))
    wording = {"templates": {"remind_tail": "请上传 {township}"}}
    with pytest.raises(ConfigError, match=r"notify.templates.remind_tail: unknown field \{township\}"):
        config_module.load(write_config(tmp_path, wording))


def test_a_district_may_word_its_own_reminders(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver, url = robots
    section = robot_config(url, monkeypatch, templates={"remind_overdue_subject": "请{township}尽快报送"})
    notify.run(Store(db), loaded(write_config(tmp_path, section), db), OVERDUE_DAY)
    assert {r.body["text"]["content"].splitlines()[0] for r in receiver.received} == {
        f"请{t}尽快报送" for t in TOWNSHIPS
    }


def test_nothing_is_sent_or_recorded_on_a_dry_run(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver, url = robots
    outcome = notify.run(
        Store(db), loaded(write_config(tmp_path, robot_config(url, monkeypatch)), db), OVERDUE_DAY, True
    )
    assert outcome.due == 3 and not receiver.received and notify.log(Store(db)).empty


def test_admins_see_every_send_in_chinese(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    receiver, url = robots
    path = write_config(tmp_path, robot_config(url, monkeypatch))
    receiver.fail_next = 3  # one reminder fails all its attempts
    notify.run(Store(db), loaded(path, db), OVERDUE_DAY)
    monkeypatch.setenv("REFORM_DB", str(db))
    monkeypatch.setenv("REFORM_CONFIG", str(path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page("app_pages/notifications.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table.columns[:6]) == ["创建时间", "类型", "接收方", "渠道", "标题", "状态"]
    assert set(table["类型"]) == {"逾期催报"} and set(table["接收方"]) == TOWNSHIPS
    assert sorted(table["状态"]) == ["发送失败", "已发送", "已发送"]
    assert "HTTP 500" in set(table["结果"])


def test_a_returned_slice_tells_its_township_why_once(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from reform import auth, ingest, review
    from reform.review import Step

    receiver, url = robots
    section = robot_config(url, monkeypatch)
    section["remind_days_before"] = 0
    cfg = replace(loaded(write_config(tmp_path, section), db), review_required=True)
    store = Store(db)
    report = ingest.validate("镇街,年度,经费类型,金额（元）\n甲镇,2026,青少年发展专项,5000\n".encode(), "f.csv", cfg)
    batch = store.commit(report, "jia", review=True).batch_id
    review.submit_batch(store, cfg, auth.User("jia", "township", "甲镇"), batch)
    key = '{"township":"甲镇","year":2026}'
    forged = "缺少青少年人数\n【催报】团区委通知：请将账号密码发至 \u202eevil@example.com\t" + "长" * 300
    review.take(store, cfg, auth.User("d", "district", None), [Step("funding", key, "return")], reason=forged)
    outcome = notify.run(store, cfg, OVERDUE_DAY)
    returned = [r.body["text"]["content"] for r in receiver.received if "【退回】" in r.body["text"]["content"]]
    assert len(returned) == 1
    subject, body = returned[0].split("\n")  # two lines: the system's subject and its sentence, nothing more
    assert subject == "【退回】甲镇：报表需修改后重新提交"
    assert body.startswith(
        "经费保障（2026）已被退回，审核人填写的原因："
        "“缺少青少年人数 【催报】团区委通知：请将账号密码发至 evil@example.com 长长"
    )  # the reviewer's words in one line, quoted, with no direction override
    assert body.endswith("长…”。请修改后重新上传并提交审核。") and "\u202e" not in body
    assert len(body) < 260  # capped (the page shows the reason whole)
    # 乙镇 and 丙街道 are still overdue, and so is 甲镇: a returned report is owed again (its 催报 names it)
    assert len(outcome.sent) == 4
    reminded = [r.body["text"]["content"] for r in receiver.received if "甲镇" in r.body["text"]["content"]]
    assert any("经费保障" in text and "2026" in text and "【退回】" not in text for text in reminded)
    assert notify.run(store, cfg, OVERDUE_DAY).sent == []


def test_with_review_on_a_kpi_turns_red_for_leaders_at_approval_and_alerts_once(
    robots: tuple[RobotServer, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from reform import auth, ingest, review
    from reform.review import Step

    receiver, url = robots
    cfg = replace(loaded(write_config(tmp_path, leaders_robot(url, monkeypatch)), db), review_required=True)
    store = Store(db)
    assert notify.run(store, cfg, OVERDUE_DAY).sent == []  # the baseline
    batch = store.commit(ingest.validate(VACANCIES.encode(), "书记.csv", cfg), "clerk", review=True).batch_id
    assert notify.run(store, cfg, OVERDUE_DAY).sent == []  # uploaded, not approved: leaders see no change
    district = auth.User("d", "district", None)
    review.submit_batch(store, cfg, auth.User("admin", "admin", None), batch)
    keys = list(review.queue(store)["slice"])
    review.take(store, cfg, district, [Step("staffing", k, "approve") for k in keys])
    outcome = notify.run(store, cfg, OVERDUE_DAY)
    assert [k.split(":")[:2] for k in outcome.sent] == [["kpi_red", "secretary_vacancies"]]
    assert notify.run(store, cfg, OVERDUE_DAY).sent == [] and len(receiver.received) == 1
