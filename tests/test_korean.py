"""Korean particles chosen from the final consonant (받침), and Korean dates."""

from __future__ import annotations

import pytest

from matchers.rules.korean import (
    UNRESOLVED,
    attach,
    english_date,
    final_consonant,
    korean_date,
    resolve_particles,
)

# noun, has a final consonant, final is ㄹ
NOUNS = [
    ("연구원", True, False), ("용접원", True, False), ("데이터 전문가", False, False),
    ("개발자", False, False), ("번역가", False, False), ("디자이너", False, False),
    ("서울", True, True), ("호텔", True, True), ("기술", True, True),
    ("웹 개발자", False, False), ("관리자", False, False), ("사무보조원", True, False),
    ("엔지니어", False, False), ("요리사", False, False), ("조선 용접공", True, False),
    ("KSCO 2231", True, True), ("2222", False, False), ("E-7-3", True, False),
]


@pytest.mark.parametrize(("noun", "final", "rieul"), NOUNS)
def test_particles_follow_the_final_consonant(noun: str, final: bool, rieul: bool) -> None:
    assert bool(final_consonant(noun)) is final
    assert attach(noun, "은(는)") == noun + ("은" if final else "는")
    assert attach(noun, "을(를)") == noun + ("을" if final else "를")
    assert attach(noun, "이(가)") == noun + ("이" if final else "가")
    assert attach(noun, "과(와)") == noun + ("과" if final else "와")
    # ㄹ takes 로 like a syllable without a final: 서울로, not 서울으로
    assert attach(noun, "(으)로") == noun + ("으로" if final and not rieul else "로")


def test_resolve_particles_in_running_text() -> None:
    text = ('직위 "사무보조원"을(를) "응용 소프트웨어 개발자"(한국표준직업분류 2223)(으)로 변경한다. '
            '을은(는) 용접원(으)로서, 데이터 전문가은(는) 서울(으)로')
    out = resolve_particles(text)
    assert out == ('직위 "사무보조원"을 "응용 소프트웨어 개발자"(한국표준직업분류 2223)로 변경한다. '
                   '을은 용접원으로서, 데이터 전문가는 서울로')
    assert not UNRESOLVED.search(out) and UNRESOLVED.search(text)


def test_korean_and_english_dates() -> None:
    assert korean_date("2026-03-02") == "2026년 3월 2일"
    assert korean_date(None, blank="____년 __월 __일") == "____년 __월 __일"
    assert english_date("2026-12-31") == "December 31, 2026"
