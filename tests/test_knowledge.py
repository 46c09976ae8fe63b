"""Packaged reference data: loading, revisions, crosswalk collisions, E-7 resolution, validation."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from extractors.errors import ReferenceDataError
from matchers.buildtime.reference import content_hash
from matchers.knowledge.load import Knowledge, load_knowledge, read_package

DATA = Path(__file__).resolve().parent.parent / "matchers" / "knowledge" / "data"


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


def test_loads_once_with_version(kb):
    assert load_knowledge() is kb
    assert len(kb.version) == 16
    assert len(kb.units) == 450


def test_manifest_version_is_content_hash():
    artifacts, version = read_package()
    assert content_hash(artifacts) == version


@pytest.mark.parametrize(
    ("code7", "code8"),
    [("2231", "2241"), ("2232", "2231"), ("2233", "2232"), ("2342", "2343"), ("2430", "2440"),
     ("2440", "2450"), ("2612", "2712"), ("2223", "2223"), ("2814", "2914")],
)
def test_crosswalk_for_colliding_codes(kb, code7, code8):
    assert kb.unit(code7).ksco8_code == code8


def test_collision_is_noted(kb):
    data = kb.unit("2231")
    assert data.name_ko == "데이터 전문가"
    assert "네트워크" in data.collision  # KSCO8 2231 is the network developer
    assert kb.unit("2223").collision is None
    assert kb.ksco7_for_ksco8("2241") == ["2231"]


def test_every_e7_row_resolves_or_is_marked(kb):
    assert len(kb.e7_occupations) == 98
    for occ in kb.e7_occupations:
        if occ.ksco7_codes:
            assert occ.ksco8_codes, occ.seq
            assert all(kb.unit(c) for c in occ.ksco7_codes), occ.seq
        else:
            assert occ.resolution.startswith("unresolved"), occ.seq
    assert sum(1 for o in kb.e7_occupations if not o.ksco7_codes) == 4


def _occ(kb, seq):
    return next(o for o in kb.e7_occupations if o.seq == seq)


def test_e7_mixed_revisions(kb):
    data = _occ(kb, "P10")
    assert (data.ksco7_codes, data.ksco8_codes) == (["2231"], ["2241"])
    nurse = _occ(kb, "P31")  # printed 2440 = KSCO8 간호사; KSCO7 2440 is 영양사
    assert (nurse.ksco7_codes, nurse.ksco8_codes) == (["2430"], ["2440"])
    assert not any(o.seq == "P31" for o in kb.e7_for_code("2440"))


def test_e7_five_digit_and_s_codes(kb):
    farm = _occ(kb, "M11")
    assert (farm.ksco7_codes, farm.ksco7_detail, farm.scope) == (["1490"], "14901", "detail")
    assert _occ(kb, "P38").ksco7_codes == ["2620"]  # S2721 -> old S2620
    assert _occ(kb, "M01").ksco7_codes == ["1110"]
    lawyers = _occ(kb, "P36")
    assert lawyers.scope == "group" and "2612" in lawyers.ksco7_codes


def test_e7_lookup_and_excluded_examples(kb):
    sales = [o for o in kb.e7_for_code("1511") if o.subcategory == "E-7-1"]
    assert sales and "영업소장" in sales[0].excluded_examples
    assert "무역사무원(3125)" in _occ(kb, "P46").excluded_examples
    assert kb.e7_for_code("9999") == []


def test_titles_are_shipped(kb):
    kinds = {t.kind for t in kb.titles_for("2223")}
    assert {"primary", "alias"} <= kinds
    assert any(t.title == "게임프로그래머" and t.kind == "primary" for t in kb.titles_for("2223"))


def test_no_duty_sentences_shipped(kb):
    longest = max(len(f) for stats in kb.terms.values() for f in stats["counts"])
    assert longest < 40  # features are words and bigrams, never sentences


def _corrupt(tmp_path: Path, name: str, change) -> Path:
    out = tmp_path / "data"
    shutil.copytree(DATA, out)
    path = out / name
    raw = path.read_bytes()
    text = gzip.decompress(raw).decode() if name.endswith(".gz") else raw.decode()
    text = change(text)
    path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    return out


def _orphan(text: str) -> str:
    table = json.loads(text)
    table["2223"]["parent_code"] = "Z99"
    return json.dumps(table)


def _unmark_e7(text: str) -> str:
    rows = json.loads(text)
    for row in rows:
        if not row["ksco7_codes"]:
            row["resolution"] = "looks fine"
    return json.dumps(rows)


def _bad_e7_code(text: str) -> str:
    rows = json.loads(text)
    rows[1]["ksco7_codes"] = ["1199"]
    return json.dumps(rows)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("ksco7.json", _orphan),
        ("ksco7.json", lambda t: t.replace('{"1":', '{"1":{"level":"major"},"1":', 1)),
        ("e7.json", _unmark_e7),
        ("e7.json", _bad_e7_code),
        ("titles.json.gz", lambda t: t.replace('["1110"', '["0000"', 1)),
        ("crosswalk.json", lambda t: t[: len(t) // 2]),
        ("terms.json.gz", lambda t: t.replace('{"', '{"1110":{},"', 1)),  # a duplicate code
        ("terms.json.gz", lambda t: t[: len(t) // 2]),
    ],
)
def test_corrupt_data_raises(tmp_path, name, change):
    folder = _corrupt(tmp_path, name, change)
    with pytest.raises(ReferenceDataError):
        Knowledge(*read_package(folder))


def test_missing_file_raises(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    (folder / "e7.json").unlink()
    with pytest.raises(ReferenceDataError):
        read_package(folder)


def test_group_occupation_drops_units_named_as_excluded(kb):
    cooks = _occ(kb, "S09")  # 한식/분식·음료 조리사 (4411, 4415, 4419) are excluded from E-7-2
    assert cooks.ksco7_codes == ["4412", "4413", "4414"]
    assert "4511" not in cooks.ksco8_codes
    assert not any(o.seq == "S09" for o in kb.e7_for_code("4411"))
