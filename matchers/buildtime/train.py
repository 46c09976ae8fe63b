"""Build time: the knowledge and the trained spaCy pipeline from the reference data.

`build(ref, holdout=...)` tokenizes the dictionary's duty texts with the pipeline's own Kiwi
tokenizer and term features (the per-code duty statistics of the knowledge are counted from
those same features), then trains the pipeline with spaCy's training loop from
`matchers/buildtime/config.cfg` (fixed seed): the title categorizer on every known title of each code
(dictionary titles, aliases, KSCO names, curated synonyms; related jobs at half weight), the
duties categorizer on each dictionary entry's duty text. Benchmarks call it with held-out
entries left out. Needs only spaCy and kiwipiepy (no scikit-learn).
"""

from __future__ import annotations

import io
import logging
import random
import tempfile
import time
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.training.initialize import init_nlp
from spacy.training.loop import train
from spacy.util import load_config, load_model_from_config, registry
from thinc.api import Config

import matchers.occupation.textcat  # noqa: F401 - registers the ksco_textcat factory
from matchers.buildtime.phrases import phrase_entries
from matchers.buildtime.reference import build_artifacts, content_hash
from matchers.knowledge.text import title_entries
from matchers.occupation.meaning import MEANING, MeaningReader, Units
from matchers.occupation.nlp import TERMS, make_docs, pipeline_dir, stamp

log = logging.getLogger(__name__)

CONFIG = Path(__file__).with_name("config.cfg")
SAMPLE_WEIGHT = {"related": 0.5}  # related jobs are weaker evidence than titles and aliases
DEV_SIZE = 200  # examples the training loop evaluates on (drawn from the training data)
DOCBIN_ATTRS = ["ORTH", "TAG", "POS", "LEMMA"]  # what the term features read (and SPACY)


_READ: dict[tuple[str, str, int], list[Example]] = {}  # DocBins read in this process (the loop reads twice)


@registry.readers("ksoc_audit.DocBinExamples.v1")  # type: ignore[untyped-decorator]  # spaCy: registry tables are Any
def docbin_examples(titles: Path | None, duties: Path | None) -> Callable[[Language], list[Example]]:
    """Examples from two DocBins of Kiwi-tokenized docs, title texts and duty texts, each
    doc's `cats` holding its gold code with the example's weight. Read once per process:
    Kiwi's analysis is kept, not redone every epoch."""

    def read(nlp: Language) -> list[Example]:
        key = (str(titles), str(duties), id(nlp.vocab))
        if key not in _READ:
            terms = nlp.get_pipe(TERMS)
            _READ[key] = [_example(doc, field, terms) for field, path in (("title", titles),
                                                                           ("duties", duties))
                          for doc in _docbin(path).get_docs(nlp.vocab)]
        return _READ[key]

    return read


def _docbin(path: Path | None) -> DocBin:
    assert path is not None  # the training config names both DocBins
    return DocBin().from_disk(path)


def _example(doc: Doc, field: str, terms: Callable[[Doc], Doc]) -> Example:
    """The doc as predicted input (field, weight and term features set: the features are
    computed once, not at every epoch) and its copy carrying the gold code."""
    gold = doc.cats
    reference = doc.copy()
    reference.cats = {max(gold, key=lambda code: gold[code]): 1.0}
    doc._.ksco_field, doc._.ksco_weight, doc.cats = field, max(gold.values()), {}
    return Example(terms(doc), reference)


def load_training_config(overrides: dict[str, Any] | None = None) -> Config:
    return load_config(CONFIG, overrides=overrides or {})


def duty_text(row: dict[str, Any]) -> str:
    return f"{row['work_sum']} {row['do_work']}"


def build(ref: dict[str, list[dict[str, Any]]], *, holdout: AbstractSet[str] = frozenset(),
          with_e7_examples: bool = True, overrides: dict[str, Any] | None = None,
          seed: int | None = None, units: Units | None = None, phrases: bool = True
          ) -> tuple[dict[str, object], Language]:
    """(knowledge artifacts, trained pipeline stamped with their version); `holdout`: djob_cd
    of dictionary entries to leave out; `overrides`: config overrides (e.g. max_epochs);
    `units`: the meaning component's unit vectors (default: the shipped pipeline's, which
    scripts/build_semantic.py builds); `phrases`: HR's duty phrases join the dictionary entries
    (`matchers.buildtime.phrases`)."""
    overrides = dict(overrides or {})
    if seed is not None:
        overrides["system.seed"] = seed
    config = load_training_config(overrides)
    blank = load_model_from_config(config, auto_fill=True)
    terms = blank.get_pipe(TERMS)
    if phrases:  # HR's duty phrases: more (short) duty examples of their units
        known = {r["code"] for r in ref["k7"] if r["level"] == "unit"}
        ref = {**ref, "duties": ref["duties"] + phrase_entries(known)}
    duties = [r for r in ref["duties"] if r["djob_cd"] not in holdout]
    t0 = time.perf_counter()
    texts = sorted({duty_text(r) for r in duties})
    by_text = dict(zip(texts, make_docs(blank, texts, "duties"), strict=True))
    log.info("%d duty texts tokenized in %.1f s", len(texts), time.perf_counter() - t0)
    arts = build_artifacts(ref, holdout=holdout, with_e7_examples=with_e7_examples,
                           features=lambda r: terms(by_text[duty_text(r)])._.ksco_terms)
    nlp = packaged(train_pipeline(overrides, blank, arts, duties, by_text))
    add_meaning(nlp, units if units is not None else shipped_units())
    stamp(nlp, content_hash(arts))
    return arts, nlp


def add_meaning(nlp: Language, units: Units) -> MeaningReader:
    """The meaning component, last, holding `units` (it is not trained: the sentence encoder's
    unit vectors are computed by scripts/build_semantic.py)."""
    if MEANING in nlp.pipe_names:
        nlp.remove_pipe(MEANING)
    pipe = nlp.add_pipe(MEANING, last=True)
    assert isinstance(pipe, MeaningReader)
    pipe.set_units(*units)
    return pipe


def shipped_units() -> Units:
    """The unit vectors of the shipped pipeline's meaning component."""
    return MeaningReader(MEANING).from_disk(pipeline_dir() / MEANING).units()


def packaged(trained: Language) -> Language:
    """The trained components in a fresh pipeline from the same config: its vocabulary does
    not carry every string of the training texts (nor, saved, their list), and its config
    names no training files (they were temporary: a rebuild saves the same config)."""
    config = trained.config.copy()
    config["paths"] = dict.fromkeys(config["paths"])
    nlp = load_model_from_config(config, auto_fill=True)
    for name in nlp.pipe_names:
        if hasattr(nlp.get_pipe(name), "from_bytes"):
            # spaCy types get_pipe's result as a bare callable; trainable pipes serialise
            saved = trained.get_pipe(name).to_bytes()  # type: ignore[attr-defined]
            nlp.get_pipe(name).from_bytes(saved)  # type: ignore[attr-defined]
    return nlp


def training_docs(blank: Language, arts: dict[str, Any], duties: list[dict[str, Any]],
                  by_text: dict[str, Doc]) -> tuple[list[Doc], list[Doc]]:
    """Title docs (every known title of each code) and duty docs, labelled by `cats`."""
    entries = title_entries(arts["titles.json.gz"], arts["ksco7.json"])
    titles = make_docs(blank, [t for _, t, _ in entries], "title")
    for doc, (code, _, kind) in zip(titles, entries, strict=True):
        doc.cats = {code: SAMPLE_WEIGHT.get(kind, 1.0)}  # the gold code, with its weight
    out = []
    for r in duties:
        doc = by_text[duty_text(r)].copy()
        doc.cats = {r["code"]: r.get("weight", 1.0)}
        out.append(doc)
    return titles, out


def train_pipeline(overrides: dict[str, Any], blank: Language, arts: dict[str, Any], duties: list[dict[str, Any]],
                   by_text: dict[str, Doc]) -> Language:
    """spaCy's training loop on DocBins written to a temporary folder."""
    docs = training_docs(blank, arts, duties, by_text)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ksco-train-") as tmp:
        paths = write_docbins(docs, Path(tmp), seed=blank.config["system"]["seed"])
        nlp = run_training(overrides, paths)
    log.info("pipeline trained on %d titles and %d duty texts in %.1f s", len(docs[0]),
             len(docs[1]), time.perf_counter() - t0)
    return nlp


def write_docbins(docs: tuple[list[Doc], list[Doc]], folder: Path, *, seed: int) -> dict[str, Any]:
    """train_/dev_ titles/duties .spacy files; returns the config overrides naming them."""
    rng, paths = random.Random(seed), {}
    for field, field_docs in zip(("titles", "duties"), docs, strict=True):
        dev = rng.sample(field_docs, min(DEV_SIZE // 2, len(field_docs)))
        for split, split_docs in (("train", field_docs), ("dev", dev)):
            paths[f"paths.{split}_{field}"] = path = str(folder / f"{split}_{field}.spacy")
            DocBin(docs=split_docs, attrs=DOCBIN_ATTRS).to_disk(path)
    return paths


def run_training(overrides: dict[str, Any], paths: dict[str, Any]) -> Language:
    """`init_nlp` + `train` (spaCy's training loop) from config.cfg with the overrides."""
    nlp = init_nlp(load_training_config({**overrides, **paths}))
    out = io.StringIO()
    try:
        nlp, _ = train(nlp, None, stdout=out, stderr=out)
    finally:
        _READ.clear()
    return nlp
