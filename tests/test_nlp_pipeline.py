"""The matcher's spaCy pipeline: factories, training through spaCy's loop, serialisation,
staleness, and that matching really runs through it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from extractors.errors import ReferenceDataError
from matchers.buildtime.train import (
    add_meaning,
    load_training_config,
    packaged,
    run_training,
    shipped_units,
    write_docbins,
)
from matchers.occupation.meaning import MEANING, meaning_of
from matchers.occupation.nlp import (
    PIPES,
    TERMS,
    TRAINED,
    analyse,
    load_pipeline,
    make_docs,
    make_nlp,
    pipeline_dir,
)
from matchers.occupation.textcat import KscoTextCat

REPO = Path(__file__).resolve().parent.parent

TITLES = {"2222": ["시스템 소프트웨어 개발자", "임베디드 소프트웨어 개발자", "펌웨어 개발자"],
          "2224": ["웹 개발자", "웹 프로그래머", "프론트엔드 웹 개발자"],
          "4411": ["한식 조리사", "한식 요리사", "한식 주방장"]}
DUTIES = {"2222": ["운영체제와 펌웨어를 설계하고 임베디드 장치의 소프트웨어를 개발한다.",
                   "장치 드라이버와 펌웨어를 개발하고 시험한다."],
          "2224": ["웹사이트와 웹 서비스의 화면과 서버를 개발하고 유지보수한다.",
                   "웹 페이지를 설계하고 웹 서버 프로그램을 개발한다."],
          "4411": ["한식 메뉴를 조리하고 식재료를 손질한다.", "한식 요리를 만들고 주방을 관리한다."]}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A pipeline trained by spaCy's training loop from config.cfg on a few titles and duties."""
    blank = make_nlp(terms=True)
    docs = []
    for field, table in (("title", TITLES), ("duties", DUTIES)):
        texts = [(code, t) for code, ts in table.items() for t in ts]
        field_docs = make_docs(blank, [t for _, t in texts], field)
        for doc, (code, _) in zip(field_docs, texts, strict=True):
            doc.cats = {code: 1.0}
        docs.append(field_docs)
    folder = tmp_path_factory.mktemp("docbins")
    paths = write_docbins((docs[0], docs[1]), folder, seed=1)
    nlp = packaged(run_training({"training.max_epochs": 30, "training.batcher.size": 4}, paths))
    add_meaning(nlp, shipped_units())  # as the build adds it after training
    return nlp


def best(doc_or_cats) -> str:
    cats = getattr(doc_or_cats, "cats", doc_or_cats)
    return max(cats, key=cats.get)


def test_config_builds_the_pipeline_from_factories():
    config = load_training_config()
    assert config["nlp"]["tokenizer"]["@tokenizers"] == "ksoc_audit.KiwiTokenizer.v1"
    assert tuple(config["nlp"]["pipeline"]) == TRAINED and PIPES == (*TRAINED, MEANING)
    assert config["components"]["textcat_title"]["factory"] == "ksco_textcat"
    assert config["components"][TERMS]["factory"] == TERMS


def test_term_features_use_kiwi_lemmas():
    nlp = make_nlp(terms=True)
    doc = analyse(nlp, "웹 서비스를 개발하고 서버를 관리한다", "duties")
    assert {"k:개발", "k:서버", "k:관리"} <= set(doc._.ksco_terms)  # lemmas, particles gone
    assert "w:서비스" in doc._.ksco_terms  # the word features stay
    title = analyse(nlp, "웹 개발자", "title")
    assert "^웹" in title._.ksco_terms and not any(f.startswith("k:") for f in title._.ksco_terms)


def test_trained_categorizers_fill_cats_for_their_field(tiny):
    title = analyse(tiny, "웹 개발자", "title")
    assert best(title) == "2224"
    assert set(title.cats) == {"2222", "2224", "4411"}
    duties = analyse(tiny, "한식 요리를 조리하고 식재료를 손질한다", "duties")
    assert best(duties) == "4411"
    assert isinstance(tiny.get_pipe("textcat_duties"), KscoTextCat)


def test_no_known_feature_no_cats(tiny):
    assert analyse(tiny, "zzzz qqqq", "duties").cats == {}


def test_to_disk_from_disk_round_trip(tiny, tmp_path):
    tiny.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.pipe_names == tiny.pipe_names == list(PIPES)
    for text, field in (("웹 개발자", "title"), ("펌웨어를 개발한다", "duties")):
        a, b = analyse(tiny, text, field).cats, analyse(loaded, text, field).cats
        assert best(a) == best(b)
        assert max(abs(a[c] - b[c]) for c in a) < 0.02  # weights stored quantised
    duties = "펌웨어를 개발한다"
    kept = meaning_of(analyse(tiny, duties, "duties")).keep()
    assert meaning_of(analyse(loaded, duties, "duties")).keep() == kept  # the same unit vectors


def test_stale_pipeline_directory_is_refused(tiny, tmp_path):
    from matchers.occupation.nlp import stamp

    stamp(tiny, "0000")
    tiny.to_disk(tmp_path / "pipe")
    assert load_pipeline(tmp_path / "pipe", reference_version="0000").pipe_names == list(PIPES)
    with pytest.raises(ReferenceDataError, match="stale"):
        load_pipeline(tmp_path / "pipe", reference_version="1111")
    meta = json.loads((tmp_path / "pipe" / "meta.json").read_text())
    meta["ksoc_audit"]["features"] = -1  # trained on an older feature scheme
    (tmp_path / "pipe" / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ReferenceDataError, match="stale"):
        load_pipeline(tmp_path / "pipe", reference_version="0000")


def test_matcher_refuses_a_pipeline_of_other_knowledge(tiny):
    from matchers.knowledge.load import load_knowledge
    from matchers.occupation.match import Matcher
    from matchers.occupation.nlp import stamp

    stamp(tiny, "0000")
    with pytest.raises(ReferenceDataError):
        Matcher(load_knowledge(), nlp=tiny)


def test_shipped_pipeline_matches_the_shipped_knowledge():
    from matchers.knowledge.load import load_knowledge

    folder = pipeline_dir()
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    assert size < 14e6  # 12.1 MB since HR's duty phrases joined the training examples
    nlp = load_pipeline(reference_version=load_knowledge().version)
    assert nlp.pipe_names == list(PIPES)
    for name in ("textcat_title", "textcat_duties"):  # features, not sentences, are shipped
        pipe = nlp.get_pipe(name)
        assert len(pipe.labels) > 400
        assert max(len(f) for f in pipe.model.attrs["vocab"]) < 40


def test_match_texts_goes_through_the_pipeline(monkeypatch):
    from matchers.knowledge.load import load_knowledge
    from matchers.occupation.match import Matcher, match_texts

    seen = []
    original = KscoTextCat.set_annotations

    def spy(self, docs, scores):
        original(self, docs, scores)
        for doc in docs:
            seen.append((self.field, doc.text))
            if self.field == "duties":  # the pipeline's opinion decides the duties' model half
                doc.cats = {"4411": 1.0}

    monkeypatch.setattr(KscoTextCat, "set_annotations", spy)
    m = Matcher(load_knowledge())
    res = match_texts("웹 개발자", duties="웹 서비스의 서버 API를 개발한다", matcher=m)
    assert ("title", "웹 개발자") in seen
    assert any(field == "duties" and "API" in text for field, text in seen)
    assert "4411" in [c.code for c in res.duties_candidates]


def test_matching_needs_no_scikit_learn():
    code = ("import sys; sys.modules['sklearn'] = None; sys.modules['scipy'] = None\n"
            "from matchers.occupation.match import match_texts\n"
            "res = match_texts('웹 개발자', duties='웹 서비스의 서버를 개발한다')\n"
            "assert res.candidates[0].code.startswith('22'), res.candidates[0].code\n")
    out = subprocess.run([sys.executable, "-c", code], check=False, cwd=REPO, capture_output=True,
                         text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
