"""The title and duty indexes precomputed at `make data` (matchers/knowledge/data/indexes.npz):
read back for the packaged knowledge, equal to the indexes built in memory bit for bit, rebuilt
byte for byte from the packaged artifacts, refused when stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from extractors.errors import ReferenceDataError
from matchers.buildtime.reference import write_indexes
from matchers.knowledge import load
from matchers.knowledge.index import DutyIndex, SparseIndex, TitleIndex
from matchers.knowledge.load import ARTIFACTS, INDEXES, Knowledge, load_knowledge
from matchers.knowledge.text import duty_features, title_entries

DATA = Path(__file__).resolve().parent.parent / "matchers" / "knowledge" / "data"
TITLES = ["개발자", "소프트웨어 개발자", "웹 프로그래머", "조리사(한식)", "용접공", "간호사",
          "데이터 분석가", "번역가", "xyz", ""]
DUTIES = ["웹 서비스 개발 및 유지보수", "고객 상담과 주문 접수를 한다", "용접 및 배관 설치",
          "환자 간호 및 투약", "Software development", ""]


def _entries(kb: Knowledge, *, synonyms: bool = True) -> list[tuple[str, str, str]]:
    """The title entries as the matcher builds them (matchers.occupation.match.Matcher)."""
    return title_entries([(t.code, t.title, t.kind) for t in kb.titles], kb.ksco7,
                         synonyms=synonyms)


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="module")
def titles(kb: Knowledge) -> tuple[TitleIndex, TitleIndex]:
    """(read from the packaged arrays, built in memory)"""
    return TitleIndex(_entries(kb)), TitleIndex(_entries(kb), precomputed=False)


@pytest.fixture(scope="module")
def duties(kb: Knowledge) -> tuple[DutyIndex, DutyIndex]:
    return DutyIndex(kb.terms), DutyIndex(kb.terms, precomputed=False)


def _same_sparse(a: SparseIndex, b: SparseIndex) -> None:
    assert a.names == b.names and a.vocab == b.vocab and a.n_rows == b.n_rows
    assert a.idf == b.idf and all(type(x) is float for x in a.idf[:10])
    for name in ("indptr", "rows", "weights", "norms", "raw"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name


def test_shipped_indexes_are_read_from_the_arrays(titles, duties):
    assert titles[0].precomputed and duties[0].precomputed
    assert not titles[1].precomputed and not duties[1].precomputed


def test_title_index_equals_the_built_one(titles):
    read, built = titles
    assert read.keys == built.keys and read.owners == built.owners and read.exact == built.exact
    assert read.codes == built.codes
    _same_sparse(read.index, built.index)
    _same_sparse(read.centroids, built.centroids)
    for title in TITLES:
        assert read.code_scores(title) == built.code_scores(title), title
        assert read.centroid_scores(title) == built.centroid_scores(title), title
        assert read.exact_codes(title) == built.exact_codes(title), title


def test_duty_index_equals_the_built_one(duties):
    read, built = duties
    assert read.codes == built.codes and read.position == built.position
    _same_sparse(read.index, built.index)
    for text in DUTIES:
        (sims_a, vec_a), (sims_b, vec_b) = read.code_scores(text), built.code_scores(text)
        assert sims_a.dtype == sims_b.dtype and np.array_equal(sims_a, sims_b), text
        assert vec_a == vec_b, text
        for code in [read.codes[i] for i in np.argsort(-sims_a)[:5]]:
            assert read.keywords(code, vec_a) == built.keywords(code, vec_b), (text, code)


def test_keyword_weights_are_the_index_rows(duties):
    """A code's word weight is its index row's weight before the float32 cast."""
    index = duties[0].index
    for code in ("2221", "2411", "4211", duties[0].codes[-1]):
        i = duties[0].position[code]
        words = [f for f in duties[0].terms[code]["counts"] if f.startswith("w:")]
        assert words, code
        for f in words[:200]:
            k = index.vocab[f]
            lo, hi = index.indptr[k], index.indptr[k + 1]
            pos = lo + int(np.flatnonzero(index.rows[lo:hi] == i)[0])
            weight = duties[0].weight(code, f)
            assert weight is not None and np.float32(weight) == index.weights[pos], (code, f)
    assert duties[0].weight("2221", "w:없는낱말") is None


def test_other_inputs_are_built_in_memory(kb):
    assert not TitleIndex(_entries(kb, synonyms=False)).precomputed
    fewer = {c: v for c, v in kb.terms.items() if c != "2221"}
    smaller = DutyIndex(fewer)
    assert not smaller.precomputed and "2221" not in smaller.codes
    text = duty_features("웹 서비스 개발")
    assert smaller.code_scores("", text)[0].shape == (len(fewer),)


def test_rebuilt_byte_for_byte(tmp_path):
    """`make data` writes the same file again from the packaged artifacts (and the packaged
    file is up to date with the index code)."""
    for name in (*ARTIFACTS, "manifest.json"):
        shutil.copy(DATA / name, tmp_path / name)
    write_indexes(tmp_path)
    assert (tmp_path / INDEXES).read_bytes() == (DATA / INDEXES).read_bytes(), \
        "indexes.npz is out of date: run `make data` (or scripts/import_reference_data.py --indexes-only)"


@pytest.fixture
def package_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the package data the loader reads instead of the installed one."""
    for name in ("manifest.json", "synonyms_ko.csv", INDEXES):
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.setattr(load, "package_root", lambda: tmp_path)
    return tmp_path


def test_stale_synonyms_are_refused(kb, package_copy):
    path = package_copy / "synonyms_ko.csv"
    path.write_text(path.read_text(encoding="utf-8") + "2221,데이터 엔지니어,0\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="synonyms_ko.csv differ.*make data"):
        TitleIndex(_entries(kb))


def test_other_knowledge_version_is_refused(kb, package_copy):
    path = package_copy / "manifest.json"
    path.write_text(path.read_text().replace(kb.version, "0" * 16))
    with pytest.raises(ReferenceDataError, match="version differ.*make data"):
        DutyIndex(kb.terms)


def test_missing_file_is_refused(kb, package_copy):
    (package_copy / INDEXES).unlink()
    with pytest.raises(ReferenceDataError, match="unreadable.*make data"):
        TitleIndex(_entries(kb))
