"""Text normalisation shared by the field extractors (no personal data is ever logged here)."""

from __future__ import annotations

import re
import unicodedata

_TRANSLATE = str.maketrans({
    "：": ":", "﹕": ":", "，": ",", "．": ".", "～": "~", "〜": "~", "－": "-", "‐": "-",
    "‑": "-", "–": "-", "—": "-", "（": "(", "）": ")", "￦": "₩", "\u00a0": " ", "\u3000": " ",
    "\u200b": "", "․": ".", "·": "·", "ㆍ": "·", "「": "", "」": "",
})
_SPACES = re.compile(r"[ \t]+")
_HANGUL = re.compile(r"[가-힣]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def normalise(text: str) -> str:
    """NFC, ASCII punctuation for full-width forms, single spaces, stripped line ends."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())


# A run of lone syllables, glued to the Hangul word that follows it ('부 산 광역시').
_SYLLABLE_RUN = re.compile(r"(?<![가-힣])[가-힣](?: [가-힣](?![가-힣]))+(?: [가-힣]{2,})?")
_DIGIT_UNIT = re.compile(r"(?<=\d) (?=[가-힣](?![가-힣]))")  # '5 층' -> '5층', '10 일' -> '10일'
_SHORT_PAREN = re.compile(r"\( ?([가-힣]{1,2}) ?\)")  # '( 주 )' -> '(주)'


def join_ocr_syllables(line: str) -> str:
    """Tesseract spaces Korean syllables apart ('근 로 계 약 서'): join runs of lone syllables.

    Word boxes cannot settle it (the Hangul model's boxes overlap and drift), so the rule is
    textual: a run of two or more single-syllable words is one word with the word after it;
    a single syllable after a number is its unit; '( 주 )' is '(주)'.
    """
    line = _SHORT_PAREN.sub(r"(\1)", _DIGIT_UNIT.sub("", line))
    return _SYLLABLE_RUN.sub(lambda m: m.group(0).replace(" ", ""), line)


_OCR_LEAD = re.compile(r"^[\s.,'\"`|!:;~_]+(?=\S)")
_OCR_TAIL = re.compile(r"(?<=[^A-Za-z\s])(?:\s+(?:[|'\"`;:~_.,]+|[a-z]{1,2}))+\s*$")


def strip_ocr_edges(line: str) -> str:
    """Specks Tesseract reads at the edges of a scanned line: leading dots, quotes and rules
    ('. 6. 임금', "' 4. 소정근로시간") and trailing rules or one/two-letter lowercase bits after a
    non-Latin character ('사무보조원 oa', '임금 | | |'). A wrapped English line ('... of') keeps
    its last word, because the bit must follow Hangul, a digit or punctuation."""
    return _OCR_TAIL.sub("", _OCR_LEAD.sub("", line))


def squash(text: str) -> str:
    """Remove all whitespace: '근 무 장 소' and '근무장소' compare equal."""
    return re.sub(r"\s+", "", text)


def collapse(text: str) -> str:
    """One line, single spaces (how duties are compared)."""
    return " ".join(text.split())


def hangul_count(text: str) -> int:
    return len(_HANGUL.findall(text))


def latin_word_count(text: str) -> int:
    return len(_LATIN_WORD.findall(text))


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


def spaced(word: str) -> str:
    """Regex matching `word` with optional spaces between its characters (forms space labels)."""
    return r"\s*".join(re.escape(ch) for ch in word if not ch.isspace())


def strip_trailing_paren(value: str) -> str:
    """'사무보조원 (서명)' -> '사무보조원' for signature and phone notes."""
    return re.sub(r"\s*\((?:서명|인|sign[^)]*|signature|전화[^)]*|사업자[^)]*)\)\s*$", "", value,
                  flags=re.IGNORECASE).strip()
