"""spaCy pipeline for Korean contract text: Kiwi tokenizer and the occupation-matching component.

Offline by construction: Kiwi ships its model in kiwipiepy-model; the Language is
`spacy.lang.ko.Korean` with the mecab tokenizer replaced through the config.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

import spacy
from spacy.lang.ko import Korean
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractors.errors import ReferenceDataError

log = logging.getLogger(__name__)

TOKENIZER = "ksoc_audit.KiwiTokenizer.v1"
MATCHER = "ksoc_occupation_matcher"
_UPOS = {"NNG": "NOUN", "NNP": "PROPN", "NNB": "NOUN", "NR": "NUM", "NP": "PRON", "VV": "VERB",
         "VA": "ADJ", "VX": "AUX", "VCP": "AUX", "VCN": "AUX", "MM": "DET", "MAG": "ADV",
         "MAJ": "CCONJ", "IC": "INTJ", "SN": "NUM", "SL": "X", "SH": "X", "XR": "NOUN"}


@functools.cache
def kiwi():
    """One Kiwi analyser per process (loading takes about a second)."""
    from kiwipiepy import Kiwi

    return Kiwi()


def upos(tag: str) -> str:
    head = tag.split("+")[0]
    if head.startswith("J"):
        return "ADP"
    if head.startswith(("E", "XS")):
        return "PART"
    if head.startswith("S"):
        return _UPOS.get(head, "PUNCT")
    return _UPOS.get(head, "X")


def merged_spans(tokens) -> list[tuple[int, int, str, str]]:
    """(start, end, tag, lemma) spans; Kiwi pieces that overlap (하 + ᆫ다) become one span."""
    spans: list[list] = []
    for tok in sorted(tokens, key=lambda t: t.start):
        start, end = tok.start, tok.start + tok.len
        if spans and start < spans[-1][1]:
            last = spans[-1]
            last[1] = max(last[1], end)
            last[2] += f"+{tok.tag}"
            last[3] += tok.form
        else:
            spans.append([start, end, tok.tag, tok.form])
    return [tuple(s) for s in spans if s[1] > s[0]]


def words_and_spaces(text: str, spans) -> tuple[list[str], list[bool], list[str], list[str]]:
    """Plain non-overlapping words covering the text; gaps become spaces or whitespace tokens."""
    words, spaces, tags, lemmas = [], [], [], []
    pos = 0
    for start, end, tag, lemma in spans:
        _gap(text[pos:start], words, spaces, tags, lemmas)
        words.append(text[start:end])
        spaces.append(False)
        tags.append(tag)
        lemmas.append(lemma)
        pos = end
    _gap(text[pos:], words, spaces, tags, lemmas)
    return words, spaces, tags, lemmas


def _gap(gap: str, words, spaces, tags, lemmas) -> None:
    if gap.startswith(" ") and words and not spaces[-1]:
        spaces[-1] = True
        gap = gap[1:]
    if gap:
        words.append(gap)
        spaces.append(False)
        tags.append("_SP" if gap.isspace() else "SW")
        lemmas.append(gap)


class KiwiTokenizer:
    """spaCy tokenizer: Kiwi morphemes merged into plain word spans, Kiwi POS as `tag_`."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        spans = merged_spans(kiwi().tokenize(text)) if text.strip() else []
        words, spaces, tags, lemmas = words_and_spaces(text, spans)
        pos = [upos(t) if t != "_SP" else "SPACE" for t in tags]
        return Doc(self.vocab, words=words, spaces=spaces, tags=tags, pos=pos, lemmas=lemmas)

    def to_bytes(self, **_kwargs) -> bytes:
        return b"{}"

    def from_bytes(self, _data: bytes, **_kwargs) -> KiwiTokenizer:
        return self

    def to_disk(self, path, **_kwargs) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / "cfg.json").write_text("{}")

    def from_disk(self, _path, **_kwargs) -> KiwiTokenizer:
        return self


@spacy.registry.tokenizers(TOKENIZER)
def create_kiwi_tokenizer():
    def make(nlp: Language) -> KiwiTokenizer:
        return KiwiTokenizer(nlp.vocab)

    return make


if not Doc.has_extension("ksco_match"):
    Doc.set_extension("ksco_match", default=None)


class OccupationMatcherComponent:
    """Sets `doc._.ksco_match` (OccupationMatch) treating the doc as a title, English title or duties."""

    def __init__(self, nlp: Language, name: str, field: str):
        if field not in ("title", "title_en", "duties"):
            raise ValueError(f"field must be title, title_en or duties, not {field!r}")
        self.name, self.field, self.matcher = name, field, None

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        from matchers.match import get_matcher

        self.matcher = get_matcher()

    def __call__(self, doc: Doc) -> Doc:
        from matchers.match import match_texts

        if self.matcher is None:
            self.initialize()
        doc._.ksco_match = match_texts(**{self.field: doc.text}, matcher=self.matcher)
        return doc

    def _version(self) -> str:
        from matchers.knowledge import load_knowledge

        return load_knowledge().version

    def to_disk(self, path, *, exclude=()) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        cfg = {"field": self.field, "reference_version": self._version()}
        (Path(path) / "cfg.json").write_text(json.dumps(cfg))

    def from_disk(self, path, *, exclude=()) -> OccupationMatcherComponent:
        cfg = json.loads((Path(path) / "cfg.json").read_text())
        if cfg["reference_version"] != self._version():
            raise ReferenceDataError(
                f"pipeline saved with reference data {cfg['reference_version']}, "
                f"installed {self._version()}", advice="rebuild the pipeline with make_nlp()")
        self.field = cfg["field"]
        return self


@Language.factory(MATCHER, default_config={"field": "duties"})
def create_occupation_matcher(nlp: Language, name: str, field: str) -> OccupationMatcherComponent:
    return OccupationMatcherComponent(nlp, name, field)


def make_nlp(*, match_field: str | None = None) -> Language:
    """Korean Language with the Kiwi tokenizer set through the config; optionally the matcher."""
    nlp = Korean.from_config({"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    if match_field:
        nlp.add_pipe(MATCHER, config={"field": match_field})
    return nlp


def content_words(doc: Doc) -> list[str]:
    """Noun and verb-stem lemmas of a doc (Kiwi tags NN*, VV, VA, XR, SL)."""
    keep = ("NNG", "NNP", "VV", "VA", "XR", "SL")
    return [t.text for t in doc if t.tag_.split("+")[0] in keep]
