"""Occupation matching: Korean/English titles, duties, E-7 exclusion, generic titles, CLI helpers."""

from __future__ import annotations

import io
import json

import pytest

from extractors.records import ContractFields, FieldValue, TitleField
from flows.cli_match import format_top5, run_match_jsonl
from matchers.occupation.match import get_matcher, match_occupation, match_texts


def codes(match, attr="candidates", n=3):
    return [c.code for c in getattr(match, attr)[:n]]


@pytest.mark.parametrize(
    ("title_en", "expected"),
    [
        ("Software Engineer", {"2221", "2222", "2223"}),
        ("Senior Backend Developer", {"2223"}),
        ("Frontend Developer", {"2224"}),
        ("Office Assistant", {"3142", "3127", "3121", "3122"}),
        ("Marketing Manager", {"1220"}),
        ("Research Scientist", {"2111", "2112"}),
        ("Translator", {"2814"}),
        ("Chef", {"2870"}),
        ("Welder", {"7430"}),
    ],
)
def test_english_titles(title_en, expected):
    match = match_texts(title_en=title_en)
    assert match.candidates[0].code in expected
    assert match.title_en_candidates[0].code == match.candidates[0].code


@pytest.mark.parametrize(
    ("title", "expected"),
    [("웹개발자", "2224"), ("번역가", "2814"), ("데이터분석가", "2231"), ("간호사", "2430"),
     ("사무원", "3127"), ("사무보조원", "3142"), ("기계공학기술자", "2351")],
)
def test_korean_titles(title, expected):
    assert match_texts(title).candidates[0].code == expected


def test_generic_titles_map_to_clerical_codes():
    for title, title_en in (("직원", None), ("사원", None), (None, "Staff")):
        match = match_texts(title, title_en)
        assert match.generic_title
        assert match.candidates[0].code.startswith("31")
    assert not match_texts("웹개발자").generic_title


def test_duties_only_and_separate_predictions():
    duties = "자바와 스프링으로 웹 서비스의 서버 프로그램을 설계하고 개발한다. 데이터베이스를 연동한다."
    match = match_texts("사무원", duties=duties)
    assert match.title_candidates[0].code == "3127"
    assert match.duties_candidates[0].code.startswith("22")
    assert any("duty keywords" in e for e in match.duties_candidates[0].evidence)
    assert {c.code for c in match.candidates} >= {"3127"}


def test_candidate_fields():
    match = match_texts("데이터분석가")
    best = match.candidates[0]
    assert (best.code, best.ksco8_code, best.revision) == ("2231", "2241", "KSCO7")
    assert best.e7_subcategory == "E-7-1" and best.e7_occupation == "데이터 전문가"
    assert 0 < best.score <= 1 and len(match.candidates) == 5
    assert match.reference_version


def test_excluded_example_is_not_eligible():
    match = match_texts("영업소장")
    best = match.candidates[0]
    assert best.code == "1511"
    assert best.e7_subcategory is None
    assert any("excluded" in e for e in best.evidence)
    assert match_texts("영업관리자").candidates[0].e7_subcategory == "E-7-1"


def test_detail_code_only_when_named():
    assert match_texts("아나운서").candidates[0].detail_code == "28331"
    assert match_texts("방송진행자").candidates[0].detail_code is None


def test_needs_review_when_empty_or_weak():
    assert match_texts().needs_review
    assert match_texts("zzzz qqq").needs_review
    assert not match_texts("번역가", "Translator", "외국어 문서를 한국어로 번역한다").needs_review


def test_a_title_naming_one_code_exactly_is_confident_when_that_code_wins():
    web = match_texts("웹 개발자", duties="React로 웹 화면을 개발하고 REST API를 연동한다")
    assert web.candidates[0].code == "2224" and not web.needs_review
    # a generic title names a code too, but says nothing about the real job
    clerk = match_texts("사무원", duties="고객 데이터를 분석하는 머신러닝 모델을 개발한다")
    assert clerk.needs_review
    # when the duties pull the match to another code, the exact title does not vouch for it
    mixed = match_texts("웹 개발자", duties="환자의 상태를 관찰하고 투약과 간호를 한다")
    assert mixed.candidates[0].code == "2224" or mixed.needs_review


def test_match_occupation_uses_fields():
    fields = ContractFields(job_title=TitleField(value="통역사", value_en="Interpreter", found=True),
                            duties=FieldValue(value="회의 통역 및 문서 번역", found=True))
    assert match_occupation(fields).candidates[0].code == "2814"


def test_run_match_jsonl_and_table():
    lines = ['{"id": 1, "title": "웹개발자"}', "", '{"id": "x", "title_en": "Chef"}', "nope"]
    out = io.StringIO()
    assert run_match_jsonl(io.StringIO("\n".join(lines) + "\n"), out) == 3
    rows = [json.loads(r) for r in out.getvalue().splitlines()]
    assert rows[0]["id"] == 1 and rows[0]["candidates"][0]["code"] == "2224"
    assert rows[1]["candidates"][0]["code"] == "2870"
    assert "error" in rows[2] and rows[2]["needs_review"]
    table = format_top5(match_texts("웹개발자"))
    assert "2224" in table and "E-7-1" in table


# modern Korean contract terms (matchers/knowledge/data/modern_terms_ko.csv) ---------------------------

def test_modern_terms_add_dictionary_words():
    from matchers.knowledge.modern_terms import expand, expansion

    assert "웹" in expansion("React 기반 웹 프론트엔드 화면 개발")
    assert "애플리케이션" in expansion("모바일앱을 개발한다")  # compound head
    assert "인공지능" in expansion("머신러닝 기반 수요 예측")
    text = "머신러닝 모델 개발"
    assert expand(text).startswith(text)  # additive, never replacing


def test_plain_dictionary_wording_adds_nothing():
    from matchers.knowledge.modern_terms import expansion

    assert expansion("병동 입원 환자 간호 및 투약 관리") == ""
    assert expansion("앱솔루트 보드카 판매") == ""  # '앱' only as a word or a compound's head


def test_modern_term_words_are_dictionary_vocabulary():
    """Every row must add at least one word the duty model knows, or it does nothing."""
    from matchers.knowledge.modern_terms import table
    from matchers.knowledge.text import words

    vocab = get_matcher().nlp.get_pipe("textcat_duties").model.attrs["vocab"]
    dead = [t for t, ko in table().items() if not any(f"w:{w}" in vocab for w in words(ko))]
    assert not dead


def test_modern_terms_lift_modern_duties():
    from matchers.knowledge.load import load_knowledge
    from matchers.occupation.match import Matcher

    duties = "React 기반 웹 프론트엔드 화면 개발, 웹 서비스 반응형 UI 구현 및 유지보수"
    kb = load_knowledge()
    plain = Matcher(kb, modern_terms=False)
    with_terms = match_texts(duties=duties).duties_candidates
    without = match_texts(duties=duties, matcher=plain).duties_candidates
    share = sum(c.score for c in with_terms[:5] if c.code[:2] == "22")
    assert share > sum(c.score for c in without[:5] if c.code[:2] == "22")
    assert "2224" in [c.code for c in with_terms[:3]]


def test_match_output_shows_the_e7_occupation_and_its_conditions():
    from flows.cli_match import match_line

    table = format_top5(match_texts("조리사(양식)", duties="이탈리아 요리 조리 및 메뉴 개발"))
    assert "E-7: eligible if its conditions are met - 주방장 및 조리사 (E-7-2" in table
    assert "condition (licence, to verify)" in table
    line = match_line('{"id": 1, "title": "호텔접수사무원", "duties": "호텔 프런트 체크인 및 예약 안내"}')
    assert line["e7"]["subcategory"] == "E-7-2" and line["e7"]["decision"] in ("eligible", "conditions")


# no state between calls: one shared matcher serves the threads runner -----------------------

def test_shared_matcher_keeps_nothing_between_calls():
    """Each call reads its own duty text (doc, index vector, keywords) and passes it along:
    calls interleaved on threads give what each gives alone, duty keywords included."""
    from concurrent.futures import ThreadPoolExecutor

    texts = ["병동 입원 환자 간호 및 투약 관리, 활력징후 측정 및 간호기록 작성",
             "React 기반 웹 프론트엔드 화면 개발 및 유지보수",
             "화물 트럭 운전 및 물류센터 간 운송, 차량 일상 점검",
             "해외 바이어 발굴 및 수출 상담, 수출 계약 조건 협상"]

    def read(text: str) -> list[tuple[str, float, tuple[str, ...]]]:
        cands = match_texts(title="직원", duties=text).candidates
        return [(c.code, c.score, tuple(c.evidence)) for c in cands]

    alone = [read(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(read, texts * 3))
    assert together == alone * 3
    assert not [k for k in vars(get_matcher()) if k.startswith("_last") or k == "memo"]
