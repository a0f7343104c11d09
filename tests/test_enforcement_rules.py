"""The pure rules of console.domain.enforcement (docs/rules/enforcement.md): masking of names
(复姓 whole), ID numbers and free text; the legal day counts; the check characters of party
identifiers; the timeliness a period counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from console.domain import enforcement as enf
from console.domain.china_time import CST


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张某某"),
        ("欧阳娜娜", "欧阳某某"),
        ("司马光", "司马某某"),
        ("欧阳", "欧某某"),
        ("李", "李某某"),
    ],
)
def test_names_keep_the_surname_only(name, masked):
    assert enf.mask_name(name) == masked


def test_id_numbers_keep_first_and_last_character():
    assert enf.mask_id_number("33010219800101123X") == "3" + "*" * 16 + "X"
    assert enf.id_number_ok("11010519491231002X") and not enf.id_number_ok("110105194912310021")
    assert enf.credit_code_ok("91330102MA2H0A1B21") and not enf.credit_code_ok("91330102MA2H0A1B22")


def test_free_text_loses_the_parties_data_and_any_id_or_phone():
    party = {
        "kind": "person",
        "name": "王小明",
        "id_number": "11010519491231002X",
        "phone": "13800001111",
        "address": "平海路1号",
    }
    text = "王小明（11010519491231002X，13800001111）住平海路1号；同行者 110105194912310021 电话 0571-87654321"
    out = enf.scrub_text(text, [party])
    for secret in (
        "王小明",
        "11010519491231002X",
        "13800001111",
        "平海路1号",
        "110105194912310021",
        "87654321",
    ):
        assert secret not in out
    assert "王某某" in out and "*******1111" in out
    shop = {"kind": "org", "name": "杭州某某公司", "id_number": "91330102MA2H0A1B21"}
    assert enf.scrub_text("杭州某某公司", [shop]) == "杭州某某公司"  # legal persons stay named


def test_day_counts_end_at_midnight_china_time():
    monday = datetime(2026, 11, 23, 15, 0, tzinfo=CST)  # a Monday afternoon
    # 15 working days from the next day (weekends skipped): the 15th is Monday 12-14, whose
    # 24:00 is 12-15 00:00; a holiday in the span moves it on by a day.
    assert enf.add_working_days(monday, 15, lambda d: d.weekday() < 5) == datetime(
        2026, 12, 15, tzinfo=CST
    )
    holiday = date(2026, 12, 1)
    due = enf.add_working_days(monday, 15, lambda d: d.weekday() < 5 and d != holiday)
    assert due == datetime(2026, 12, 16, tzinfo=CST)
    assert enf.decision_due(monday) == datetime(2027, 2, 22, 0, 0, tzinfo=CST)
    assert enf.notice_until(monday) == datetime(2026, 11, 29, tzinfo=CST)
    assert enf.payment_due(monday) == datetime(2026, 12, 9, tzinfo=CST)


def test_timeliness_counts_decisions_and_missed_clocks_in_their_period():
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    doc = {
        "state": "decided",
        "deadlines": {
            "filing": "2026-11-10T00:00:00+08:00",
            "decision": "2027-02-01T00:00:00+08:00",
        },
        "at": {"filed": "2026-11-05T02:00:00+00:00", "decided": "2026-11-20T02:00:00+00:00"},
    }
    month = (t0, t0 + timedelta(days=30))
    assert enf.timely_in(doc, *month) is True
    assert enf.timely_in(doc, t0 - timedelta(days=30), t0) is None  # not decided yet then
    late = {**doc, "at": {**doc["at"], "filed": "2026-11-12T02:00:00+00:00"}}
    assert enf.timely_in(late, *month) is False
    # Undecided, 立案 never approved: late in the period its clock ran out in, not before.
    open_ = {"state": "filed", "deadlines": {"filing": "2026-11-10T00:00:00+08:00"}, "at": {}}
    assert enf.timely_in(open_, *month) is False
    assert enf.timely_in(open_, t0 + timedelta(days=20), t0 + timedelta(days=30)) is None
    assert enf.timely_in({**open_, "state": "rejected"}, *month) is None
