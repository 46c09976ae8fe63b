"""Job title and duties together: labelled values first, then the free text and prose forms.

Order of evidence, strongest first:
1. labelled values (cells and 'label: value' lines) for the title and for the duties; a duties
   value that only leads into a list ('다음과 같다:') is replaced by the list below it;
2. a duties value that also holds the title ('웹 개발자 – 자사 서비스 개발', '[직종] 사원 [업무] ...')
   gives the title when no title label has one (extractors.fields.jobtext.split_job_text);
3. the job article of article contracts ('제4조(직무) 근로자는 X로서 다음의 업무를 수행한다: ...');
4. English prose ('offer ... the position of X', 'In this role you will ...', 'duties shall include:').
"""

from __future__ import annotations

import re

from extractors.records import FieldValue, TitleField
from extractors.text import collapse

from .document import Doc, Hit, Line, evidence, find_all, find_sentence
from .jobtext import (
    LEAD_IN,
    drop_english_column,
    is_occupation,
    list_after,
    split_job_text,
    strip_lead_in,
)
from .labels import label_rank
from .title import extract_title, split_title

_MIN_CHARS = 2
_ARTICLE_HEAD = re.compile(r"^제\s*\d+\s*조\s*[\[(【]?\s*(?P<label>[^\])】]{1,20})[\])】]")
_JOB_ARTICLE = re.compile(r"직\s*무|업\s*무|직\s*위|직\s*종|근\s*무\s*내\s*용|채\s*용|담\s*당")
_TITLE_SENTENCE = re.compile(
    r"(?:근로자를|근로자의\s*(?:직위|직종|직무)\s*(?:는|은)|근로자\s*는|(?:직위|직종|채용\s*직위|직무)\s*(?:는|은))\s*"
    r"[\"'“]?(?P<t>[^\"'”\n,:.]{1,40}?)[\"'”]?\s*(?:\(\s*으\s*\)\s*로|으\s*로|로)\s*"
    r"(?:서|채용|하며|한다|임명|정하며|정한다)")
# Amendments: '직무를 「A」에서 「B」로 변경한다', 'position is changed from A to B' (B is the title).
_CHANGE_KO = re.compile(
    r"(?:직\s*위|직\s*무|직\s*종|직\s*책)\s*(?:을|를)\s*[「“\"']?(?P<before>[^」”\"'\n]{1,40}?)[」”\"']?\s*에\s*서\s*"
    r"[「“\"']?(?P<t>[^」”\"'\n]{1,40}?)[」”\"']?\s*(?:\(\s*으\s*\)\s*로|으\s*로|로)\s*변\s*경")
_CHANGE_EN = re.compile(r"position\s+(?:is|shall\s+be|will\s+be)\s+(?:changed|amended)\s+from\s+.+?\s*to\s+[~|]*\s*"
                        r"(?:the\s+position\s+of\s+)?(?:an?\s+)?(?P<t>[A-Z][\w/&()'\- ]{1,60}?)(?=\s*(?:,|;|\.(?:\s|$)|$))",
                        re.IGNORECASE)
_EN_TITLE = re.compile(
    r"(?:(?:position|post|role)\s+of|employs?\s+the\s+employee\s+as|appointed\s+as|join\s+\S+(?:\s+\S+){0,4}\s+as|"
    r"employment\s+as|hired\s+as|engaged\s+as|work\s+as|your\s+role\s+as)\s+(?:an?\s+|the\s+)?[\"“]?(?P<t>[A-Z][\w/&()'\- ]{1,60}?)[\"”]?"
    r"(?=\s*(?:,|\.(?:\s|$)|;|\bwith\b|\bat\b|\bin\s+(?:our|the|its)\b|\breporting\b|\bstarting\b|\beffective\b|"
    r"\bbased\b|\bon\b|\bwill\b|\bfor\b|\bwithin\b|\band\s+(?:will|shall)\b|$))")
_EN_DUTIES = re.compile(r"\b(?:in\s+this\s+(?:role|position),?\s+you\s+will|you\s+will\s+perform)\s+(?P<d>.+?\.)(?:\s|$)",
                        re.IGNORECASE)
_FURNITURE = re.compile(r"\(\s*[√✓v]?\s*\)|\[\s*[√✓v]?\s*\]")


def extract_job(doc: Doc) -> tuple[TitleField, FieldValue]:
    title = extract_title(doc)
    duties_hit, title_hit = _duties(doc)
    if not title.found and title_hit is not None:
        ko, en, rank = split_title(title_hit.value)
        title = TitleField(**evidence(doc, title_hit, ko or en), value_en=en if ko else None,
                           rank=rank or title.rank)
    if not title.found:
        title = _prose_title(doc, title)
    if duties_hit is None:
        return title, FieldValue()
    return title, FieldValue(**evidence(doc, duties_hit, drop_english_column(_clean(duties_hit.value))))


def _duties(doc: Doc) -> tuple[Hit | None, Hit | None]:
    """(duties hit, title hit read out of the duties text)."""
    resolved = [_resolve_lead_in(h) for h in find_all(doc, "duties", multiline=True)]
    hits = [h for h in resolved if h is not None and len(collapse(h.value)) >= _MIN_CHARS]
    if hits:
        hit = min(hits, key=lambda h: label_rank("duties", h.label))
        if _is_job_name(hit.value) and (listed := _article_job(doc)[0] or _lead_in_duties(doc)):
            # one short noun phrase under a duties label, while the contract lists the duties
            # elsewhere: the phrase names the job ('담당직무 | 글로벌 마케팅')
            return listed, Hit(hit.value.strip(), hit.page, hit.snippet, hit.label, hit.strength * 0.8)
        title, duties = split_job_text(hit.value)
        if title is None:
            return hit, None
        return (Hit(duties, hit.page, hit.snippet, hit.label, hit.strength),
                Hit(title, hit.page, hit.snippet, hit.label, hit.strength * 0.9))
    found = _article_job(doc)
    if found[0] is not None or found[1] is not None:
        return found
    if lead_in := _lead_in_duties(doc):
        return lead_in, None
    if sentence := find_sentence(doc, ("담당업무", "업무")):
        return sentence, None
    return None, None


def _is_job_name(value: str) -> bool:
    value = value.strip()
    return "\n" not in value and len(value.split()) <= 2 and len(value) <= 12 and not re.search(r"[,;·]|및|다\.?$", value)


def _resolve_lead_in(hit: Hit) -> Hit | None:
    rest, only = strip_lead_in(hit.value)
    if rest == hit.value:
        return hit
    if not only:
        lines = rest.split("\n")
        return Hit("\n".join(list_after(lines) if len(lines) > 1 else lines), hit.page, hit.snippet,
                   hit.label, hit.strength)
    return None


def _article_job(doc: Doc) -> tuple[Hit | None, Hit | None]:
    """The job article: its title sentence and the list its lead-in introduces."""
    for line in doc.lines:
        m = _ARTICLE_HEAD.match(line.text)
        if not m or not _JOB_ARTICLE.search(m.group("label")):
            continue
        body = _article_body(doc, line)
        rest_of_head = line.text[m.end():].strip()
        texts = ([rest_of_head] if rest_of_head else []) + [b.text for b in body]
        joined = " ".join(texts)
        title = None
        if t := _TITLE_SENTENCE.search(joined):
            value = t.group("t").strip()
            if is_occupation(value) or len(value.split()) <= 3:
                title = Hit(value, line.page, joined[:300], m.group("label"), 0.85)
        duties = _after_lead_in(texts, line, m.group("label"))
        if duties or title:
            return duties, title
    return None, None


def _article_body(doc: Doc, head: Line) -> list[Line]:
    out = []
    for nxt in doc.lines[head.index + 1: head.index + 16]:
        if re.match(r"^제\s*\d+\s*조", nxt.text):  # the next article
            break
        out.append(nxt)
    return out


def _after_lead_in(texts: list[str], head: Line, label: str) -> Hit | None:
    for i, text in enumerate(texts):
        if items := _listed(texts, i):
            value = "\n".join(items)
            return Hit(value, head.page, "\n".join(texts[i:i + 1 + len(items)])[:300], label, 0.85)
    return None


def _listed(texts: list[str], i: int, *, lead_word: re.Pattern[str] | None = None) -> list[str]:
    """The list a lead-in on `texts[i]` introduces (the rest of its line, then the lines
    below); empty when the line has no lead-in (or, with `lead_word`, none after that word)."""
    m = LEAD_IN.search(texts[i])
    if not m or (lead_word is not None and not lead_word.search(texts[i][: m.end()])):
        return []
    inline = texts[i][m.end():].strip(" :")
    return list_after(([inline] if inline else []) + texts[i + 1:])


_DUTY_WORD = re.compile(r"담\s*당\s*업\s*무|업\s*무|직\s*무|dut(?:y|ies)|responsib|role|include", re.IGNORECASE)


def _lead_in_duties(doc: Doc) -> Hit | None:
    """A list after a duties lead-in anywhere ('변경 후 담당업무는 다음과 같다.', 'duties shall
    include:'), or 'In this role you will ...'."""
    lines = doc.lines
    for n, line in enumerate(lines):
        texts = [line.text, *(x.text for x in lines[n + 1: n + 14] if x.page == line.page)]
        if items := _listed(texts, 0, lead_word=_DUTY_WORD):
            return Hit("\n".join(items), line.page, "\n".join([line.text, *items])[:300], "include", 0.8)
    if m := _EN_DUTIES.search(doc.prose):
        page = _page_of(doc, m.group("d")[:20])
        return Hit(m.group("d").strip(), page, m.group(0)[:300], "In this role", 0.8)
    return None


def _prose_title(doc: Doc, title: TitleField) -> TitleField:
    text = doc.prose
    for pattern in (_CHANGE_KO, _TITLE_SENTENCE):
        for m in pattern.finditer(text):
            value = m.group("t").strip()
            if is_occupation(value):
                hit = Hit(value, _page_of(doc, value[:15]), m.group(0)[:300], "직위", 0.8)
                return TitleField(**evidence(doc, hit, value), rank=title.rank)
    for m in [*_CHANGE_EN.finditer(text), *_EN_TITLE.finditer(text)]:
        value = m.group("t").strip()
        if is_occupation(value):
            hit = Hit(value, _page_of(doc, value[:15]), m.group(0)[:300], "position", 0.8)
            return TitleField(**evidence(doc, hit, value), value_en=value, rank=title.rank)
    return title


def _page_of(doc: Doc, fragment: str) -> int:
    first = fragment.split()[0] if fragment.split() else fragment
    return next((line.page for line in doc.lines if first in line.text), doc.lines[0].page if doc.lines else 1)


def _clean(value: str) -> str:
    value = _FURNITURE.sub("", value)
    lines = [line.strip(" ·") for line in value.split("\n")]
    return "\n".join(line for line in lines if line)
