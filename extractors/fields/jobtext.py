"""Title and duties written together in one free-text value, and the phrases that lead into a list.

The MOEL standard form has no 직종/직위 sub-items: HR writes '모바일 앱 개발자 – 자사 예약 앱
개발', '[직종] 사원 [업무] ...', '직원 (물류 시스템 데이터 분석)', or only the duties under
`3. 업무의 내용`. A leading phrase is taken for the title only when it reads as an occupation:
its last word ends the way dictionary job titles end (extractors/data/title_heads.json, built
from the job dictionary by scripts/import_title_heads.py) and is not an action noun of duties.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

_EN_HEADS = ("engineer", "developer", "designer", "manager", "specialist", "analyst", "consultant",
             "coordinator", "technician", "operator", "assistant", "staff", "chef", "cook", "nurse",
             "teacher", "instructor", "translator", "interpreter", "guide", "officer", "representative",
             "associate", "agent", "planner", "architect", "scientist", "researcher", "marketer",
             "director", "lead", "head", "clerk", "worker", "mechanic", "welder", "painter",
             "electrician", "maker", "machinist", "grower", "attendant", "crew", "receptionist",
             "programmer", "drafter", "draughtsperson", "administrator", "accountant", "lecturer",
             "trainee", "intern", "member", "executive", "supervisor", "advisor", "adviser", "expert",
             "writer", "editor", "producer", "buyer", "controller", "inspector", "auditor", "bookkeeper",
             "carpenter", "labourer", "laborer", "barista", "server", "tutor", "professor", "artist",
             "animator", "photographer", "pharmacist", "physician", "doctor", "therapist", "marketer",
             "strategist", "owner", "helper", "driver", "cashier", "seller", "salesperson", "fae",
             "sales", "support", "crew", "steward", "stewardess", "pilot", "dispatcher", "recruiter")
_TITLE_WORDS = ("담당", "담당자", "팀원", "직원", "사원", "인턴", "셰프", "매니저", "스태프")
# Lead-ins to a list: '다음과 같다:', '아래와 같다', '다음 각 호와 같다', '다음의 업무를 수행한다:',
# 'as follows:', 'shall include:'.
LEAD_IN = re.compile(
    r"(?:(?:은|는)\s*)?(?:다\s*음|아\s*래)\s*(?:각\s*호\s*)?(?:과|와|의)\s*"
    r"(?:같\s*(?:다|으며|음)|업\s*무\s*를\s*수\s*행\s*한\s*다)\s*[.:]?\s*:?"
    r"|\b(?:as\s+follows|(?:shall|will)\s+include(?:\s+the\s+following)?|include\s+the\s+following)\s*[.:]?"
    r"|\b(?:duties|responsibilities)\s+(?:are|is|will\s+be|shall\s+be)\s*:"
    r"|\b(?:responsible\s+for\s+)?the\s+following(?:\s+(?:duties|responsibilities|tasks))?\s*:"
    r"|^\s*following\s+(?:duties|responsibilities|tasks)\s*:",
    re.IGNORECASE)
_SUB_TITLE = r"직\s*종|직\s*위|직\s*무\s*명|직\s*무(?!\s*내)|직\s*책|position|job\s*title|title"
_SUB_DUTY = r"업\s*무(?:\s*내\s*용)?|담\s*당\s*업\s*무|직\s*무\s*내\s*용|내\s*용|duties|responsibilities"
_SUBLABELED = re.compile(
    rf"^\s*[\[(]?\s*(?:{_SUB_TITLE})\s*[\])]?\s*:?\s*(?P<title>.+?)\s*[/,;]?\s*"
    rf"[\[(]?\s*(?:{_SUB_DUTY})\s*[\])]?\s*:?\s*(?P<duties>.+)$", re.IGNORECASE | re.DOTALL)
_DASH = re.compile(r"^(?P<head>[^\n]{2,40}?)\s+[-–—]\s+(?P<rest>\S.*)$|^(?P<head2>[^\n:]{2,40}?)\s*:\s*(?P<rest2>\S.*)$",
                   re.DOTALL)
_PAREN = re.compile(r"^(?P<head>[^\n()]{2,30}?)\s*\((?P<inner>[^()]{6,})\)\s*$", re.DOTALL)


@cache
def _heads() -> tuple[dict[str, int], frozenset[str], frozenset[str]]:
    text = resources.files("extractors").joinpath("data/title_heads.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return data["heads"], frozenset(data["duty_nouns"]), frozenset(data["titles"])


def is_occupation(phrase: str) -> bool:
    """A short phrase that names an occupation ('모바일 앱 개발자', 'Data Analyst', '관광통역안내원(일본어)')."""
    phrase = re.sub(r"\s*\([^)]*\)\s*$", "", phrase.strip()).strip(" .,:;-–—")
    words = phrase.split()
    if not words or len(words) > 5 or len(phrase) > 30 or re.search(r"[,;]|다\.?$|\d{2}", phrase):
        return False
    last = words[-1]
    if re.fullmatch(r"[A-Za-z][A-Za-z&/.-]*", last):
        return last.lower().rstrip("s.") in _EN_HEADS or last.lower() in _EN_HEADS
    last = re.sub(r"[^가-힣]", "", last)
    if not last:
        return False
    if last in _TITLE_WORDS or last.endswith(("담당", "담당자")) or (len(last) >= 3 and last.endswith("직")):
        return True
    heads, duty_nouns, titles = _heads()
    if last in titles or re.sub(r"[^가-힣]", "", phrase) in titles:
        return True
    if any(last.endswith(noun) for noun in duty_nouns if len(noun) >= 2) or last in ("업무", "작업", "보조"):
        return False
    if "및" in words or len(words) > 3:  # '번역 및 감수': a duty list, unless its head is a known title ending
        return heads.get(last[-3:], 0) >= 3
    return (heads.get(last[-3:], 0) >= 3 or heads.get(last[-2:], 0) >= 5
            or (len(last) >= 3 and heads.get(last[-1:], 0) >= 150))


def split_job_text(value: str) -> tuple[str | None, str]:
    """(title or None, duties) of a free-text 업무의 내용 value; the title only when it reads as one."""
    text = value.strip()
    if m := _SUBLABELED.match(text.replace("\n", " ")):
        return m.group("title").strip(" /,;"), m.group("duties").strip()
    if m := _DASH.match(text):
        head = (m.group("head") or m.group("head2")).strip()
        rest = (m.group("rest") or m.group("rest2")).strip()
        if is_occupation(head):
            return head, rest
    if (m := _PAREN.match(text.replace("\n", " "))) and is_occupation(m.group("head")):
        return m.group("head").strip(), m.group("inner").strip()
    lines = text.split("\n")
    head_alone = len(lines) >= 2 and not _MARKER.match(lines[0]) and (
        is_occupation(lines[0]) or (len(lines[0].strip()) <= 15 and _MARKER.match(lines[1])
                                    and not re.search(r"[,;]|다\.?$", lines[0])))
    if head_alone:  # the title on its own line, the duties listed below it
        return lines[0].strip(), "\n".join(lines[1:]).strip()
    return None, text


_LATIN_TAIL = re.compile(r"(?<=[가-힣)\],.;·])\s+(?P<tail>(?:[A-Za-z][\w'’/&().,;-]*\s+){1,}[A-Za-z][\w'’/&().,;-]*)\s*$")
_GLOSS = re.compile(r"\s*\((?P<en>[^()가-힣]*(?:\([^()가-힣]*\)[^()가-힣]*)*)(?:\)\s*)?$", re.DOTALL)


def drop_english_column(value: str) -> str:
    """A Korean value without the English beside it: a trailing '(English gloss)' or the other
    column of a two-column page that a text layer ran into the same lines ('... 기획 및
    packages for foreign visitors and contract' / '산정 package prices')."""
    if not re.search(r"[가-힣]", value.split("\n")[0]):
        return value
    if (m := _GLOSS.search(value)) and len(re.findall(r"[A-Za-z]{2,}", m.group("en"))) >= 3:
        value = value[: m.start()].rstrip()
    out = []
    for line in value.split("\n"):
        if m := _LATIN_TAIL.search(line):
            words = m.group("tail").split()
            if sum(w[0].islower() for w in words) >= 2:
                line = line[: m.start()].rstrip()
        elif not re.search(r"[가-힣]", line) and sum(w[:1].islower() for w in line.split()) >= 2:
            continue  # a line of the English column alone
        if line.strip():
            out.append(line)
    return "\n".join(out)


def strip_lead_in(value: str) -> tuple[str, bool]:
    """(value after a lead-in such as '다음과 같다:', whether the value was only a lead-in)."""
    m = LEAD_IN.search(value)
    if not m:
        return value, False
    rest = value[m.end():].strip(" :")
    return rest, not rest


_MARKER = re.compile(r"^\s*(?P<m>[•·▪◦*-]|\(?\d{1,2}[.)]|[가-하][.)]|[①-⑳])\s*")
# A clause after the list: 제N조, 2.1, or ②-⑳ (as OCR reads them: '@', '©', '®', '(@') opening a sentence.
_CLAUSE = re.compile(r"^\s*(?:제\s*\d+\s*조|\d+\.\d+\s|\(?[②-⑳@©®]\)?\s*\S.*(?:다|함|음)\.?\s*$)")
_HEADING = re.compile(r"^\s*\d{1,2}\.\s*[A-Za-z가-힣][^:]{0,40}$|^\s*\d{1,2}\.\s*\S+.*:")
_MAX_ITEMS = 12


def _style(marker: str) -> tuple[str, int | None]:
    """('1.', 3) -> kind and number; bullets have no number."""
    if m := re.fullmatch(r"\(?(\d{1,2})([.)])", marker):
        return "num" + m.group(2) + ("p" if marker.startswith("(") else ""), int(m.group(1))
    if re.fullmatch(r"[가-하][.)]", marker):
        return "ko" + marker[1], "가나다라마바사아자차카타파하".index(marker[0]) + 1
    if re.fullmatch(r"[①-⑳]", marker):
        return "circled", ord(marker) - ord("①") + 1
    return "bullet:" + marker, None


def list_after(texts: list[str]) -> list[str]:
    """The list (or one paragraph) that follows a lead-in, from the lines after it.

    Items share the first item's marker style and count up by one; a line without a marker
    continues the item above it (wrapped). The list ends at a clause (②, 제N조, 2.1), a section
    heading, or an item of another style ('3. Place of Work' after '1)', '2)').
    """
    out: list[str] = []
    style, number = None, None
    for text in texts[:_MAX_ITEMS]:
        m = _MARKER.match(text)
        if m:
            kind, num = _style(m.group("m"))
            if style is None and not out:
                style, number = kind, num
            elif kind != style or (num is not None and number is not None and num != number + 1):
                break
            else:
                number = num
            out.append(text.strip())
            continue
        if _CLAUSE.match(text) or (style is None and out and _HEADING.match(text)):
            break
        if out and style is None and re.search(r"[.다]\s*$", out[-1]):
            break  # a paragraph value ends with its sentence
        if out and re.match(r"[A-Z]", text) and not re.search(r"(?:,|\band|\bor|\bof|\bthe)\s*$", out[-1]):
            break  # an English line that starts a new sentence is no wrapped item
        if style is not None and _HEADING.match(text):
            break
        out.append(text.strip())
    return out
