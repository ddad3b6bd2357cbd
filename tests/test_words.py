"""Chinese words where Chinese users read (issue 14, in part): the audit log's actions and outcomes,
empty tables, and a confirmation before a rollback."""

from __future__ import annotations

from pathlib import Path

import pytest

from reform import auth, i18n
from reform.config import Config
from reform.store import Store
from tests.test_auth import app, sign_in

ROOT = Path(__file__).resolve().parent.parent


def test_the_audit_log_speaks_chinese(sample_copy: Path, cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(sample_copy)
    auth.add_user(store, cfg, "admin", "admin", "Admin-secret-pw")
    with pytest.raises(auth.AuthError):
        auth.login(store, "admin", "wrong-password")
    at = sign_in(app(sample_copy, monkeypatch), "admin", "Admin-secret-pw")
    at.switch_page("app_pages/audit.py").run()
    log = at.dataframe[0].value
    words = set(log["操作"]) | set(log["结果"]) | set(log["详情"])
    assert {"登录", "成功", "被拒绝", "密码错误", "载入示例数据"} <= words
    assert not words & {"login", "ok", "refused", "wrong_password", "sample"}


def test_templates_speak_chinese_to_the_clerk(cfg: Config) -> None:
    """The template's title, cell notes and 填写说明 rules were English (issue 14)."""
    import io
    import re

    import openpyxl

    from reform import templates
    from reform.datasets import DATASETS

    for name in DATASETS:
        book = openpyxl.load_workbook(io.BytesIO(templates.xlsx(name, cfg)))
        data, guide = book.worksheets[0], book["填写说明"]
        texts = [data.cell(1, 1).value] + [c.comment.text for c in data[2] if c.comment]
        texts += [row[3].value for row in guide.iter_rows(min_row=2)]
        english = [w for t in texts for w in re.findall(r"[A-Za-z]{4,}", str(t))]
        assert english == [], (name, english)


@pytest.mark.parametrize(
    ("recorded", "shown"),
    [
        ("报表.csv (funding): batch 7, 3 rows", "报表.csv (funding): 批次 7, 3 行"),
        ("batch 7 slice funding/溱潼镇/2025 -> batch 9, 2 rows", "批次 7 切片 funding/溱潼镇/2025 → 批次 9, 2 行"),
        ("sample batch 2", "示例批次 2"),
        ("pdf: version 6, 16 slides", "pdf: 数据版本 6, 16 页"),
        ("x.csv (funding): not allowed for leader", "x.csv (funding)：领导（查看）无此权限"),
        ("x.csv: rows 3, 4 of 白米镇", "x.csv: 第 3, 4 行属于 白米镇"),
    ],
)
def test_recorded_audit_details_read_in_chinese(recorded: str, shown: str) -> None:
    assert i18n.audit_detail(recorded, "zh") == shown
    assert i18n.audit_detail(recorded, "en") == recorded  # the log itself keeps what was written
