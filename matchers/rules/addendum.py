"""Addendum drafts (부속합의서) that align a contract's title and duties with the real work."""

from __future__ import annotations

import logging
import re
import tomllib
from functools import cache
from importlib import resources
from string import Template
from typing import Any

import jinja2

from extractors.fields.labels import RANKS
from extractors.records import ContractFields, Route
from matchers.knowledge.lexicon import normalise
from matchers.knowledge.records import E7Occupation
from matchers.records import AddendumDraft, Finding, OccupationMatch
from matchers.rules.context import E7Facts, RuleContext, contract_year
from matchers.rules.e7 import first_excluded
from matchers.rules.korean import english_date, korean_date, resolve_particles
from matchers.rules.salary import Floor, wage_floor
from matchers.rules.visa_data import VisaData, load_visa_data

log = logging.getLogger(__name__)

# Findings an addendum (or a change of sponsorship) answers.
TITLE_FIXES = {"generic_title", "title_duties_conflict", "missing_title", "missing_korean_title",
               "title_language_disagreement"}
SPONSORSHIP_FIXES = {"wrong_subcategory", "not_e7_eligible", "excluded_example"}
_BULLET = re.compile(r"^\s*(?:[-•·*▪◦○●]|\(?\d{1,2}[.)]|[가-하][.)]|[①-⑳])\s*")
_LINES = re.compile(r"[\n;]+")
# Duties read by OCR below this confidence are not copied into a document for signature.
DUTIES_OCR_MIN_CONFIDENCE = 0.85
# Form furniture: check boxes and their marks, empty brackets, lone labels.
_FURNITURE = re.compile(r"\(\s*[√✓✔vVxX○●■□]?\s*\)|[□■☐☑☒▣]")
_EMPTY_OTHER = re.compile(r"^\s*(?:기타|그\s*밖의?\s*업무|other)\s*[:：]?\s*$", re.IGNORECASE)
# Lead-ins before the duties proper: labels and "as follows" phrases.
_LEAD_IN = re.compile(
    r"^\s*(?:(?:주요\s*|담당\s*|세부\s*)?(?:업무|직무)(?:의)?\s*(?:내용)?|담당\s*업무|직무\s*내용"
    r"|job\s*description|duties|responsibilities)\s*(?:\([^)]*\))?\s*[:：]\s*", re.IGNORECASE)
_AS_FOLLOWS = re.compile(r"^\s*(?:을은|을이|근로자는)?\s*(?:다음|아래)(?:과|와)?\s*같(?:은|이|다|음)"
                         r"[^.]*[.:：]?\s*$|^\s*(?:다음|아래)\s*업무를\s*수행(?:한다|함)[.:：]?\s*$")
# How a complete duty clause ends: a verbal noun, a verb form, or a closing bracket.
_CLAUSE_END = re.compile(
    r"(?:개발|구현|유지\s*보수|작성|운영|분석|최적화|관리|설계|지원|수행|담당|검토|정제|수집|제작|"
    r"기획|협상|개척|교육|연구|조사|시험|검사|판매|영업|상담|번역|통역|보고|처리|점검|정비|생산|"
    r"제조|용접|조립|측정|평가|편집|디자인|컨설팅|마케팅|테스트|구축|배포|모니터링|자동화|통합|설치|"
    r"운용|개선|협업|조율|조정|감독|지도|강의|진료|간호|조리|업무|일체|전반|등|응대|안내|발굴|"
    r"구매|수출|수입|계약|출장|홍보|회계|정산|준비|작업|확인|예측|보수|진행|수립|연동|대응|"
    r"섭외|모집|교체|진단|교환|해체|제작·설치|[다함음임])\s*[)\]）.]?$"
    r"|[.)\]）]$")
_DANGLING_PARTICLE = re.compile(r"\((?:으|이|을|를|은|는|과|와)\)\s*$")
_CONNECTOR_END = re.compile(r"(?:및|또는|과|와|의|,|·|/|-|&|and|or|of|for|to|the|with|in)\s*$",
                            re.IGNORECASE)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("matchers.rules", "templates"), autoescape=False,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@cache
def wording() -> dict[str, Any]:
    raw = resources.files("matchers.rules").joinpath("templates", "addendum.toml").read_text("utf-8")
    return tomllib.loads(raw)


def _say(key: str, **params: object) -> str:
    return Template(wording()["checklist"][key]).substitute(params)


def duty_lines(text: str) -> list[str]:
    """Duties as clauses: bullets and numbering dropped, lines a form wrapped joined again, form
    furniture (check boxes, empty `기타( ) :`) and lead-ins (`담당업무 :`, `다음과 같다`) dropped."""
    raw = (text or "").replace("\r", "").split("\n")
    bulleted = sum(bool(_BULLET.match(line)) for line in raw if line.strip()) >= 2
    clauses: list[str] = []
    joinable = False  # the last clause may continue on the next line
    for line in raw:
        starts_item = bool(_BULLET.match(line))
        for n, part in enumerate(line.split(";")):
            piece = _clean(part)
            if not piece:
                continue
            new_item = n > 0 or starts_item or not clauses or not _continues(
                clauses[-1], piece, bulleted=bulleted, joinable=joinable)
            if new_item:
                clauses.append(piece)
            else:
                clauses[-1] = _join(clauses[-1], piece)
            joinable = True
    return [piece for c in clauses if not _EMPTY_OTHER.match(c) for piece in _split_clause(c)]


def _split_clause(clause: str) -> list[str]:
    """One line holding several duties, split into them: at ' / ' (two clauses, or a Korean and
    an English version), and at ', ' when every part is a whole duty of two words or more
    ('인바운드 관광 패키지 개발, 해외 여행사 대상 상품 설명회 진행'), not a list of objects
    ('회의 통역, 계약서, 제품 매뉴얼 등 번역' stays one duty)."""
    parts = [p.strip() for p in clause.split(" / ") if p.strip()]
    out: list[str] = []
    for part in parts:
        pieces = [p.strip() for p in part.split(", ") if p.strip()]
        whole = len(pieces) > 1 and part.count("(") == part.count(")") and all(
            len(p.split()) >= 2 and _CLAUSE_END.search(p) and not _CONNECTOR_END.search(p)
            for p in pieces)
        out += pieces if whole else [part]
    return out


def _clean(part: str) -> str:
    text = _BULLET.sub("", part)
    text = _FURNITURE.sub(" ", text)
    text = _LEAD_IN.sub("", text)
    text = _DANGLING_PARTICLE.sub("", " ".join(text.split())).strip(" :：")
    if _AS_FOLLOWS.match(text) or _EMPTY_OTHER.match(text):
        return ""
    return text


def _continues(previous: str, line: str, *, bulleted: bool, joinable: bool) -> bool:
    """True when `line` continues the clause `previous` (a line the form wrapped)."""
    if not joinable:
        return False
    if bulleted:  # items carry bullets: a line without one continues the item
        return True
    if _CONNECTOR_END.search(previous) or line[:1].islower() or line[:1] in ")）,.":
        return True
    if previous.count("(") > previous.count(")"):
        return True
    return not _CLAUSE_END.search(previous)


def _join(previous: str, line: str) -> str:
    glue = "" if line[:1] in ")）,." or line[:1] == "(" and previous[-1:].isalnum() else " "
    return previous + glue + line


def party_name(value: str | None) -> str:
    """A party's name as the addendum writes it: spaces collapsed, a bracket OCR left open at
    the end dropped ('(주) 바다무역 (' -> '(주) 바다무역')."""
    text = " ".join((value or "").split())
    while text and text[-1] in "([{（" or text.count("(") > text.count(")") and text.endswith(
            tuple("([{（ ")):
        text = text[:-1].rstrip()
    return text.strip(" ,;:")


def duties_trusted(fields: ContractFields) -> bool:
    """False when the duties were read by OCR with too little confidence to be copied into a
    document people sign (HR types them from the original instead)."""
    duties = fields.duties
    return not (duties.route is Route.ocr and duties.confidence < DUTIES_OCR_MIN_CONFIDENCE)


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" for c in text)


def original_title(fields: ContractFields) -> str | None:
    """The title as the contract writes it (Korean, else English); never the rank alone."""
    title = fields.job_title
    for value in (title.value, title.value_en):
        if value and value.strip() and value.strip() not in RANKS and value != title.rank:
            return value.strip()
    return None


def requirement_texts(occ: E7Occupation | None) -> tuple[str, str]:
    """(Korean, English) qualification reference for an E-7 occupation."""
    req = wording()["requirements"]
    if occ is None or not occ.requirements:
        return req["unknown_ko"], req["unknown_en"]
    if occ.requirements.startswith(req["general_prefix"]):
        return req["general_ko"], req["general_en"]
    # The occupation-specific requirements are kept in English only: the Korean text points to
    # the manual instead of mixing languages.
    return Template(req["other_ko"]).substitute(name_ko=occ.name_ko), occ.requirements


def _change_sponsorship(rules: set[str], ctx: RuleContext, code: str) -> bool:
    subs = ctx.subcategories(code)
    wrong_claim = bool(ctx.stated and ctx.stated not in subs)
    return bool(rules & SPONSORSHIP_FIXES) or not subs or wrong_claim


def _values(ctx: RuleContext, code: str) -> dict[str, Any]:
    f, req = ctx.fields, wording()["requirements"]
    blank = req["placeholder"]
    occ = ctx.primary_e7(code)
    req_ko, req_en = requirement_texts(occ)
    unit = ctx.kb.unit(code)
    title_ko = unit.name_ko if unit else code
    old_title = original_title(f)
    lines = duty_lines(ctx.duties_text) if duties_trusted(f) else []
    lines_ko = [line for line in lines if _has_hangul(line)]
    return {
        "employer": party_name(f.employer.value) or blank,
        "employee": party_name(f.employee_name.value) or blank,
        "contract_date": korean_date(f.contract_start.value, blank=req["date_placeholder_ko"]),
        "contract_date_en": english_date(f.contract_start.value, blank=blank),
        "old_title": old_title or blank, "code": code, "title_ko": title_ko,
        "title_changes": old_title is None or normalise(old_title) != normalise(title_ko),
        "title_en": unit.name_en if unit else None,
        "duties": lines_ko or [req["type_duties_ko"]], "duties_en": lines or [req["type_duties_en"]],
        "duties_typed": not lines_ko,
        "e7_occupation": occ.name_ko if occ else None,
        "subcategory": occ.subcategory if occ else None,
        "requirements_ko": req_ko, "requirements_en": req_en,
    }


def _sponsorship_items(ctx: RuleContext, findings: list[Finding], code: str) -> list[str]:
    rules = {f.rule for f in findings}
    subs = "/".join(sorted(ctx.subcategories(code)))
    excluded = first_excluded(ctx) if "excluded_example" in rules else None
    if excluded:
        return [_say("excluded", term=excluded[2])]
    if not subs:
        return [_say("not_eligible", code=code, name_ko=ctx.unit_name(code))]
    if ctx.stated and ctx.stated not in ctx.subcategories(code):
        return [_say("change_subcategory", stated=ctx.stated, subcategories=subs)]
    return []


def hr_checklist(ctx: RuleContext, findings: list[Finding], values: dict[str, Any]) -> list[str]:
    """What HR must verify with the employer before the addendum is signed and filed."""
    items = _sponsorship_items(ctx, findings, values["code"])
    if not duties_trusted(ctx.fields):
        items.append(_say("type_duties", confidence=f"{ctx.fields.duties.confidence:.0%}"))
    elif values["duties_typed"]:
        items.append(_say("translate_duties"))
    items.append(_say("duties"))
    others = [c for c in ctx.close_to_best() if c.code != values["code"]]
    if others:
        names = ", ".join(f"{c.code} {ctx.unit_name(c.code)}" for c in others)
        items.append(_say("alternatives", alternatives=names))
    items.append(_say("qualifications", requirements=values["requirements_ko"],
                      requirements_en=values["requirements_en"]))
    occ = ctx.duties_e7
    if occ and occ.employer_requirements:
        items.append(_say("employer", employer_requirements=occ.employer_requirements))
    items += _salary_item(ctx, findings)
    if ctx.fields.job_title.value_en and not ctx.fields.job_title.value:
        items.append(_say("korean_title", title_ko=values["title_ko"]))
    items.append(_say("sign"))
    return [resolve_particles(item) for item in items]


def _salary_item(ctx: RuleContext, findings: list[Finding]) -> list[str]:
    floor = wage_floor(ctx)
    if not any(f.rule == "salary_below_floor" for f in findings) or not isinstance(floor, Floor):
        return []
    return [_say("salary", floor=f"{floor.amount:,}")]


def draft_addendum(fields: ContractFields, match: OccupationMatch, findings: list[Finding], *,
                   year: int | None = None, knowledge: E7Facts | None = None,
                   visa: VisaData | None = None) -> AddendumDraft | None:
    """An addendum aligning title and duties with the duties' own KSCO code, or None.

    Only the duties' code is ever proposed (no title inflation), and only when the duties match
    is confident; `change_sponsorship` is set when the visa route, not the wording, must change.
    """
    rules = {f.rule for f in findings}
    if not rules & (TITLE_FIXES | SPONSORSHIP_FIXES):
        return None
    ctx = _context(fields, match, year, knowledge, visa)
    code = ctx.supported_code
    if code is None or not duty_lines(ctx.duties_text):
        log.debug("addendum: no confident duties reading, no draft")
        return None
    if not ctx.subcategories(code) and seeks_e7(fields):
        # Retitling an E-7 applicant to an occupation E-7 does not admit helps no one: the
        # finding tells HR to reconsider the visa route instead.
        log.debug("addendum: the duties' code is not E-7 work, no retitling draft")
        return None
    values = _values(ctx, code)
    env = _environment()
    return AddendumDraft(
        code=code, title_ko=values["title_ko"], title_en=values["title_en"],
        text_ko=resolve_particles(env.get_template("addendum_ko.txt.j2").render(values).strip()),
        text_en=env.get_template("addendum_en.txt.j2").render(values).strip(),
        hr_checklist=hr_checklist(ctx, findings, values),
        change_sponsorship=_change_sponsorship(rules, ctx, code))


_OTHER_STATUS = re.compile(r"\b(?:[A-DF-H]|E-?(?:[1-689]|10))\s*-?\s*\d*", re.IGNORECASE)


def seeks_e7(fields: ContractFields) -> bool:
    """True unless the contract names a status other than E-7 (ksoc-audit audits contracts
    before an E-7 filing, so a contract that names no status is taken to seek one)."""
    stated = (fields.stated_visa.value or "").strip()
    if not stated or re.search(r"E\s*-?\s*7", stated, re.IGNORECASE):
        return True
    return not _OTHER_STATUS.search(stated)


def _context(fields: ContractFields, match: OccupationMatch, year: int | None,
             knowledge: E7Facts | None, visa: VisaData | None) -> RuleContext:
    if knowledge is None:
        from matchers.knowledge.load import load_knowledge

        knowledge = load_knowledge()
    return RuleContext(fields=fields, match=match, year=year or contract_year(fields),
                       kb=knowledge, visa=visa or load_visa_data())
