"""Match job titles (Korean, English) and duty texts to KSCO7 units and E-7 occupations."""

from __future__ import annotations

import functools
import heapq
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from extractors.records import ContractFields
from matchers.knowledge.english import EnglishIndex, is_generic_en
from matchers.knowledge.index import KIND_WEIGHT, DutyIndex, TitleIndex
from matchers.knowledge.lexicon import (
    BARE_HEADS_KO,
    MIN_INFORMATIVE,
    generic_kind,
    has_management_cue,
    informative_size,
    mostly_korean,
    names_management,
)
from matchers.knowledge.load import Knowledge, load_knowledge
from matchers.knowledge.modern_terms import expand
from matchers.knowledge.modern_terms import table as modern_table
from matchers.knowledge.text import (
    read_synonyms,
    title_entries,
    title_key,
    unqualified,
)
from matchers.occupation.e7 import e7_fields
from matchers.occupation.e7_judge import E7Judge, promote
from matchers.occupation.english_duties import glossary, project, readable
from matchers.occupation.meaning import MEANING, meaning_of
from matchers.occupation.nlp import analyse, check_pipeline, kiwi, shipped_pipeline
from matchers.occupation.semantic import Meaning
from matchers.records import OccupationCandidate, OccupationDecision, OccupationMatch

log = logging.getLogger(__name__)
_HANGUL = re.compile(r"[가-힣]")

TOP = 5
WEIGHTS = {"title": 0.45, "title_en": 0.35, "duties": 0.55}  # calibrated by bench.match
EXACT = 0.95  # title score floor for an exact dictionary title or alias
CENTROID = 0.7  # share of the n-gram title score from the per-code title centroid
DUTY_SCALE = 0.30  # duty cosine treated as full strength
REVIEW_MIN_SCORE = 0.68  # best combined score below this needs review (bench.match --review: 95% right on the rest)
REVIEW_MIN_MARGIN = 0.38  # best minus runner-up below this needs review
# The duties back a title's reading when its code is among their BACKING_SCAN best readings with
# at least BACKING_SHARE of the best duty score, or is among them beside a 3-digit neighbour the
# title also reads as, that neighbour among their TOP best with that share and the title's code
# with that share of the neighbour's. A reading far behind is a shared word, not the work
# (bench.match, devset truth: online selling read 5312 at 1.0 does not back a title's 9539 read at
# 0.12; pasta and steak read 2870 0.86, 4412 0.2, 4413 0.16 back a 양식 조리사's 4413).
BACKING_SCAN = 8
BACKING_SHARE = 0.2
QUALIFIER_LOSS = 0.9  # a title read without its parenthesised qualifier counts this much
WEAK_READING = 0.25  # a duty reading below this is no reading
STRONG_READING = 0.45  # ... at or above this it stands alone; in between it needs a margin
READING_MARGIN = 0.1
# A reading with this share of the best one is as plausible as it (a person's history counts it as
# the work's code too, the first-listed duty does not overrule it; bench.people: 0.7 keeps recall
# 92.5% and lifted precision 89.1% -> 94.2% over 0.85).
NEAR_SHARE = 0.7
AGREEMENT = 3  # English duties the glossary misses count when both readers share a unit in this many


@dataclass(frozen=True)
class Params:
    """Fusion knobs, calibrated by `bench.match --calibrate` on a split of the training part."""

    title_mix: float = 0.5  # share of the title score from the title model (rest: n-gram index)
    duty_full: float = 0.5  # duty model probability treated as full strength (rules' score scale)
    duty_mix: float = 0.6  # share of the duty score from the duty model (rest: centroid cosine)
    title_weight: float = 0.8  # weight of the Korean title against the duties
    min_score: float = REVIEW_MIN_SCORE
    min_margin: float = REVIEW_MIN_MARGIN


PARAMS = Params()
Scores = dict[str, tuple[float, list[str]]]
DUTY_KEYWORDS = "duty keywords: ?"  # placeholder, filled in for the candidates shown


@dataclass(frozen=True)
class DutyReading:
    """One duty text read once per match: the pipeline's doc (its term features and categories),
    the text's cosine with each code in the duty index and the word features of its query vector
    (the shown candidates' duty keywords). Passed along within one call; never kept."""

    doc: Doc
    sims: np.ndarray
    words: dict[str, float]


class Matcher:
    """Indexes built once from the knowledge, and the trained spaCy pipeline
    (`matchers.occupation.nlp`): each title and duty text goes through it (Kiwi tokens -> term
    features -> `doc.cats`); its term features feed the duty index and its categories the model
    half of each score. Read-only once built: one instance serves every thread, and nothing of a
    call is kept for the next (a text read once is passed along within its call)."""

    def __init__(self, kb: Knowledge, *, english: EnglishIndex | None = None,
                 synonyms: bool = True, params: Params = PARAMS, project_english: bool = True,
                 modern_terms: bool = True, e7_first: bool = True, nlp: Language | None = None,
                 semantic: bool = True) -> None:
        self.kb, self.params = kb, params
        self.e7_first = e7_first  # named and E-7 codes put first (off: the ranking alone)
        self.project_english = project_english  # English duty runs rewritten via the glossary
        self.modern_terms = modern_terms  # modern Korean terms add their dictionary words
        self.titles = TitleIndex(title_entries(
            [(t.code, t.title, t.kind) for t in kb.titles], kb.ksco7, synonyms=synonyms))
        self.generic = {title_key(r["title_ko"]) for r in read_synonyms("synonyms_ko.csv")
                        if r["generic"] == "1"}
        self.duties = DutyIndex(kb.terms)
        self.nlp = nlp if nlp is not None else shipped_pipeline(kb.version)
        check_pipeline(self.nlp, kb.version)  # trained on this very knowledge
        self.english = english
        # the pipeline's meaning component re-ranks duty readings (off: the lexical readings)
        self.skip = frozenset() if semantic else frozenset({MEANING})
        self.e7 = E7Judge(kb, self.titles.exact_codes)
        glossary(), modern_table(), is_generic_en("")  # curated tables read now, not on first use

    def duty_doc(self, duties: str) -> Doc:
        """The pipeline's doc of a duty text (`as_read`); `doc._.ksco_terms` holds its term
        features."""
        text = as_read(duties, project_english=self.project_english, modern_terms=self.modern_terms)
        return analyse(self.nlp, text, "duties", written=duties, skip=self.skip)

    def duty_reading(self, duties: str) -> DutyReading:
        """A duty text read once: its doc and its place in the duty index."""
        doc = self.duty_doc(duties)
        terms: dict[str, int] = doc._.ksco_terms
        sims, vec = self.duties.code_scores(duties, terms)
        return DutyReading(doc, sims, {f: w for f, w in vec.items() if f.startswith("w:")})

    def index_title_scores(self, title: str) -> Scores:
        """Title n-gram index: similar titles, per-code centroids, exact-title floor."""
        found = self.titles.code_scores(title)
        out = {c: (s * (1 - CENTROID), [f"title '{title}' ~ {kind} '{name}'"])
               for c, (s, name, kind) in found.items()}
        for code, sim in self.titles.centroid_scores(title).items():
            score, evidence = out.get(code, (0.0, [f"title '{title}' ~ titles of {code}"]))
            out[code] = (score + CENTROID * sim, evidence)
        return out

    def title_scores(self, title: str) -> Scores:
        p = self.params
        index = self.index_title_scores(title)
        probs = self.title_probs(title)
        out = mix(index, probs, p.title_mix,
                  lambda c: [f"title '{title}' resembles the titles of {c}"])
        for code, kind in self.titles.exact_codes(title).items():
            if kind != "related":  # a dictionary title or alias named exactly is strong evidence
                score, evidence = out.get(code, (0.0, [f"title '{title}' = {kind}"]))
                out[code] = (max(score, EXACT * KIND_WEIGHT[kind]), evidence)
        return out

    def title_probs(self, title: str) -> dict[str, float]:
        """The title model's calibrated per-code probabilities of a title."""
        return self._probs(analyse(self.nlp, title, "title", skip=self.skip))

    def english_scores(self, title_en: str) -> Scores:
        return self.english.code_scores(title_en) if self.english else {}

    def duty_scores(self, duties: str, reading: DutyReading | None = None) -> Scores:
        """The duty text's scores: its cosines in the duty index mixed with the duty model's
        probabilities (`reading`: the text as already read in this call)."""
        p = self.params
        reading = reading or self.duty_reading(duties)
        index = self.index_duty_scores(reading.sims)
        probs = self._probs(reading.doc, p.duty_full)
        return mix(index, probs, p.duty_mix, lambda c: [DUTY_KEYWORDS])

    def duty_evidence(self, code: str, evidence: list[str],
                      reading: DutyReading | None) -> list[str]:
        """Fill in the duty keywords of a shown candidate from the duty text's query vector."""
        if DUTY_KEYWORDS not in evidence or reading is None:
            return evidence
        words = ", ".join(self._keywords(code, reading.words))
        return [f"duty keywords: {words}" if e == DUTY_KEYWORDS else e for e in evidence]

    @staticmethod
    def _probs(doc: Doc, full: float = 1.0, top: int = 30) -> dict[str, float]:
        """The pipeline's calibrated per-code probabilities (`doc.cats`, empty when the text has
        no feature the model knows), the `top` best, `full` counting as full strength."""
        best = heapq.nlargest(top, doc.cats.items(), key=itemgetter(1))
        return {code: min(1.0, p / full) for code, p in best}

    def index_duty_scores(self, sims: np.ndarray, *, top: int = 30) -> Scores:
        """The duty text's cosines with each code's summed duty features, as scores."""
        best = np.argsort(-sims)[:top]
        return {self.duties.codes[i]: (min(1.0, float(sims[i]) / DUTY_SCALE), [DUTY_KEYWORDS])
                for i in best if sims[i] > 0}

    def _keywords(self, code: str, qvec: dict[str, float]) -> list[str]:
        if code not in self.duties.position:
            return ["(similar duties)"]
        return self.duties.keywords(code, qvec) or ["(similar duties)"]


def as_read(duties: str, *, project_english: bool = True, modern_terms: bool = True) -> str:
    """A duty text as the matcher reads it: English runs rewritten in Korean via the glossary,
    then modern terms' dictionary words added (the duty knowledge is the dictionary's Korean)."""
    text = project(duties).text if project_english else duties
    return expand(text) if modern_terms else text


def mix(index: Scores, probs: dict[str, float], share: float,
        why: Callable[[str], list[str]]) -> Scores:
    """share x model probability + (1 - share) x index score, per code."""
    if not probs:
        return dict(index)  # a copy: callers add to it and `index` may be memoised
    out = {c: ((1 - share) * s, ev) for c, (s, ev) in index.items()}
    for code, prob in probs.items():
        score, evidence = out.get(code, (0.0, None))
        out[code] = (score + share * prob, evidence or why(code))
    return out


def combine(parts: dict[str, Scores], title_weight: float = WEIGHTS["title"]) -> Scores:
    """Weighted sum of the per-source scores, renormalised over the sources present."""
    present = {k: v for k, v in parts.items() if v}
    weights = {**WEIGHTS, "title": title_weight}
    total = sum(weights[k] for k in present) or 1.0
    out: dict[str, tuple[float, list[str]]] = {}
    for source, scores in present.items():
        for code, (score, evidence) in scores.items():
            old, ev = out.get(code, (0.0, []))
            out[code] = (old + weights[source] * score / total, ev + evidence)
    return out


def ranked(scores: Scores, n: int = TOP) -> list[tuple[str, float, list[str]]]:
    items = sorted(scores.items(), key=lambda kv: -kv[1][0])[:n]
    return [(code, score, evidence) for code, (score, evidence) in items]


def code_facts(kb: Knowledge, code: str, title: str | None) -> dict[str, Any]:
    """What a candidate says about its code whatever its score: names, KSCO8, detail, E-7."""
    unit = kb.unit(code)
    assert unit is not None  # candidates are codes of the knowledge's own units
    e7 = e7_fields(kb, code, title)
    return {"name_ko": unit.name_ko, "name_en": unit.name_en, "ksco8_code": unit.ksco8_code,
            "detail_code": detail_code(kb, code, title), "e7_subcategory": e7["subcategory"],
            "e7_occupation": e7["occupation"], "e7_evidence": e7["evidence"]}


def candidate(code: str, score: float, evidence: list[str], facts: dict[str, Any]
              ) -> OccupationCandidate:
    """One candidate from its score, its evidence and its code's `code_facts`."""
    return OccupationCandidate(
        code=code, name_ko=facts["name_ko"], name_en=facts["name_en"],
        score=round(min(score, 1.0), 4), ksco8_code=facts["ksco8_code"],
        detail_code=facts["detail_code"], e7_subcategory=facts["e7_subcategory"],
        e7_occupation=facts["e7_occupation"], evidence=evidence + facts["e7_evidence"])


def detail_code(kb: Knowledge, code: str, title: str | None) -> str | None:
    """5-digit detail code only when the title names exactly one detail of the unit."""
    if not title:
        return None
    key = title_key(title)
    hits = [c for c, name in kb.details(code) if title_key(name) == key]
    return hits[0] if len(hits) == 1 else None


def review(best: list[tuple[str, float, list[str]]], params: Params = PARAMS, *,
           named: str | None = None) -> tuple[bool, str | None]:
    """Needs review when the best candidate is weak or close to the runner-up, unless the
    title names it exactly (`named`: the one code owning the title as a dictionary title,
    alias or KSCO name; bench.match: 25 of 26 such held-out titles were right)."""
    if not best:
        return True, "no title or duties to match"
    if named is not None and best[0][0] == named:
        return False, None
    if best[0][1] < params.min_score:
        return True, f"best candidate {best[0][0]} is weak ({best[0][1]:.2f})"
    if len(best) > 1 and best[0][1] - best[1][1] < params.min_margin:
        return True, f"{best[0][0]} and {best[1][0]} score almost the same"
    return False, None


@functools.cache
def get_matcher() -> Matcher:
    from matchers.knowledge.english import load_english_index

    kb = load_knowledge()
    return Matcher(kb, english=load_english_index(kb))


def match_texts(title: str | None = None, title_en: str | None = None,
                duties: str | None = None, *, matcher: Matcher | None = None) -> OccupationMatch:
    """Top-5 KSCO7 candidates from a Korean title, an English title and/or a duty text."""
    m = matcher or get_matcher()
    reading = m.duty_reading(duties) if duties and duties.strip() else None  # read once
    parts = {"title": read_title(m, title) if title and title.strip() else {},
             "title_en": m.english_scores(title_en) if title_en and title_en.strip() else {},
             "duties": read_duties(m, duties, reading) if duties and reading else {}}
    best = ranked(combine(parts, m.params.title_weight))
    named_title = named_code(m, title)  # the code the Korean title names exactly, if one
    exact = named_title if m.e7_first else None
    if exact is not None and exact in [c for c, _, _ in best]:
        best = promote(best, exact, f"the title names {exact} exactly")
    generic = is_generic(m, title, title_en)
    if generic and parts["duties"] and m.e7_first:  # a generic title names no occupation
        best = promote(best, ranked(parts["duties"])[0][0], "the duties' best (generic title)")
    code, named, basis = m.e7.choose(best, title, title_en, duties) if m.e7_first else (
        best[0][0] if best else None, [], "best candidate")
    best = promote(best, code, basis)
    by_title = ranked(parts["title"])
    if by_title and m.e7_first:
        t_code, _, t_basis = m.e7.choose(by_title, title, title_en, None)
        by_title = promote(by_title, t_code, t_basis)
    duty_rank = ranked(parts["duties"], 30) if reads_as_work(duties, reading, parts["duties"]) else []
    names_no_job = generic or bool(generic_kind(title or title_en or "")) or bool(
        duty_rank and title and not m.titles.exact_codes(unqualified(title))
        and bare_headed(unqualified(title)))  # 매장직원: the duties name the work
    decision = decide(title_reading(parts, by_title, title, title_en), duty_rank,
                      generic=names_no_job)
    needs, reason = review(best, m.params, named=named_title)

    facts: dict[str, dict[str, Any]] = {}  # per code, shared by the four candidate lists

    def cands(items: list[tuple[str, float, list[str]]]) -> list[OccupationCandidate]:
        for c, _, _ in items:
            if c not in facts:
                facts[c] = code_facts(m.kb, c, title)
        return [candidate(c, s, m.duty_evidence(c, ev, reading), facts[c])
                for c, s, ev in items]

    return OccupationMatch(
        candidates=cands(best), title_candidates=cands(by_title),
        title_en_candidates=cands(ranked(parts["title_en"])),
        duties_candidates=cands(ranked(parts["duties"])), needs_review=needs, review_reason=reason,
        generic_title=generic, reference_version=m.kb.version,
        e7=m.e7.judge(best[0][0] if best else None, named, basis, title, title_en, duties),
        decision=decision)


def title_reading(parts: dict[str, Scores], by_title: list[tuple[str, float, list[str]]],
                  title: str | None = None, title_en: str | None = None
                  ) -> list[tuple[str, float, list[str]]]:
    """The stated title's readings, best first: the Korean title's (its E-7 choice first), else
    the English title's (the Korean one names the job as filed; devset: preferring the stronger
    of the two read worse). A manager's occupation (KSCO 1xxx) is no reading of a title that
    does not say its holder manages (`names_management`): '해외 마케팅' shares words with
    마케팅 관리자, 'Campaign Designer' with campaign managers, neither names a manager."""
    ko = ranked(parts["title"], 30)
    if ko and by_title:
        ko = [by_title[0], *[t for t in ko if t[0] != by_title[0][0]]]
    en = ranked(parts["title_en"], 30)
    if ko and not names_management(title or ""):
        ko = [t for t in ko if not t[0].startswith("1")]
    if en and not names_management(title_en or ""):
        en = [t for t in en if not t[0].startswith("1")]
    return ko or en


def reads_as_work(duties: str | None, reading: DutyReading | None, scores: Scores) -> bool:
    """Duties the decision may use: `informative` ones, and English duties the glossary cannot
    project when the sentence encoder and the lexical reading agree on what they are (a unit
    among the AGREEMENT best of both: two independent readers of the same text)."""
    if informative(duties):
        return True
    if not duties or reading is None or informative_size(duties) < MIN_INFORMATIVE:
        return False
    meaning = meaning_of(reading.doc)
    if meaning is None:
        return False
    return bool({c for c, _, _ in ranked(scores, AGREEMENT)} & set(meaning.best(AGREEMENT)))


def informative(duties: str | None) -> bool:
    """Duties that show an occupation: not boilerplate, and Korean or English the glossary
    projection reads (the duty knowledge is Korean)."""
    if not duties:
        return False
    return informative_size(duties) >= MIN_INFORMATIVE and (mostly_korean(duties) or readable(duties))


def backs(duty_rank: list[tuple[str, float, list[str]]], code: str,
          title_codes: set[str]) -> bool:
    """The duties read as the title's occupation `code` too (see BACKING_*; `title_codes`: the
    codes the title reads as)."""
    best = duty_rank[0][1]
    own = max((s for c, s, _ in duty_rank[:BACKING_SCAN] if c == code), default=None)
    if own is None:
        return False
    if own >= BACKING_SHARE * best:
        return True
    return any(c != code and c[:3] == code[:3] and c in title_codes and s >= BACKING_SHARE * best
               and own >= BACKING_SHARE * s for c, s, _ in duty_rank[:TOP])


def backed_reading(title_rank: list[tuple[str, float, list[str]]],
                   duty_rank: list[tuple[str, float, list[str]]], title_codes: set[str]) -> str | None:
    """Among the title's readings as plausible as its best (within READING_MARGIN), the one the
    duties back most strongly (a designer's title read 0.57 as product and 0.55 as fashion
    design, with duties that name fashion design only). None when the duties back none of them."""
    best = title_rank[0][1]
    duty = {c: s for c, s, _ in duty_rank[:BACKING_SCAN]}
    close = [c for c, s, _ in title_rank[:TOP] if s >= best - READING_MARGIN
             and backs(duty_rank, c, title_codes)]
    return max(close, key=lambda c: duty.get(c, 0.0), default=None)


def sure(rank: list[tuple[str, float, list[str]]]) -> bool:
    """A best reading strong enough to act on: strong alone, or clearly ahead of the next."""
    if not rank or rank[0][1] < WEAK_READING:
        return False
    return rank[0][1] >= STRONG_READING or len(rank) < 2 or rank[0][1] - rank[1][1] >= READING_MARGIN


def decide(title_rank: list[tuple[str, float, list[str]]],
           duty_rank: list[tuple[str, float, list[str]]], *, generic: bool) -> OccupationDecision:
    """The occupation the work is: the title's reading when the duties back it, else the
    duties' reading; the title's alone when the duties are boilerplate or absent. A generic
    title (사무원, Staff) names no occupation: it only confirms duties whose best reading lies
    in its own 2-digit group (a clerk doing clerical work), and the duties name the code."""
    t = title_rank[0][0] if title_rank else None
    d = duty_rank[0][0] if duty_rank else None
    if generic:
        if t and d and t[:2] == d[:2]:
            return OccupationDecision(code=d, basis="title_and_duties", title_code=t,
                                      duties_code=d, agree=True, certain=True)
        t = None
    code: str | None
    if t and d:
        title_codes = {c for c, _, _ in title_rank[:TOP]}
        t = backed_reading(title_rank, duty_rank, title_codes) or t
        agree = backs(duty_rank, t, title_codes)
        code, basis = (t, "title_and_duties") if agree else (d, "duties")
        certain = agree or sure(duty_rank)
    else:
        agree = None
        code, basis = (d, "duties") if d else (t, "title") if t else (None, "none")
        certain = sure(duty_rank) if d else bool(t and title_rank[0][1] >= WEAK_READING)
    return OccupationDecision(code=code, basis=basis, title_code=t, duties_code=d, agree=agree,
                              certain=certain)


def named_code(m: Matcher, title: str | None) -> str | None:
    """The single code whose dictionary title, alias or KSCO name the Korean title is exactly
    (related-job mentions do not count); None when there is none or several."""
    if not title or not _HANGUL.search(title) or is_generic(m, title, None):
        return None
    owners = {c: kind for c, kind in m.titles.exact_codes(unqualified(title)).items()
              if kind != "related"}
    if len(owners) > 1:  # the classification's own unit name outranks a dictionary alias
        owners = {c: k for c, k in owners.items() if k == "unit_name"} or owners
    return next(iter(owners)) if len(owners) == 1 else None


def read_duties(m: Matcher, duties: str, reading: DutyReading | None = None, *,
                main: bool = True) -> Scores:
    """The duties' scores: the lexical readings (pipeline categories and duty index), re-ranked
    by the sentence encoder's reading of the same text (the pipeline's `ksco_meaning`), the main
    duty's reading first when it is `sure` and the whole list backs it (`main_duty`)."""
    reading = reading or m.duty_reading(duties)
    scores = m.duty_scores(duties, reading)
    meaning = meaning_of(reading.doc) if MEANING not in m.skip else None
    scores = meaning.rerank(scores) if meaning is not None else scores
    first = main_duty(duties) if main and scores else None
    return scores if first is None else main_duty_first(m, duties, first, scores, meaning)


def main_duty_first(m: Matcher, duties: str, first: str, scores: Scores,
                    meaning: Meaning | None = None) -> Scores:
    """`scores` (the whole list's reading) with the first-listed duty's code in the lead, when
    that duty alone reads as one occupation (`sure`) that the list's reading passes over:
    - the list backs it (BACKING_SHARE of its best), so it is part of the work;
    - the main duty does not read as the list's best too (NEAR_SHARE), and a strong reading of
      the list does not hold it nearly as high: the list has not already weighed it;
    - it is not less skilled work than the list's best (KSCO's 최상급 직능수준 우선 원칙: 공정
      개발 is engineering even when its first line reads as a production operator);
    - a manager's code (1xxx) only for duties that manage;
    - the list's best is not one occupation that both the main duty and the others name
      (`one_occupation`);
    - across 2-digit groups, the sentence encoder (`meaning`, the whole list's) reads the list
      at least as close to the main duty's code: a first line misread by a shared word
      ('Design display driver circuits' as a display designer) does not overrule the list.
      Within a group its cosines hardly tell neighbours apart, and the main duty leads.
    The two codes trade places; nothing else moves."""
    own = ranked(read_duties(m, first, main=False), TOP)
    if not sure(own):
        return scores
    code, best = own[0][0], max(s for s, _ in scores.values())
    whole = max(scores, key=lambda c: scores[c][0])
    mine = scores.get(code, (0.0, []))[0]
    if (mine < BACKING_SHARE * best
            or any(c == whole and s >= NEAR_SHARE * own[0][1] for c, s, _ in own)
            or (best >= STRONG_READING and mine >= NEAR_SHARE * best)
            or skill_level(code) < skill_level(whole)
            or (code.startswith("1") and not has_management_cue(duties))
            or (meaning is not None and code[:2] != whole[:2]
                and meaning.closeness(code) < meaning.closeness(whole))
            or one_occupation(m, duties, own, whole)):  # last: it reads the other duties
        return scores
    out = dict(scores)
    out[whole] = (mine, scores[whole][1])
    out[code] = (best, [*scores[code][1], f"the first-listed duty '{first}' reads as {code}"])
    return out


def one_occupation(m: Matcher, duties: str, own: list[tuple[str, float, list[str]]],
                   whole: str) -> bool:
    """The list's best reading `whole` is the other duties' own best reading and the main duty
    (read as `own`) backs it too (BACKING_SHARE): the duties describe one occupation, which the
    whole list names ('대학 교양 영어 회화 강의' alone reads as a language instructor, with
    '강의 계획서 작성 및 시험 평가' as a university lecturer). A best reading neither part
    names first is a blend of two kinds of work, where the main duty leads."""
    if not any(c == whole and s >= BACKING_SHARE * own[0][1] for c, s, _ in own):
        return False
    rest = ranked(read_duties(m, "; ".join(duty_items(duties)[1:]), main=False), 1)
    return bool(rest) and rest[0][0] == whole


# KSCO skill level (직능수준) of each major group: 1 managers and 2 professionals at levels 3-4,
# 3 clerks to 8 machine operators at level 2, 9 elementary occupations at level 1.
SKILL_LEVELS = {"1": 4, "2": 4, "3": 2, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "9": 1}


def skill_level(code: str) -> int:
    """The KSCO skill level of a code's major group (0 when unknown, e.g. the armed forces)."""
    return SKILL_LEVELS.get(code[:1], 0)


_ITEM_BREAK = re.compile(r"\s*(?:\n|;|(?:^|\s)[-•·▪◦*]\s|(?:^|\s)\(?\d{1,2}[.)]\s*|"
                         r"(?:^|\s)[가-하][.)]\s)\s*")


def main_duty(duties: str) -> str | None:
    """The first-listed duty when the text lists several (lines, bullets, numbers, semicolons,
    commas) and it says enough to read on its own (MIN_INFORMATIVE). KSCO classifies a job
    that spans several tasks by its main one (주된 직무 우선 원칙), and HR lists the main duty
    first: '토마토 재배 및 수확 관리, 병해충 방제, 농기계 운용' is growing tomatoes, with pest
    control as part of it, not a pest-control job."""
    items = duty_items(duties)
    return items[0] if len(items) > 1 and informative(items[0]) else None


def duty_items(duties: str) -> list[str]:
    """The duties as listed: split at line breaks, bullets, numbers and semicolons, and in Korean
    at commas too. A Korean list joins noun phrases with commas, each a duty of its own (신발
    디자인, 샘플 개발); an English sentence's commas list the parts of one duty ('publishing web
    pages, implementing UI components and connecting them to APIs')."""
    items = [i.strip() for i in _ITEM_BREAK.split(duties) if i and i.strip()]
    return [p.strip() for i in items for p in (i.split(",") if mostly_korean(i) else [i])
            if p.strip()]


def read_title(m: Matcher, title: str) -> Scores:
    """The stated title's scores: an English-only title (no Hangul, e.g. an offer letter's
    "Nurse") is read by the English index, not as Korean character n-grams."""
    if m.english is not None and not _HANGUL.search(title):
        return m.english_scores(title)
    plain = unqualified(title)
    if plain == title:
        return m.title_scores(title)
    # 조리사(한식) is 한식 조리사: the qualified reading leads, the head alone (조리사) trails it
    scores = m.title_scores(plain)
    for code, (score, evidence) in m.title_scores(title).items():
        if QUALIFIER_LOSS * score > scores.get(code, (0.0,))[0]:
            scores[code] = (QUALIFIER_LOSS * score, evidence)
    return scores


def bare_headed(title: str) -> bool:
    """A Korean compound title whose last morpheme (Kiwi) is a BARE_HEADS_KO word after words of
    its own: 매장직원, 영업 사원 name a place or department. 조사원, 검사원 and 감사원 are one
    noun each, occupations of their own; 사원 alone is generic (`is_generic`)."""
    tokens = kiwi().tokenize(title)
    return len(tokens) > 1 and tokens[-1].form in BARE_HEADS_KO


def is_generic(m: Matcher, title: str | None, title_en: str | None) -> bool:
    """True when the stated title is a generic/clerical one (사무원, 직원, Staff ...)."""
    return bool(title and title_key(title) in m.generic) or bool(title_en and is_generic_en(title_en))


def match_occupation(fields: ContractFields) -> OccupationMatch:
    """Match the extracted job title (Korean and English) and duties of a contract."""
    return match_texts(fields.job_title.value, fields.job_title.value_en, fields.duties.value)
