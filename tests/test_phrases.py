"""HR's duty phrases: the curated table, its pseudo entries, and their place in the shipped
duty statistics and pipeline."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pytest

from matchers.buildtime.phrases import (
    KEY_PREFIX,
    PHRASE_WEIGHT,
    PHRASES,
    phrase_entries,
    read_phrases,
)
from matchers.buildtime.reference import build_terms
from matchers.buildtime.train import duty_text
from matchers.knowledge.load import load_knowledge
from matchers.knowledge.text import duty_features
from matchers.occupation.match import as_read
from matchers.occupation.nlp import TERMS, make_docs, make_nlp


@pytest.fixture(scope="module")
def units() -> set[str]:
    return {code for code, row in load_knowledge().ksco7.items() if row["level"] == "unit"}


def test_the_table_is_well_formed(units):
    with open(PHRASES, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and set(rows[0]) == {"code", "lang", "phrase"}
    assert {r["lang"] for r in rows} == {"ko", "en"}
    assert {r["code"] for r in rows} <= units
    per_unit = Counter((r["code"], r["lang"]) for r in rows)
    covered = {code for code, _ in per_unit}
    assert len(covered) >= 0.95 * len(units)  # (a few units foreign staff never hold may lack some)
    for code in covered:
        assert per_unit[code, "ko"] >= 5 and per_unit[code, "en"] >= 2, code
    owners: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        owners[" ".join(r["phrase"].split()).lower()].add(r["code"])
    assert not [p for p, codes in owners.items() if len(codes) > 1]  # each phrase names one unit


def test_phrase_entries_are_read_as_contract_duties(units):
    entries = phrase_entries(units)
    assert len(entries) == len([r for r in read_phrases() if r[0] in units and as_read(r[2]).strip()])
    assert all(e["djob_cd"].startswith(KEY_PREFIX) and e["weight"] == PHRASE_WEIGHT for e in entries)
    english = next(text for code, lang, text in read_phrases() if lang == "en")
    read = as_read(english)
    assert read != english  # projected through the glossary, as a contract's English duties are
    assert any(e["work_sum"] == read for e in entries)
    assert phrase_entries({"2223"}) and all(e["code"] == "2223" for e in phrase_entries({"2223"}))


def test_phrases_count_in_the_duty_statistics(units):
    code, _, text = next(r for r in read_phrases() if r[1] == "ko")
    entry = next(e for e in phrase_entries(units) if e["code"] == code and e["work_sum"] == as_read(text))
    alone = build_terms([entry])
    assert alone[code]["entries"] == 1
    assert alone[code]["counts"] == dict(duty_features(f"{entry['work_sum']} "))
    # the shipped statistics were counted with the phrases among their units' examples: every
    # term feature the pipeline reads in one is in its unit's counts (every 10th phrase checked;
    # the dictionary's own sentences lack many of these words)
    blank = make_nlp(terms=True)
    sample = phrase_entries(units)[::10]
    docs = make_docs(blank, [duty_text(e) for e in sample], "duties")
    terms = load_knowledge().terms
    for e, doc in zip(sample, docs, strict=True):
        read = blank.get_pipe(TERMS)(doc)._.ksco_terms
        assert read and set(read) <= set(terms[e["code"]]["counts"]), e["work_sum"]
