"""E-7 judgement of a match: which E-7 occupation the title or duties name, which code that
puts first, and which of the occupation's conditions the contract shows.

An occupation the E-7 list includes wins over a near neighbour outside the list when the text
names it: its name, an included example, or a dictionary title under its code (호텔 접수 사무원
before 숙박시설 서비스 종사원, 양식 주방장 before 주방장 및 요리 연구가). Conditions come from
`matchers/knowledge/data/e7_conditions.csv` (the manual's settings, cuisines, licences and the E-7-4
status-change route): a setting or cuisine is shown when the text names it; a licence or a
status never shows in a contract. Decision: `eligible` (on the list, nothing left to verify),
`conditions` (on the list, conditions the contract cannot show), `not_eligible` (off the list).
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from matchers.knowledge.load import E7Occupation, Knowledge
from matchers.knowledge.text import title_key, unqualified
from matchers.records import E7Condition, E7Judgement

E7_WORK = ("E-7-1", "E-7-2", "E-7-3", "E-7-4")
CONDITIONS_FILE = "e7_conditions.csv"
NEAR = 5  # a named E-7 code among this many best candidates is a near neighbour
MIN_NAME = 3  # shortest E-7 name or example (characters, no spaces) matched inside a text
MIN_DUTY_NAME = 4  # ... inside the duties (shorter names are too common in duty prose)
_SCOPE = {"detail": 0, "unit": 0, "group": 1, "none": 2}
_SPACE = re.compile(r"\s+")
_PAREN = re.compile(r"\(([^)]*)\)")
_CODE = re.compile(r"(?<!\d)\d{4,5}(?!\d)")
_HANGUL = re.compile(r"[가-힣]")
_LATIN_WORD = re.compile(r"[a-z]")


def normalise(text: str | None) -> str:
    """NFKC, lower case, no spaces (parentheses kept: '조리사(양식)' shows its cuisine)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def title_forms(title: str | None, title_en: str | None) -> str:
    """Normalised title text with 'X(Y)' also read as 'YX' (조리사(한식) is 한식조리사)."""
    text = f"{title or ''} {title_en or ''}"
    swapped = " ".join(f"{m.group(2)}{m.group(1)}"
                       for m in re.finditer(r"([^\s()]+)\s*\(([^)]+)\)", text))
    return normalise(f"{text} | {swapped}")


def expand(term: str) -> set[str]:
    """Spelled-out variants: 'A 주방장 및 조리사' -> A 주방장, A 조리사; 'A·B 판매원' -> A 판매원 ..."""
    variants = {term}
    if " 및 " in term:
        left, right = term.split(" 및 ", 1)
        variants |= {left, " ".join([*left.split()[:-1], right])}
    for v in list(variants):
        words = v.split()
        for i, word in enumerate(words):
            if "·" in word:
                variants |= {" ".join([*words[:i], alt, *words[i + 1:]]) for alt in word.split("·")}
                break
    return variants


def names_of(items: list[str]) -> set[str]:
    """Normalised Korean job names in list items ('X (a, b)' gives X, a and b; codes dropped)."""
    names: set[str] = set()
    for item in items:
        inner = [part for m in _PAREN.findall(item) for part in m.split(",")]
        for term in [_PAREN.sub(" ", item).strip(), *inner]:
            term = _CODE.sub("", term).strip(" -")
            names |= {normalise(v) for v in expand(term) if _HANGUL.search(v)}
    return {n for n in names if len(n) >= MIN_NAME}


@dataclass(frozen=True)
class ConditionRow:
    seq: str
    kind: str  # setting | cuisine | licence | status
    cues: tuple[str, ...]  # normalised words that show a setting or cuisine in the text
    text_en: str
    text_ko: str


@functools.cache
def condition_rows() -> dict[str, tuple[ConditionRow, ...]]:
    """Conditions per E-7 list row (seq), from the packaged table."""
    text = (resources.files("matchers.knowledge") / "data" / CONDITIONS_FILE).read_text(encoding="utf-8")
    out: dict[str, list[ConditionRow]] = {}
    for r in csv.DictReader(text.splitlines()):
        cues = tuple(normalise(c) for c in r["cues"].split("|") if c.strip())
        out.setdefault(r["seq"], []).append(
            ConditionRow(r["seq"], r["kind"], cues, r["text_en"], r["text_ko"]))
    return {k: tuple(v) for k, v in out.items()}


def shows(cue: str, text: str) -> bool:
    """A cue in a normalised text; a short Latin cue ('car', 'ship') only as a whole word."""
    if _LATIN_WORD.search(cue) and len(cue) <= 4:
        return re.search(rf"(?<![a-z]){re.escape(cue)}(?![a-z])", text) is not None
    return cue in text


def long_names(occ: E7Occupation) -> tuple[list[tuple[str, ...]], tuple[str, ...]]:
    """The normalised Hangul words of each 3+-word name or included example of `occ` (their
    spelled-out variants), and the cues of its setting and cuisine conditions: what
    `E7Judge.loosely_named` compares a title with, computed once per occupation."""
    cues = tuple(c for row in condition_rows().get(occ.seq, ()) if row.kind in ("setting", "cuisine")
                 for c in row.cues)
    names = []
    for item in [occ.name_ko, *occ.included_examples]:
        for variant in sorted(expand(_PAREN.sub(" ", item))):
            words = tuple(normalise(w) for w in variant.split() if _HANGUL.search(w))
            if len(words) >= 3:
                names.append(words)
    return names, cues


class E7Judge:
    """Names, excluded names and conditions of every E-7 work occupation, indexed once."""

    def __init__(self, kb: Knowledge, exact_codes: Callable[[str], dict[str, str]]) -> None:
        self.kb = kb
        self.exact_codes = exact_codes  # title -> {code: kind} (the title index's exact titles)
        self.occs = [o for o in kb.e7_occupations if o.subcategory in E7_WORK and o.ksco7_codes]
        self.names = {o.seq: names_of([o.name_ko, *o.included_examples]) for o in self.occs}
        self.excluded = {o.seq: names_of(o.excluded_examples) for o in self.occs}
        self.long_names = {o.seq: long_names(o) for o in self.occs}

    def work(self, code: str) -> list[E7Occupation]:
        return [o for o in self.kb.e7_for_code(code) if o.subcategory in E7_WORK]

    def loosely_named(self, occ: E7Occupation, title_words: str) -> bool:
        """The title has the first word of a 3+-word name or example and all but one of the
        others ('면세점 판매원' for 면세점 판매 사무원), never missing the word that shows the
        occupation's setting ('자동차 정비원' is not 자동차 판금 정비원)."""
        names, cues = self.long_names[occ.seq]
        for words in names:
            if words[0] not in title_words:
                continue
            missing = [w for w in words[1:] if w not in title_words]
            if len(missing) <= 1 and not any(c in w for w in missing for c in cues):
                return True
        return False

    def named(self, title: str, duties: str) -> list[E7Occupation]:
        """Occupations whose name or included example the title (or, for longer names, the
        duties) contains, and whose excluded examples the title does not name."""
        out = []
        for occ in self.occs:
            if any(x in title for x in self.excluded[occ.seq]):
                continue
            if any(n in title or (len(n) >= MIN_DUTY_NAME and n in duties)
                   for n in self.names[occ.seq]) or self.loosely_named(occ, title):
                out.append(occ)
        return out

    def blocked(self, occ: E7Occupation, title: str) -> bool:
        return any(x in title for x in self.excluded[occ.seq])

    def choose(self, ranked: list[tuple[str, float, list[str]]], title: str | None,
               title_en: str | None, duties: str | None) -> tuple[str | None, list[E7Occupation], str]:
        """(code to put first, occupations the text names, basis)."""
        t = title_forms(title, title_en)
        d = normalise(duties)
        named = self.named(t, d)
        near = [c for c, _, _ in ranked[:NEAR]]
        best = near[0] if near else None
        if named:
            codes = [c for o in named for c in o.ksco7_codes]
            in_list = [c for c in near if c in codes]
            if in_list:
                return in_list[0], named, f"the text names the E-7 occupation {named[0].name_ko}"
            by_name = [c for c in codes
                       if (u := self.kb.unit(c)) is not None and normalise(u.name_ko.split()[0]) in t]
            if by_name or len(set(codes)) == 1:
                return (by_name or codes)[0], named, (f"the text names the E-7 occupation "
                                                      f"{named[0].name_ko}")
            return best, named, f"the text names the E-7 occupation {named[0].name_ko}"
        if best is not None and not self.work(best) and title:
            kinds = self.exact_codes(unqualified(title))  # 조리사(한식) is not 조리사 exactly
            exact = {c for c, kind in kinds.items() if kind != "related"}
            # not when the title is the best code's own KSCO unit name (용접기 조작원 = 8413)
            for code in near[1:] if kinds.get(best) != "unit_name" else ():
                if code in exact and self.work(code):
                    return code, [], f"the title is a dictionary title of {code}, on the E-7 list"
        if best is not None and not self.work(best):
            text = normalise(f"{title or ''} {title_en or ''} {duties or ''}")
            for code in near[1:]:
                for occ in self.work(code):
                    if self.blocked(occ, t):
                        continue
                    if any(c.kind == "cuisine" and c.shown for c in self.conditions(occ, text)):
                        return code, [occ], f"the text names a cuisine {occ.name_ko} admits"
        return best, [], "best candidate"

    def judge(self, code: str | None, named: list[E7Occupation], basis: str, title: str | None,
              title_en: str | None, duties: str | None) -> E7Judgement:
        if code is None:
            return E7Judgement(decision="unknown", basis="no title or duties to match")
        t = title_forms(title, title_en)
        text = normalise(f"{title or ''} {title_en or ''} {duties or ''}")
        exact = {c for c, _ in self.exact_codes(title).items()} if title else set()
        options = []
        for occ in self.work(code):
            if self.blocked(occ, t):
                continue
            conds = self.conditions(occ, text)
            unmet_setting = any(c.kind in ("setting", "cuisine") and not c.shown for c in conds)
            # the title is another dictionary job of this code, not the one the list names:
            # 간병인 under 4211 is not 요양보호사, 건물안내원 under 3922 is not hotel reception
            other_job = (unmet_setting and code in exact and occ not in named
                         and not any(n in t for n in self.names[occ.seq]))
            if other_job and any(c.kind == "setting" for c in conds):
                continue
            rank = (occ not in named, unmet_setting, _SCOPE.get(occ.scope, 2), occ.subcategory)
            options.append((rank, occ, conds))
        if not options:
            return E7Judgement(decision="not_eligible", code=code, basis=basis)
        _, occ, conds = min(options, key=lambda o: o[0])
        decision = "conditions" if any(not c.shown for c in conds) else "eligible"
        return E7Judgement(decision=decision, code=code, occupation=occ.name_ko, seq=occ.seq,
                           subcategory=occ.subcategory, basis=basis, conditions=conds)

    @staticmethod
    def conditions(occ: E7Occupation, text: str) -> list[E7Condition]:
        out = []
        for row in condition_rows().get(occ.seq, ()):
            shown = row.kind in ("setting", "cuisine") and any(shows(c, text) for c in row.cues)
            out.append(E7Condition(kind=row.kind, text=row.text_en, text_ko=row.text_ko,
                                   shown=shown))
        return out


def promote(ranked: list[tuple[str, float, list[str]]], code: str | None,
            basis: str) -> list[tuple[str, float, list[str]]]:
    """`code` first (its score lifted to the best's); a code the text names but the scores
    missed joins the list first."""
    if code is None or not ranked or ranked[0][0] == code:
        return ranked
    hit = next((r for r in ranked if r[0] == code), (code, 0.0, []))
    rest = [r for r in ranked if r[0] != code]
    return [(code, max(hit[1], ranked[0][1]), [*hit[2], f"E-7: {basis}"]), *rest][:len(ranked)]


__all__ = ["E7Judge", "condition_rows", "expand", "names_of", "promote", "title_key"]
