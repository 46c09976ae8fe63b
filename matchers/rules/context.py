"""What every rule reads: the contract, its candidates, the E-7 facts and the visa figures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Protocol

from extractors.records import ContractFields, FieldValue
from matchers.knowledge.lexicon import generic_kind
from matchers.knowledge.records import E7Occupation, Unit
from matchers.occupation.e7_judge import E7Judge
from matchers.occupation.e7_judge import normalise as judge_normalise
from matchers.occupation.match import informative
from matchers.occupation.readings import (
    among_best,
    close_to_best,
    confident,
    leading_group,
    mostly,
    not_weak,
    trails,
)
from matchers.records import FindingEvidence, OccupationCandidate, OccupationMatch
from matchers.rules.visa_data import VisaData

# What a list of candidates says (confident, close to the best, a leading group ...) is asked of
# matchers.occupation.readings: the thresholds on the matcher's scores stay in its wing.
E7_WORK_SUBCATEGORIES = ("E-7-1", "E-7-2", "E-7-3", "E-7-4")
SCOPE_ORDER = {"unit": 0, "detail": 0, "group": 1, "none": 2}
_E7 = r"E\s*[-‐–]?\s*7"  # E-7 as contracts write it (E7, E-7, e 7 ...)
_STATED_E7 = re.compile(_E7, re.IGNORECASE)
_STATED = re.compile(_E7 + r"\s*[-‐–]?\s*([1-4])(?!\d)", re.IGNORECASE)
_YEAR = re.compile(r"(19|20)\d{2}")
_HANGUL = re.compile(r"[가-힣]")


class E7Facts(Protocol):
    """The slice of `matchers.knowledge.load.Knowledge` the rules use."""

    e7_occupations: list[E7Occupation]

    def e7_for_code(self, code: str) -> list[E7Occupation]: ...

    def unit(self, code: str) -> Unit | None: ...


def states_e7(text: str | None) -> bool:
    """The text names the E-7 visa, with or without a sub-category."""
    return _STATED_E7.search(text or "") is not None


def stated_subcategory(text: str | None) -> str | None:
    """'E-7-1' from the many ways a contract writes it (E71, E-7 -1, e 7 1 ...)."""
    m = _STATED.search(text or "")
    return f"E-7-{m.group(1)}" if m else None


def contract_year(fields: ContractFields) -> int:
    """Year of the contract start, else the current year."""
    m = _YEAR.search(fields.contract_start.value or "")
    return int(m.group(0)) if m else date.today().year


def group2(code: str) -> str:
    return code[:2]


def evidence(field: str, value: FieldValue, *, snippet: str | None = None) -> FindingEvidence:
    """Evidence pointing at a contract field (its page and snippet, or the value read)."""
    text = snippet or value.snippet or value.value
    return FindingEvidence(field=field, page=value.page, snippet=text)


def krw(amount: float) -> str:
    return f"{round(amount):,}"


@dataclass(frozen=True)
class RuleContext:
    fields: ContractFields  # what the contract says
    match: OccupationMatch  # KSCO candidates for title, English title, duties
    year: int  # year whose thresholds apply
    kb: E7Facts  # E-7 list and KSCO units
    visa: VisaData  # floors, GNI, F-2-7 tables

    @cached_property
    def duties_best(self) -> OccupationCandidate | None:
        """The duties' reading; none for boilerplate duties, whatever the matcher says."""
        return confident(self.duty_candidates)

    @cached_property
    def duty_candidates(self) -> list[OccupationCandidate]:
        """Duty candidates the rules may use. The duty index is built from the Korean job
        dictionary (한국직업사전): English duties are read through the glossary projection
        (matchers.occupation.english_duties) and count only when it covers most of their words;
        boilerplate duties get no reading."""
        text = self.duties_text
        if not informative(text):
            return []
        return self.match.duties_candidates

    @cached_property
    def duties_group(self) -> tuple[str, OccupationCandidate] | None:
        """(2-digit group, its best candidate) when the duty readings lead in one group
        (`readings.leading_group`, the group-level analogue of `confident`)."""
        return leading_group(self.duty_candidates)

    @cached_property
    def title_top(self) -> OccupationCandidate | None:
        """The title's first candidate when it is not weak (no group backing required)."""
        return not_weak(self.match.title_candidates)

    def corroborated(self, code: str) -> bool:
        """The duties back `code`: it is among their few best readings. Duty readings confuse
        neighbours that the dictionary itself files under two codes (호텔프런트사무원 is listed
        under 3922 and 4322), so a title's code the duties also read as is one job seen twice."""
        dec = self.match.decision
        if dec.agree and code == dec.title_code:
            return True  # the matcher saw the duties back the title's reading (all their scores)
        return among_best(self.duty_candidates, code)

    def close_to_best(self) -> list[OccupationCandidate]:
        """Duty candidates as plausible as the best one."""
        return close_to_best(self.duty_candidates)

    @cached_property
    def title_best(self) -> OccupationCandidate | None:
        return confident(self.match.title_candidates)

    @cached_property
    def title_en_best(self) -> OccupationCandidate | None:
        return confident(self.match.title_en_candidates)

    @cached_property
    def stated(self) -> str | None:
        return stated_subcategory(self.fields.stated_visa.value)

    def e7_work(self, code: str) -> list[E7Occupation]:
        """E-7 work occupations (E-7-1..E-7-4) a KSCO7 code falls under."""
        return [o for o in self.kb.e7_for_code(code) if o.subcategory in E7_WORK_SUBCATEGORIES]

    def primary_e7(self, code: str) -> E7Occupation | None:
        """The E-7 occupation that governs a code: the stated one, else the most specific. An
        occupation listed for one detailed job of the unit (자동차 판금·도장원 is 75104 of 7510)
        governs only when the match names it: the judged occupation, or that detail read."""
        occs = [o for o in self.e7_work(code) if o.scope != "detail" or self._names(o, code)]
        stated = [o for o in occs if o.subcategory == self.stated]
        ranked = sorted(stated or occs, key=lambda o: (SCOPE_ORDER.get(o.scope, 2), o.subcategory))
        return ranked[0] if ranked else None

    def _names(self, occ: E7Occupation, code: str) -> bool:
        j = self.match.e7
        if j is not None and j.occupation == occ.name_ko:
            return True
        return any(c.code == code and c.detail_code == occ.ksco7_detail
                   for c in [*self.match.candidates, *self.match.duties_candidates])

    def e7_claim(self, code: str) -> list[E7Occupation]:
        """E-7 work a code stands for in this contract: occupations listed only for a setting
        or cuisine (면세점 판매, 호텔 접수, 양식 조리) count when the title or duties show it."""
        text = self._condition_text
        return [o for o in self.e7_work(code)
                if all(c.shown for c in E7Judge.conditions(o, text) if c.kind in ("setting", "cuisine"))]

    @cached_property
    def _condition_text(self) -> str:
        title = self.fields.job_title
        return judge_normalise(f"{title.value or ''} {title.value_en or ''} {self.duties_text}")

    @cached_property
    def duties_e7(self) -> E7Occupation | None:
        return self.primary_e7(self.duties_best.code) if self.duties_best else None

    @cached_property
    def duties_professional(self) -> OccupationCandidate | None:
        """The duties' best professional candidate when the duties read as professional work: a
        confident professional reading (or one as plausible as the confident reading), or,
        no single code being confident, most of the duty readings' score on professional codes,
        even if which one is uncertain."""
        best, cands = self.duties_best, self.duty_candidates
        if best is not None:
            if self.is_professional(best.code):
                return best
            # a professional reading as plausible as the confident one (8631 0.63 vs 2321 0.58)
            return next((c for c in self.close_to_best() if self.is_professional(c.code)), None)
        if not cands:
            return None
        if not mostly(cands, self._professional):
            return None
        return next(c for c in cands if self.is_professional(c.code))

    def _professional(self, cand: OccupationCandidate) -> bool:
        return self.is_professional(cand.code)

    def is_professional(self, code: str) -> bool:
        """KSCO major 1 (managers) or 2 (professionals), or on the E-7-1 list."""
        return code[:1] in "12" or any(o.subcategory == "E-7-1" for o in self.e7_work(code))

    def subcategories(self, code: str) -> set[str]:
        return {o.subcategory for o in self.e7_work(code)}

    def unit_name(self, code: str) -> str:
        unit = self.kb.unit(code)
        return unit.name_ko if unit else code

    def unit_name_en(self, code: str) -> str:
        unit = self.kb.unit(code)
        return (unit.name_en or unit.name_ko) if unit else code

    @cached_property
    def korean_title(self) -> str | None:
        value = self.fields.job_title.value
        return value if value and _HANGUL.search(value) else None

    @cached_property
    def english_title(self) -> str | None:
        title = self.fields.job_title
        if title.value_en:
            return title.value_en
        return title.value if title.value and not _HANGUL.search(title.value) else None

    @cached_property
    def title_generic_kind(self) -> str | None:
        """Generic kind of the title that governs: Korean, else English, else a rank alone."""
        text = self.korean_title or self.english_title or self.fields.job_title.rank
        return generic_kind(text) if text else None

    @cached_property
    def supported_code(self) -> str | None:
        """The KSCO code the duties support, or None when they do not pin one down.

        A specific title whose code the duties also list wins (the duties back it). Otherwise
        the duties' confident reading, unless an equally strong reading differs in E-7
        eligibility: proposing the E-7 one would be title inflation.
        """
        best = self.duties_best
        if self.title_generic_kind is None:
            for top in (self.title_top, not_weak(self.match.title_en_candidates)):
                if top and self.corroborated(top.code) and not self._outweighed(top.code, best):
                    return top.code
        if best is None:
            return None
        eligible = bool(self.e7_work(best.code))
        if any(bool(self.e7_work(c.code)) != eligible for c in self.close_to_best()):
            return None
        return best.code

    def _outweighed(self, code: str, best: OccupationCandidate | None) -> bool:
        """A stronger duty reading of other E-7 eligibility than `code` (no inflation)."""
        if best is None or bool(self.e7_work(code)) == bool(self.e7_work(best.code)):
            return False
        return trails(self.duty_candidates, code, best)

    @cached_property
    def title_text(self) -> str:
        """Korean title, else the English one, else the rank alone, as written."""
        title = self.fields.job_title
        return title.value or title.value_en or title.rank or ""

    @cached_property
    def duties_text(self) -> str:
        return self.fields.duties.value or ""
