"""Match job titles (Korean, English) and duty texts to KSCO7 units and E-7 occupations."""

from __future__ import annotations

import functools
import logging

import numpy as np

from extractors.records import ContractFields
from matchers.english import is_generic_en, read_synonyms
from matchers.knowledge import Knowledge, load_knowledge
from matchers.knowledge_index import KIND_WEIGHT, DutyIndex, TitleIndex
from matchers.knowledge_text import title_key
from matchers.match_e7 import e7_fields
from matchers.records import OccupationCandidate, OccupationMatch

log = logging.getLogger(__name__)

TOP = 5
WEIGHTS = {"title": 0.45, "title_en": 0.35, "duties": 0.55}  # calibrated by bench.match
EXACT = 0.95  # title score floor for an exact dictionary title or alias
CENTROID = 0.7  # share of the title score from the per-code title centroid (bench.match)
DUTY_SCALE = 0.30  # duty cosine treated as full strength (calibrated by bench.match)
REVIEW_MIN_SCORE = 0.54  # best combined score below this needs review
REVIEW_MIN_MARGIN = 0.14  # best minus runner-up below this needs review

Scores = dict[str, tuple[float, list[str]]]


class Matcher:
    """Indexes built once from the knowledge; all scoring is dict/numpy work."""

    def __init__(self, kb: Knowledge, *, english=None, synonyms: bool = True):
        self.kb = kb
        self.titles = TitleIndex(title_entries(kb, synonyms=synonyms))
        self.generic = {title_key(r["title_ko"]) for r in read_synonyms("synonyms_ko.csv")
                        if r["generic"] == "1"}
        self.duties = DutyIndex(kb.terms)
        self.english = english

    def title_scores(self, title: str) -> Scores:
        found = self.titles.code_scores(title)
        out = {c: (s * (1 - CENTROID), [f"title '{title}' ~ {kind} '{name}'"])
               for c, (s, name, kind) in found.items()}
        for code, sim in self.titles.centroid_scores(title).items():
            score, evidence = out.get(code, (0.0, [f"title '{title}' ~ titles of {code}"]))
            out[code] = (score + CENTROID * sim, evidence)
        for code, kind in self.titles.exact_codes(title).items():
            if kind != "related":  # a dictionary title or alias named exactly is strong evidence
                out[code] = (max(out[code][0], EXACT * KIND_WEIGHT[kind]), out[code][1])
        return out

    def english_scores(self, title_en: str) -> Scores:
        return self.english.code_scores(title_en) if self.english else {}

    def duty_scores(self, duties: str, *, top: int = 30) -> Scores:
        sims, qvec = self.duties.code_scores(duties)
        best = np.argsort(-sims)[:top]
        out = {}
        for rank, i in enumerate(best):
            if sims[i] > 0:
                code = self.duties.codes[i]
                score = min(1.0, float(sims[i]) / DUTY_SCALE)
                words = self.duties.keywords(code, qvec) if rank < TOP + 3 else ["(similar duties)"]
                out[code] = (score, [f"duty keywords: {', '.join(words)}"])
        return out


def title_entries(kb: Knowledge, *, synonyms: bool = True) -> list[tuple[str, str, str]]:
    """Dictionary titles, KSCO7 unit and detail names, and the curated Korean synonyms."""
    entries = [(t.code, t.title, t.kind) for t in kb.titles]
    if synonyms:
        entries += [(r["code"], r["title_ko"], "synonym") for r in read_synonyms("synonyms_ko.csv")
                    if kb.unit(r["code"])]
    for code, row in kb.ksco7.items():
        if row["level"] == "unit":
            entries.append((code, row["name_ko"], "unit_name"))
        elif row["level"] == "detailed" and not row["name_ko"].startswith("그 외"):
            entries.append((row["parent_code"], row["name_ko"], "detail_name"))
    return entries


def combine(parts: dict[str, Scores]) -> Scores:
    """Weighted sum of the per-source scores, renormalised over the sources present."""
    present = {k: v for k, v in parts.items() if v}
    total = sum(WEIGHTS[k] for k in present) or 1.0
    out: dict[str, tuple[float, list[str]]] = {}
    for source, scores in present.items():
        for code, (score, evidence) in scores.items():
            old, ev = out.get(code, (0.0, []))
            out[code] = (old + WEIGHTS[source] * score / total, ev + evidence)
    return out


def ranked(scores: Scores, n: int = TOP) -> list[tuple[str, float, list[str]]]:
    items = sorted(scores.items(), key=lambda kv: -kv[1][0])[:n]
    return [(code, score, evidence) for code, (score, evidence) in items]


def candidate(kb: Knowledge, code: str, score: float, evidence: list[str],
              title: str | None) -> OccupationCandidate:
    unit = kb.unit(code)
    e7 = e7_fields(kb, code, title)
    return OccupationCandidate(
        code=code, name_ko=unit.name_ko, name_en=unit.name_en, score=round(min(score, 1.0), 4),
        ksco8_code=unit.ksco8_code, detail_code=detail_code(kb, code, title),
        e7_subcategory=e7["subcategory"], e7_occupation=e7["occupation"],
        evidence=evidence + e7["evidence"])


def detail_code(kb: Knowledge, code: str, title: str | None) -> str | None:
    """5-digit detail code only when the title names exactly one detail of the unit."""
    if not title:
        return None
    key = title_key(title)
    hits = [c for c, name in kb.details(code) if title_key(name) == key]
    return hits[0] if len(hits) == 1 else None


def review(best: list[tuple[str, float, list[str]]]) -> tuple[bool, str | None]:
    if not best:
        return True, "no title or duties to match"
    if best[0][1] < REVIEW_MIN_SCORE:
        return True, f"best candidate {best[0][0]} is weak ({best[0][1]:.2f})"
    if len(best) > 1 and best[0][1] - best[1][1] < REVIEW_MIN_MARGIN:
        return True, f"{best[0][0]} and {best[1][0]} score almost the same"
    return False, None


@functools.cache
def get_matcher() -> Matcher:
    from matchers.english import load_english_index

    kb = load_knowledge()
    return Matcher(kb, english=load_english_index(kb))


def match_texts(title: str | None = None, title_en: str | None = None,
                duties: str | None = None, *, matcher: Matcher | None = None) -> OccupationMatch:
    """Top-5 KSCO7 candidates from a Korean title, an English title and/or a duty text."""
    m = matcher or get_matcher()
    parts = {"title": m.title_scores(title) if title and title.strip() else {},
             "title_en": m.english_scores(title_en) if title_en and title_en.strip() else {},
             "duties": m.duty_scores(duties) if duties and duties.strip() else {}}
    best = ranked(combine(parts))
    needs, reason = review(best)

    def cands(items):
        return [candidate(m.kb, c, s, ev, title) for c, s, ev in items]

    return OccupationMatch(
        candidates=cands(best), title_candidates=cands(ranked(parts["title"])),
        title_en_candidates=cands(ranked(parts["title_en"])),
        duties_candidates=cands(ranked(parts["duties"])), needs_review=needs, review_reason=reason,
        generic_title=is_generic(m, title, title_en), reference_version=m.kb.version)


def is_generic(m: Matcher, title: str | None, title_en: str | None) -> bool:
    """True when the stated title is a generic/clerical one (사무원, 직원, Staff ...)."""
    return bool(title and title_key(title) in m.generic) or bool(title_en and is_generic_en(title_en))


def match_occupation(fields: ContractFields) -> OccupationMatch:
    """Match the extracted job title (Korean and English) and duties of a contract."""
    return match_texts(fields.job_title.value, fields.job_title.value_en, fields.duties.value)
