"""Build extractors/data/title_heads.json from ../shared/data: how job titles end, and duty nouns.

A contract often writes the title and the duties in one free-text value ('모바일 앱 개발자 –
자사 예약 앱 개발', '직원 (물류 시스템 데이터 분석)'). Whether the leading phrase is an
occupation is decided from statistics of the job dictionary, not from a hand list:
- `heads`: endings (last 1-3 syllables) of dictionary job titles with how many titles end so;
- `duty_nouns`: action nouns that dictionary duty sentences use as verbs ('설계한다' -> 설계),
  i.e. words that end a duty phrase, never a title ('지원', '조사', '관리').
Only counts and short word forms are shipped, no duty sentences.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data"
TARGET = ROOT / "extractors" / "data" / "title_heads.json"
_VERB = re.compile(r"([가-힣]{2,6})(?:한다|하며|하고|하거나|하여|하는|하기도|된다)")


def titles(source: Path) -> list[str]:
    out = []
    for name, columns in (("ksco_job_titles.csv", ("title_ko",)), ("ksco_job_duties.csv", ("title_ko", "aliases"))):
        with open(source / name, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for col in columns:
                    for title in re.split(r"[,;/]", row.get(col) or ""):
                        title = re.sub(r"\(.*?\)", "", title).strip()
                        if re.fullmatch(r"[가-힣 ]{2,20}", title):
                            out.append(title.replace(" ", ""))
    return out


def duty_nouns(source: Path) -> Counter:
    counts: Counter = Counter()
    with open(source / "ksco_job_duties.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for text in (row.get("work_sum") or "", row.get("do_work") or ""):
                for word in _VERB.findall(text):
                    counts[word] += 1
    return counts


def build(source: Path) -> dict:
    heads: Counter = Counter()
    for title in set(titles(source)):
        for n in (1, 2, 3):
            if len(title) > n:
                heads[title[-n:]] += 1
    nouns = duty_nouns(source)
    # A duty noun that is also a common title ending ('관리' in '관리원'? no: '관리' never ends a
    # title whole) stays a duty noun only when titles rarely end with it.
    verbs = sorted(w for w, c in nouns.items() if c >= 3 and heads.get(w[-2:], 0) < c)
    return {"source": "../shared/data ksco_job_titles.csv + ksco_job_duties.csv (derived counts)",
            "heads": {k: v for k, v in sorted(heads.items()) if v >= 3},
            "duty_nouns": verbs,
            "titles": sorted(set(titles(source)))}


def main() -> int:
    if not (SOURCE / "ksco_job_titles.csv").is_file():
        print(f"{SOURCE} not found", file=sys.stderr)
        return 1
    data = build(SOURCE)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(data['heads'])} endings, {len(data['duty_nouns'])} duty nouns, "
          f"{len(data['titles'])} titles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
