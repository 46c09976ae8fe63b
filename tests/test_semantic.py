"""The sentence-encoder re-ranking of duty readings (matchers.occupation.semantic), the spaCy
pipeline's meaning component that holds it (matchers.occupation.meaning) and its build script."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from extractors.errors import ReferenceDataError
from matchers.buildtime.train import add_meaning, shipped_units
from matchers.knowledge.load import load_knowledge
from matchers.occupation.meaning import MEANING, MeaningReader, meaning_of
from matchers.occupation.nlp import (
    analyse,
    check_pipeline,
    make_nlp,
    pipeline_dir,
    shipped_pipeline,
)
from matchers.occupation.semantic import RERANK_WEIGHT, SemanticIndex

REPO = Path(__file__).resolve().parent.parent


class FixedEncoder:
    """Embeds each known text as a fixed vector (the real encoder is tested below)."""

    def __init__(self, table: dict[str, list[float]]):
        self.table, self.calls = table, 0

    def query(self, texts):
        self.calls += 1
        return [self.table[t] for t in texts]


def index(encoder) -> SemanticIndex:
    vectors = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.7, 0.7, 0.0]])
    return SemanticIndex(["2224", "2222", "2223"], vectors, "test", encoder=encoder)


def test_rerank_keeps_the_encoders_best_and_discounts_the_rest():
    idx = index(FixedEncoder({"web": [1.0, 0.0, 0.0]}))
    scores = {"2222": (0.8, ["a"]), "2224": (0.6, ["b"]), "9999": (0.5, ["c"])}
    out = idx.meaning("web").rerank(scores)
    lift = 0.8 / 0.6  # the best reading after re-ranking (2224) takes the lexical best strength
    assert out["2224"][0] == pytest.approx(0.6 * lift) and out["2224"][1] == ["b"]
    assert out["2222"][0] == pytest.approx(0.8 * (1 - RERANK_WEIGHT) * lift, rel=1e-3)
    assert out["9999"][0] == pytest.approx(0.5 * (1 - RERANK_WEIGHT) * lift)  # unknown to it
    assert max(s for s, _ in out.values()) <= max(s for s, _ in scores.values())  # never inflates


def test_queries_are_embedded_once():
    enc = FixedEncoder({"web": [1.0, 0.0, 0.0]})
    idx = index(enc)
    idx.meaning("web").rerank({"2222": (0.5, [])})
    idx.meaning("web").rerank({"2224": (0.5, [])})
    assert enc.calls == 1
    assert idx.meaning("web").rerank({}) == {}


def test_packaged_vectors_cover_the_units():
    codes, vectors, version = shipped_units()
    assert len(codes) > 400 and vectors.shape == (len(codes), 384) and version
    assert vectors.dtype == np.float16
    assert {"2223", "2224", "4413", "9300"} <= set(codes)
    with pytest.raises(ReferenceDataError):
        MeaningReader(MEANING).from_bytes(b"not an npz file")
    with pytest.raises(ReferenceDataError):
        MeaningReader(MEANING).to_bytes()  # nothing to save


def _shipped():
    return shipped_pipeline(load_knowledge().version)


def test_the_shipped_pipeline_reads_duties_by_meaning():
    nlp = _shipped()
    assert nlp.pipe_names[-1] == MEANING
    keep = meaning_of(analyse(nlp, "React 기반 웹 프론트엔드 화면 개발 및 유지보수", "duties")).keep()
    assert keep["2224"] > keep["4413"]  # web development, not cooking
    keep = meaning_of(analyse(nlp, "Prepare pasta and sauces, keep the kitchen clean", "duties")).keep()
    assert max(("4413", "2224", "3132"), key=keep.get) == "4413"
    assert meaning_of(analyse(nlp, "웹 개발자", "title")) is None  # titles are not read by it
    assert meaning_of(analyse(nlp, "웹 서비스 개발", "duties", skip={MEANING})) is None


def _component(encoder) -> MeaningReader:
    reader = MeaningReader(MEANING)
    reader.set_units(["2224", "4413"], np.array([[1.0, 0.0], [0.0, 1.0]]), "test")
    assert reader.index is not None
    reader.index._encoder = encoder
    return reader


def test_meaning_reads_the_text_as_written():
    """The doc may be of a normalised text (English runs rewritten in Korean for the lexical
    features); the encoder reads what the contract wrote."""
    enc = FixedEncoder({"Build web pages": [1.0, 0.0], "웹 페이지 개발": [0.0, 1.0]})
    reader = _component(enc)
    nlp = make_nlp()
    doc = nlp.make_doc("웹 페이지 개발")
    doc._.ksco_field, doc._.ksco_written = "duties", "Build web pages"
    assert meaning_of(reader(doc)).best(1) == ["2224"]
    title = nlp.make_doc("웹 페이지 개발")
    title._.ksco_field = "title"
    assert meaning_of(reader(title)) is None and enc.calls == 1
    blank = nlp.make_doc("  ")
    blank._.ksco_field = "duties"
    assert meaning_of(reader(blank)) is None and enc.calls == 1  # blank duties: no reading


def test_units_are_saved_with_the_pipeline(tmp_path):
    reader = _component(FixedEncoder({}))
    reader.to_disk(tmp_path / MEANING)
    loaded = MeaningReader(MEANING).from_disk(tmp_path / MEANING)
    codes, vectors, version = loaded.units()
    assert codes == ["2224", "4413"] and version == "test" and vectors.dtype == np.float16
    with pytest.raises(ReferenceDataError):
        MeaningReader(MEANING).from_disk(tmp_path / "missing")


def test_a_pipeline_without_its_meaning_component_is_refused():
    nlp = make_nlp(terms=True)
    version = load_knowledge().version
    with pytest.raises(ReferenceDataError, match="stale"):
        check_pipeline(nlp, version)  # not stamped with the data it was trained on
    nlp.meta["ksoc_audit"] = _shipped().meta["ksoc_audit"]
    with pytest.raises(ReferenceDataError, match="ksco_meaning"):
        check_pipeline(nlp, version)
    add_meaning(nlp, shipped_units())
    assert nlp.pipe_names[-1] == MEANING
    add_meaning(nlp, shipped_units())  # replaced, not added twice
    assert nlp.pipe_names.count(MEANING) == 1
    assert (pipeline_dir() / MEANING / "units.npz").is_file()


def _build_module():
    spec = importlib.util.spec_from_file_location("build_semantic", REPO / "scripts" / "build_semantic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_unit_vectors_leave_out_held_out_entries(tmp_path):
    build = _build_module()
    items = [("2223", "title", "개발자", "개발자"), ("2223", "duty", "K1", "개발: ..."),
             ("2223", "duty", "K2", "개발: ..."), ("4413", "title", "조리사", "조리사")]
    vectors = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 1.0, 0]])
    codes, units = build.unit_vectors(items, vectors)
    assert codes == ["2223", "4413"]
    assert units[0] == pytest.approx([0.5, 0.25, 0.25])  # titles and duties weigh the same
    _, held = build.unit_vectors(items, vectors, exclude={"K2"})
    assert held[0] == pytest.approx([0.5, 0.5, 0.0])


def test_the_matcher_reads_duties_through_the_meaning_component():
    from matchers.knowledge.english import load_english_index
    from matchers.occupation.match import Matcher, read_duties

    kb = load_knowledge()
    on = Matcher(kb, english=load_english_index(kb), nlp=_shipped())
    off = Matcher(kb, english=load_english_index(kb), nlp=_shipped(), semantic=False)
    duties = "Java/Spring 기반 백엔드 API 개발, DB 설계, CI/CD 파이프라인 운영"
    reading = on.duty_reading(duties)
    assert meaning_of(reading.doc) is not None
    assert meaning_of(off.duty_reading(duties).doc) is None  # the component is skipped
    lexical = off.duty_scores(duties)
    reranked = read_duties(on, duties, reading)
    assert reranked == meaning_of(reading.doc).rerank(lexical) != lexical
