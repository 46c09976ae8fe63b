"""Korean text for documents people sign: particles chosen from the final consonant, dates.

A particle written both ways (`은(는)`, `을(를)`, `이(가)`, `과(와)`, `(으)로`, `(이)라`) is
resolved from the syllable before it: a final consonant (받침) takes 은/을/이/과/으로/이라, none
takes 는/를/가/와/로/라, and a final ㄹ takes 로 (서울로, 용접원으로, 개발자로). Closing quotes
and brackets between the noun and the particle are skipped ("사무보조원"을 ...). A final Latin
letter or digit is read as Koreans read it aloud (KSCO 2231은 -> 이천이백삼십일은).
"""

from __future__ import annotations

import re
from datetime import date

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
# The 28 finals of a Hangul syllable, index 0 being none.
_FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
           "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
# How a trailing digit or Latin letter is read aloud: True when it ends in a final consonant;
# for 1, 7, 8 (일, 칠, 팔) and L/M/N/R the final is ㄹ or another consonant.
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "2": "", "3": "ㅁ", "4": "", "5": "", "6": "ㄱ", "7": "ㄹ",
                "8": "ㄹ", "9": ""}
_LATIN_FINAL = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "r": "", "b": "", "c": "", "d": "", "e": "",
                "f": "", "g": "", "h": "", "i": "", "j": "", "k": "", "o": "", "p": "", "q": "",
                "s": "", "t": "", "u": "", "v": "", "w": "", "x": "", "y": "", "z": "", "a": ""}
_SKIP = "\"'”’」』]>》 "

# (with final, without final) for each particle written both ways.
PARTICLES = {
    "은(는)": ("은", "는"), "는(은)": ("은", "는"),
    "을(를)": ("을", "를"), "를(을)": ("을", "를"),
    "이(가)": ("이", "가"), "가(이)": ("이", "가"),
    "과(와)": ("과", "와"), "와(과)": ("과", "와"),
    "(으)로": ("으로", "로"), "(이)라": ("이라", "라"), "(이)다": ("이다", "다"),
    "(아)야": ("아", "야"),
}
_PATTERN = re.compile("|".join(re.escape(p) for p in sorted(PARTICLES, key=len, reverse=True)))
UNRESOLVED = re.compile(r"은\(는\)|는\(은\)|을\(를\)|를\(을\)|이\(가\)|가\(이\)|과\(와\)|와\(과\)|\(으\)로|\(이\)라")


def final_consonant(word: str) -> str | None:
    """The final consonant of how `word` ends when read aloud: "" for none, "ㄹ", "ㄴ" ...;
    None when it ends in nothing readable (empty, punctuation only)."""
    for ch in reversed(_without_trailing_brackets(word)):
        code = ord(ch)
        if _HANGUL_FIRST <= code <= _HANGUL_LAST:
            index = (code - _HANGUL_FIRST) % 28
            return _FINALS[index]
        if ch.isdigit():
            return _DIGIT_FINAL[ch]
        if ch.isascii() and ch.isalpha():
            return _LATIN_FINAL[ch.lower()]
        if ch in _SKIP or ch in ".,·)）":
            continue
        return None
    return None


def _without_trailing_brackets(word: str) -> str:
    """`word` without closing quotes and a trailing parenthetical: a particle after
    "전문가(KSCO 2231)" attaches to 전문가, as it is read."""
    text = word.rstrip(_SKIP)
    while text.endswith((")", "）")):
        depth, cut = 0, None
        for i in range(len(text) - 1, -1, -1):
            depth += text[i] in ")）"
            depth -= text[i] in "(（"
            if depth == 0:
                cut = i
                break
        if not cut:
            break
        text = text[:cut].rstrip(_SKIP)
    return text


def has_final(word: str) -> bool:
    """True when `word` ends in a final consonant (받침) when read aloud."""
    return bool(final_consonant(word))


def particle(word: str, both: str) -> str:
    """The form of the particle `both` (e.g. "을(를)", "(으)로") that follows `word`."""
    with_final, without = PARTICLES[both]
    final = final_consonant(word)
    if final is None:
        return with_final if both != "(으)로" else "로"
    if both == "(으)로" and final == "ㄹ":
        return "로"
    return with_final if final else without


def attach(word: str, both: str) -> str:
    """`word` followed by the right form of `both`: attach("용접원", "(으)로") == "용접원으로"."""
    return word + particle(word, both)


def resolve_particles(text: str) -> str:
    """Every `은(는)`, `을(를)`, `(으)로` ... in `text` replaced by the form its noun takes."""
    out: list[str] = []
    last = 0
    for m in _PATTERN.finditer(text):
        out.append(text[last:m.start()])
        before = "".join(out)
        out.append(particle(before[-40:], m.group(0)))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def korean_date(value: str | date | None, *, blank: str = "") -> str:
    """`2026-03-02` (or a date) as `2026년 3월 2일`; other text is returned unchanged."""
    if value is None or value == "":
        return blank
    if isinstance(value, date):
        return f"{value.year}년 {value.month}월 {value.day}일"
    return _ISO_DATE.sub(lambda m: f"{int(m.group(1))}년 {int(m.group(2))}월 {int(m.group(3))}일",
                         value)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def english_date(value: str | None, *, blank: str = "") -> str:
    """`2026-03-02` as `March 2, 2026`; other text is returned unchanged."""
    if not value:
        return blank
    return _ISO_DATE.sub(lambda m: f"{_MONTHS[int(m.group(2)) - 1]} {int(m.group(3))}, "
                                   f"{int(m.group(1))}" if 1 <= int(m.group(2)) <= 12
                         else m.group(0), value)
