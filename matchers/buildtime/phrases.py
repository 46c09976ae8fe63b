"""Duties as HR writes them: a curated table of short duty phrases per KSCO7 unit.

The job dictionary describes each occupation in long formal prose ("...을 관리하고 ...한다."); a
contract's 업무의 내용 or an offer letter's duties are short noun phrases in today's workplace
words ("경비 정산 및 법인카드 관리", "Answer phones and greet visitors"). The matcher learns duty
vocabulary from the dictionary alone unless it also sees how the same work is written in
contracts. `data/hr_duty_phrases.csv` (code, lang, phrase; written by us from Korean job postings'
담당업무 and contract practice, never from the dictionary's sentences or from benchmark documents)
holds that: mostly 8-12 Korean and 4-6 English phrases per unit (at least 7 and 2), chosen to
tell a unit from its neighbours.

At build time each phrase is one more short duty example of its unit: it counts in the unit's duty
statistics (the duty index), trains the duty categorizer beside the dictionary entries (at
PHRASE_WEIGHT), and its sentence-encoder vector joins the unit's meaning vector
(`scripts/build_semantic.py`). Phrases are read the way a contract's duties are at run time:
English runs projected through the glossary, modern terms expanded.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from pathlib import Path
from typing import Any

from matchers.occupation.match import as_read

PHRASES = Path(__file__).with_name("data") / "hr_duty_phrases.csv"
PHRASE_WEIGHT = 1.0  # a phrase's weight as a training example (a dictionary entry counts 1)
KEY_PREFIX = "phrase:"  # the pseudo entries' djob_cd: never a dictionary entry's, never held out


@functools.cache
def read_phrases(path: Path = PHRASES) -> tuple[tuple[str, str, str], ...]:
    """(code, lang, phrase) rows of the table, in file order, stripped, without duplicates."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [(r["code"].strip(), r["lang"].strip(), " ".join(r["phrase"].split()))
                for r in csv.DictReader(fh)]
    return tuple(dict.fromkeys(r for r in rows if r[0] and r[2]))


def phrases_key(path: Path = PHRASES) -> str:
    """Digest of the table (caches of its encoder vectors are keyed by it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def keyed_phrases(path: Path = PHRASES) -> list[tuple[str, str, str]]:
    """(key, code, phrase as written): each phrase under its pseudo entry key, the one name the
    build, the encoder vectors and a calibration holdout give it."""
    return [(f"{KEY_PREFIX}{i}", code, text) for i, (code, _lang, text) in enumerate(read_phrases(path))]


def phrase_entries(units: set[str], path: Path = PHRASES) -> list[dict[str, Any]]:
    """Pseudo dictionary entries, one per phrase of a known unit, shaped like the rows of
    ksco_job_duties.csv (no title, no aliases: a phrase names no job title), its text as the
    matcher reads a contract's duties (`as_read`). An English phrase the glossary does not read
    leaves no lexical trace, as in a contract: it has no entry (its encoder vector still counts,
    `scripts/build_semantic.py`)."""
    read = ((key, code, as_read(text)) for key, code, text in keyed_phrases(path) if code in units)
    return [{"code": code, "title_ko": "", "work_sum": text, "do_work": "", "aliases": "",
             "djob_cd": key, "weight": PHRASE_WEIGHT}
            for key, code, text in read if text.strip()]
