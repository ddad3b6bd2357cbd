"""Personal information in reports (GB/T 22239 个人信息保护; 《个人信息保护法》): columns a dataset
declares personal — a person's name, phone number or ID number — are shown whole only to readers
who need them, masked for everyone else, and leave the app in a spreadsheet only with a reason that
is audited.

Who needs them: the clerk who reports them (a township sees its own rows only), the district staff
who review them, and the administrators who keep the data (sysadmin, a combined admin). Leaders,
the security and the audit administrators see them masked; the dashboards show none (figures only).
The reports of DATA-CONTRACT.md hold no personal data; an extension's dataset declares its own
(``Column(..., personal="phone")``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reform.datasets import DATASETS

KINDS = ("name", "phone", "id_number")
NEED = frozenset({"township", "district", "admin", "sysadmin"})  # roles that work with the rows themselves


def mask(value: Any, kind: str) -> Any:
    """A value as a reader without need sees it: 王*明 / 欧阳** , 138****1234, 3201**********1234."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    text = str(value).strip()
    if not text:
        return text
    if kind == "phone":
        digits = text.replace(" ", "").replace("-", "")
        return digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:] if len(digits) > 7 else "*" * len(digits)
    if kind == "id_number":
        return text[:4] + "*" * max(len(text) - 8, 1) + text[-4:] if len(text) > 8 else "*" * len(text)
    if len(text) <= 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1] if len(text) == 3 else text[:1] + "*" * (len(text) - 1)


def columns() -> dict[str, str]:
    """Every column code a dataset declares personal, with its kind."""
    return {c.name: c.personal for d in DATASETS.values() for c in d.columns if c.personal}


def needs(role: str | None) -> bool:
    """Whether a reader of this role sees personal data whole."""
    return role in NEED


def personal_in(frame: pd.DataFrame) -> list[str]:
    """The personal columns a table holds (by code)."""
    declared = columns()
    return [c for c in frame.columns if c in declared]


def shown(frame: pd.DataFrame, role: str | None) -> pd.DataFrame:
    """The table as this reader may see it: personal columns masked unless the role needs them."""
    found = personal_in(frame)
    if not found or needs(role):
        return frame
    declared = columns()
    out = frame.copy()
    for code in found:
        out[code] = out[code].map(lambda v, kind=declared[code]: mask(v, kind)).astype(object)
    return out
