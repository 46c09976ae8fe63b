"""E-7 judgement of a match: the named E-7 occupation wins, conditions, decision (issue 13)."""

from __future__ import annotations

import pytest

from extractors.records import ContractFields, FieldValue, TitleField
from matchers.occupation.e7_judge import condition_rows, names_of, title_forms
from matchers.occupation.match import match_texts
from matchers.rules import evaluate_rules


def judge(title=None, duties=None, title_en=None):
    return match_texts(title, title_en, duties)


def test_hotel_reception_is_e7_2_eligible():
    res = judge("호텔접수사무원")
    assert res.candidates[0].code == "3922"
    assert (res.e7.decision, res.e7.subcategory, res.e7.seq) == ("eligible", "E-7-2", "S03")


@pytest.mark.parametrize("title", ["조리사(양식)", "요리사", "양식 주방장"])
def test_cooks_are_e7_2_with_conditions(title):
    res = judge(title)
    assert res.e7.subcategory == "E-7-2" and res.e7.decision == "conditions"
    assert res.candidates[0].code in {"4412", "4413", "4414"}
    assert any(c.kind == "licence" and not c.shown for c in res.e7.conditions)


def test_cuisine_shown_or_not():
    shown = {c.kind: c.shown for c in judge("조리사(양식)").e7.conditions}
    assert shown["cuisine"] is True
    assert {c.kind: c.shown for c in judge("요리사").e7.conditions}["cuisine"] is False


def test_korean_cook_is_excluded():
    assert judge("조리사(한식)", "한식 메뉴 조리").e7.decision == "not_eligible"
    assert judge("한식 조리사").e7.decision == "not_eligible"


def test_welder_shipbuilding_or_not():
    ship = judge("용접공", "조선소 선체 블록 용접")
    assert (ship.e7.subcategory, ship.e7.seq) == ("E-7-3", "T05")
    assert any(c.kind == "setting" and c.shown for c in ship.e7.conditions)
    assert any(c.kind == "licence" and not c.shown for c in ship.e7.conditions)
    other = judge("용접공", "건설현장 철골 구조물 용접")
    assert other.e7.subcategory == "E-7-4" and other.e7.decision == "conditions"


def test_other_job_of_the_unit_is_not_the_listed_one():
    assert judge("간병인", "병원 입원 환자 간병").e7.decision == "not_eligible"
    assert judge("요양보호사", "요양원 어르신 신체활동 지원").e7.decision == "conditions"


def test_generic_title_is_judged_on_the_duties():
    res = judge("사무보조원", "Java/Spring 백엔드 개발, 데이터베이스 설계 및 운영, CI/CD 파이프라인 구축")
    assert res.candidates[0].code in {"2222", "2223"}
    assert res.e7.decision == "eligible" and res.e7.subcategory == "E-7-1"


def test_ksco_unit_name_beats_an_alias_elsewhere():
    # 용접기 조작원 is KSCO unit 8413 (machine operators), not E-7-3's shipbuilding welder 7430;
    # as manufacturing machine-operator work it falls under E-7-4 only, with its status conditions
    res = judge("용접기 조작원", "자동 용접기 조작")
    assert res.e7.code == "8413" and res.e7.subcategory == "E-7-4"
    assert res.e7.decision == "conditions"


def test_helpers():
    assert "한식조리사" in title_forms("조리사(한식)", None)
    assert {"양식주방장", "양식조리사"} <= names_of(["양식 주방장 및 조리사"])
    rows = condition_rows()
    assert {r.kind for r in rows["T05"]} == {"setting", "licence"}
    assert all(r.cues for rs in rows.values() for r in rs if r.kind in ("setting", "cuisine"))


def _fields(title, duties):
    return ContractFields(job_title=TitleField(value=title), duties=FieldValue(value=duties))


def test_conditions_finding_not_not_e7_eligible():
    fields = _fields("양식 조리사", "스테이크, 파스타 등 양식 메뉴 조리 및 주방 재료 관리")
    rules = {f.rule: f for f in evaluate_rules(fields, match_texts("양식 조리사", None,
                                                                      fields.duties.value))}
    assert "not_e7_eligible" not in rules
    assert rules["e7_conditions_unverified"].severity == "low"  # cuisine shown, licence open
    fields = _fields("요리사", "레스토랑 주방에서 요리 및 식자재 손질")
    rules = {f.rule: f for f in evaluate_rules(fields, match_texts("요리사", None,
                                                                      fields.duties.value))}
    assert "not_e7_eligible" not in rules
    assert rules["e7_conditions_unverified"].severity == "medium"  # cuisine not shown
