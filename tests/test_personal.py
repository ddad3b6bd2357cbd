"""Issue 27 (个人信息保护): columns a dataset declares personal are masked for readers without need,
shown whole to those who work with the rows, and leave in a spreadsheet only with an audited reason."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from reform import actions, audience, auth, personal
from reform.auth import User
from reform.config import Config
from reform.datasets import DATASETS, TEXT, TOWNSHIP, YEAR, Column, Dataset, register
from reform.store import Store
from ui.context import Context

CONTACTS = Dataset(
    "contacts",
    "联络员",
    "Liaison officers",
    (
        Column("township", "镇街", "Township", TOWNSHIP, doc="a township", doc_zh="镇街"),
        Column("year", "年度", "Year", YEAR, doc="year", doc_zh="年度"),
        Column("contact", "联络员", "Liaison officer", TEXT, doc="a person", doc_zh="姓名", personal="name"),
        Column("phone", "手机", "Mobile", TEXT, doc="a phone", doc_zh="手机号", personal="phone"),
        Column("id_no", "身份证号", "ID number", TEXT, doc="an ID", doc_zh="身份证号", personal="id_number"),
    ),
    key=("township", "year"),
    slice=("township", "year"),
    doc="one liaison officer per township and year",
    doc_zh="每个镇街每年一名联络员",
    grain="year",
    time_column="year",
    example={"township": "罗塘街道", "year": 2025, "contact": "王小明", "phone": "13812341234", "id_no": "320123"},
)
ROWS = pd.DataFrame(
    {
        "township": ["罗塘街道", "白米镇"],
        "contact": ["王小明", "欧阳娜娜"],
        "phone": ["13812341234", "139 0000 5678"],
        "id_no": ["320123199001011234", "32012319900101123X"],
    }
)


@pytest.fixture
def contacts(monkeypatch: pytest.MonkeyPatch) -> Dataset:
    """The dataset declared as an extension would (taken back after the test)."""
    monkeypatch.setitem(DATASETS, "contacts", CONTACTS)
    return CONTACTS


def test_masks_keep_the_ends_only() -> None:
    assert personal.mask("13812341234", "phone") == "138****1234"
    assert personal.mask("139 0000 5678", "phone") == "139****5678"
    assert personal.mask("320123199001011234", "id_number") == "3201**********1234"
    assert [personal.mask(n, "name") for n in ("王伟", "王小明", "欧阳娜娜")] == ["王*", "王*明", "欧***"]
    assert personal.mask(None, "phone") is None and personal.mask("", "name") == ""
    with pytest.raises(ValueError, match="personal must be"):
        register(Dataset("x", "x", "x", (Column("a", "a", "a", TEXT, personal="email"),), key=("a",), slice=("a",)))


def test_who_sees_a_person_whole(contacts: Dataset) -> None:
    assert personal.columns() == {"contact": "name", "phone": "phone", "id_no": "id_number"}
    for role in ("leader", "secadmin", "auditor", None):
        masked = personal.shown(ROWS, role)
        assert list(masked["phone"]) == ["138****1234", "139****5678"], role
        assert list(masked["contact"]) == ["王*明", "欧***"] and masked["id_no"][0] == "3201**********1234"
        assert list(masked["township"]) == list(ROWS["township"])  # a unit is no person
    for role in ("township", "district", "admin", "sysadmin"):
        assert personal.shown(ROWS, role).equals(ROWS), role
    assert list(ROWS["phone"]) == ["13812341234", "139 0000 5678"]  # the frame itself untouched


def _table(db: Path, cfg: Config, user: User) -> AppTest:
    def script() -> None:
        import streamlit as st

        from tests.test_personal import ROWS
        from ui import widgets

        widgets.table(st.session_state["global.context"], ROWS, list(ROWS.columns), key="data.rows")

    context = Context(cfg.with_database(db), Store(db), "zh", audience.decide(Store(db), cfg, user), user)
    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["global.context"] = context
    return at.run()


def test_the_table_masks_for_a_leader_and_asks_a_reviewer_why_before_export(
    contacts: Dataset, sample_copy: Path, cfg: Config
) -> None:
    leader = _table(sample_copy, cfg, User("wang", "leader"))
    assert not leader.exception
    shown = leader.dataframe[0].value
    assert list(shown["手机"]) == ["138****1234", "139****5678"] and list(shown["联络员"]) == ["王*明", "欧***"]
    assert not leader.text_input  # masked: exported as shown, no reason asked
    reviewer = _table(sample_copy, cfg, User("li", "district"))
    shown = reviewer.dataframe[0].value
    assert list(shown["手机"]) == ["13812341234", "139 0000 5678"]
    (reason,) = reviewer.text_input
    assert "含个人信息" in reason.label
    store = Store(sample_copy)
    actions.exported_personal(store, User("li", "district"), "联络员", "核对联络员\n名单")
    line = auth.audit_log(store).iloc[0]
    assert (line["action"], line["detail"]) == ("export_personal", "联络员: 核对联络员 名单")
    with pytest.raises(actions.RefusedError):
        actions.exported_personal(store, User("zhao", "township", "罗塘街道"), "联络员", "带走")  # may not export
