"""The sentence-encoder re-ranking of duty readings (matchers.occupation.semantic) and its build script."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from extractors.errors import ReferenceDataError
from matchers.occupation.semantic import RERANK_WEIGHT, SemanticIndex, read_vectors, semantic_index

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
    out = idx.rerank(scores, "web")
    lift = 0.8 / 0.6  # the best reading after re-ranking (2224) takes the lexical best strength
    assert out["2224"][0] == pytest.approx(0.6 * lift) and out["2224"][1] == ["b"]
    assert out["2222"][0] == pytest.approx(0.8 * (1 - RERANK_WEIGHT) * lift, rel=1e-3)
    assert out["9999"][0] == pytest.approx(0.5 * (1 - RERANK_WEIGHT) * lift)  # unknown to it
    assert max(s for s, _ in out.values()) <= max(s for s, _ in scores.values())  # never inflates


def test_queries_are_embedded_once():
    enc = FixedEncoder({"web": [1.0, 0.0, 0.0]})
    idx = index(enc)
    idx.rerank({"2222": (0.5, [])}, "web")
    idx.rerank({"2224": (0.5, [])}, "web")
    assert enc.calls == 1
    assert idx.rerank({}, "web") == {} and idx.rerank({"2222": (0.5, [])}, "  ") == {"2222": (0.5, [])}


def test_packaged_vectors_cover_the_units():
    codes, vectors, version = read_vectors()
    assert len(codes) > 400 and vectors.shape == (len(codes), 384) and version
    assert {"2223", "2224", "4413", "9300"} <= set(codes)
    with pytest.raises(ReferenceDataError):
        read_vectors(b"not an npz file")


def test_real_encoder_reads_meaning():
    idx = semantic_index()
    keep = idx.keep("React 기반 웹 프론트엔드 화면 개발 및 유지보수")
    assert keep["2224"] > keep["4413"]  # web development, not cooking
    keep = idx.keep("Prepare pasta and sauces, keep the kitchen clean")
    assert max(("4413", "2224", "3132"), key=keep.get) == "4413"


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
    build.write(codes, units, tmp_path / "s.npz", "v1")
    got_codes, got, version = read_vectors((tmp_path / "s.npz").read_bytes())
    assert got_codes == codes and version == "v1" and got.dtype == np.float16
