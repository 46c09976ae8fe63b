"""spaCy pipeline of the matcher: Kiwi tokenizer -> term features -> KSCO text categorizers.

Built from `matchers/buildtime/config.cfg` and trained by spaCy's training loop at build time
(`matchers.buildtime.train`), shipped in `matchers/knowledge/data/pipeline/`, loaded with `spacy.load` at run
time. Offline by construction: Kiwi ships its model in kiwipiepy-model; the Language is
`spacy.lang.ko.Korean` with the mecab tokenizer replaced through the config.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, cast

import spacy
from spacy.lang.ko import Korean
from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.util import registry
from spacy.vocab import Vocab

from extractors.errors import ReferenceDataError
from matchers.knowledge.text import duty_features, title_grams
from matchers.occupation.meaning import MEANING

log = logging.getLogger(__name__)

TOKENIZER = "ksoc_audit.KiwiTokenizer.v1"
TERMS = "ksco_terms"  # factory of the term features component
TRAINED = (TERMS, "textcat_title", "textcat_duties")  # the components config.cfg trains
PIPES = (*TRAINED, MEANING)  # the shipped pipeline's (meaning is added after training)
PIPELINE = "pipeline"  # folder under matchers/knowledge/data
FEATURES = 1  # version of the feature scheme: a pipeline trained on another one is stale
_UPOS = {"NNG": "NOUN", "NNP": "PROPN", "NNB": "NOUN", "NR": "NUM", "NP": "PRON", "VV": "VERB",
         "VA": "ADJ", "VX": "AUX", "VCP": "AUX", "VCN": "AUX", "MM": "DET", "MAG": "ADV",
         "MAJ": "CCONJ", "IC": "INTJ", "SN": "NUM", "SL": "X", "SH": "X", "XR": "NOUN"}


@functools.cache
def kiwi() -> Any:  # a kiwipiepy.Kiwi (kiwipiepy ships no types)
    """One Kiwi analyser per process (about a second to load without the typo and multi-word
    dictionaries, which contract text does not need)."""
    from kiwipiepy import Kiwi

    return Kiwi(load_typo_dict=False, load_multi_dict=False)


def upos(tag: str) -> str:
    head = tag.split("+")[0]
    if head.startswith("J"):
        return "ADP"
    if head.startswith(("E", "XS")):
        return "PART"
    if head.startswith("S"):
        return _UPOS.get(head, "PUNCT")
    return _UPOS.get(head, "X")


class KiwiToken(Protocol):
    """What is read of a kiwipiepy token: its character span, POS tag and form."""

    start: int
    len: int
    tag: str
    form: str


Span = tuple[int, int, str, str]  # start, end, tag, lemma


def merged_spans(tokens: Iterable[KiwiToken]) -> list[Span]:
    """(start, end, tag, lemma) spans; Kiwi pieces that overlap (하 + ᆫ다) become one span,
    whose lemma is its first morpheme (만들 of 만든다)."""
    spans: list[list[Any]] = []  # [start, end, tag, lemma], widened as pieces overlap
    for tok in sorted(tokens, key=lambda t: t.start):
        start, end = tok.start, tok.start + tok.len
        if spans and start < spans[-1][1]:
            last = spans[-1]
            last[1] = max(last[1], end)
            last[2] += f"+{tok.tag}"
        else:
            spans.append([start, end, tok.tag, tok.form])
    return [(s[0], s[1], s[2], s[3]) for s in spans if s[1] > s[0]]


def words_and_spaces(text: str, spans: list[Span]) -> tuple[list[str], list[bool], list[str], list[str]]:
    """Plain non-overlapping words covering the text; gaps become spaces or whitespace tokens."""
    words: list[str] = []
    spaces: list[bool] = []
    tags: list[str] = []
    lemmas: list[str] = []
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


def _gap(gap: str, words: list[str], spaces: list[bool], tags: list[str], lemmas: list[str]
         ) -> None:
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

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        return self.doc(text, kiwi().tokenize(text) if text.strip() else [])

    def doc(self, text: str, tokens: Iterable[KiwiToken]) -> Doc:
        """The doc of a text from Kiwi's tokens of it."""
        spans = merged_spans(tokens)
        words, spaces, tags, lemmas = words_and_spaces(text, spans)
        pos = [upos(t) if t != "_SP" else "SPACE" for t in tags]
        return Doc(self.vocab, words=words, spaces=spaces, tags=tags, pos=pos, lemmas=lemmas)

    def to_bytes(self, **_kwargs: Any) -> bytes:
        return b"{}"

    def from_bytes(self, _data: bytes, **_kwargs: Any) -> KiwiTokenizer:
        return self

    def to_disk(self, path: str | Path, **_kwargs: Any) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / "cfg.json").write_text("{}")

    def from_disk(self, _path: str | Path, **_kwargs: Any) -> KiwiTokenizer:
        return self


@registry.tokenizers(TOKENIZER)  # type: ignore[untyped-decorator]  # spaCy: registry tables are Any
def create_kiwi_tokenizer() -> Callable[[Language], KiwiTokenizer]:
    def make(nlp: Language) -> KiwiTokenizer:
        return KiwiTokenizer(nlp.vocab)

    return make


FIELDS = ("title", "duties")
for _name, _default in (("ksco_field", "duties"), ("ksco_terms", None), ("ksco_weight", 1.0)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def duty_terms(doc: Doc, *, kiwi_words: bool = True) -> Counter[str]:
    """Duty features of a doc: today's words and in-word bigrams (`knowledge_text`), plus the
    Kiwi content lemmas (`k:` nouns, roots, verb and adjective stems, foreign words)."""
    feats = duty_features(doc.text)
    if kiwi_words:
        feats.update(f"k:{w}" for w in content_words(doc, lemmas=True))
    return feats


class Terms(Counter[str]):
    """A doc's term features; shared, not duplicated, when the doc is copied (spaCy copies
    every training example's doc at each update)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Terms:
        return self


class TermFeatures:
    """Sets `doc._.ksco_terms`: character n-grams of a title, or the duty features of a duty
    text (Kiwi lemmas among them). A pure function of the doc: kept once computed."""

    def __init__(self, name: str, kiwi_words: bool):
        self.name, self.kiwi_words = name, kiwi_words

    def features(self, doc: Doc) -> Terms:
        if doc._.ksco_field == "title":
            return Terms(title_grams(doc.text))
        return Terms(duty_terms(doc, kiwi_words=self.kiwi_words))

    def __call__(self, doc: Doc) -> Doc:
        if doc._.ksco_terms is None:
            doc._.ksco_terms = self.features(doc)
        return doc


@Language.factory(TERMS, default_config={"kiwi_words": True})
def create_term_features(nlp: Language, name: str, kiwi_words: bool) -> TermFeatures:
    return TermFeatures(name, kiwi_words)


def make_nlp(*, terms: bool = False, kiwi_words: bool = True) -> Language:
    """Korean Language with the Kiwi tokenizer set through the config; optionally the term
    features component (the trained pipeline is built from `matchers/buildtime/config.cfg`)."""
    nlp = Korean.from_config({"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    if terms:
        nlp.add_pipe(TERMS, config={"kiwi_words": kiwi_words})
    return nlp


def make_doc(nlp: Language, text: str, field: str, *, tokens: Iterable[KiwiToken] | None = None
             ) -> Doc:
    """A doc of a title or duty text, tagged with its field (read by the pipeline components);
    `tokens`: Kiwi's analysis of the text when already known (batch tokenization)."""
    if field not in FIELDS:
        raise ValueError(f"field must be one of {FIELDS}, not {field!r}")
    doc = nlp.make_doc(text) if tokens is None else cast(KiwiTokenizer, nlp.tokenizer).doc(text, tokens)
    doc._.ksco_field = field
    return doc


def analyse(nlp: Language, text: str, field: str, *, written: str | None = None,
            skip: AbstractSet[str] = frozenset()) -> Doc:
    """Run the pipeline on a title or duty text: tokens, terms, `doc.cats`, and for a duty text
    its meaning. `written`: the text as the contract writes it, when `text` is a normalised
    form of it (read by the meaning component); `skip`: components not to run (the pipeline
    itself is shared by every thread and is never changed)."""
    doc = make_doc(nlp, text, field)
    doc._.ksco_written = written
    for name, proc in nlp.pipeline:
        if name not in skip:
            doc = proc(doc)
    return doc


def make_docs(nlp: Language, texts: list[str], field: str) -> list[Doc]:
    """Docs of many texts, tokenized by Kiwi in one batch (its worker threads)."""
    analyses = kiwi().tokenize([t if t.strip() else " " for t in texts])
    return [make_doc(nlp, t, field, tokens=toks if t.strip() else []) for t, toks
            in zip(texts, analyses, strict=True)]


def pipeline_dir() -> Path:
    """The shipped pipeline directory (package data)."""
    return Path(str(resources.files("matchers.knowledge") / "data" / PIPELINE))


@functools.cache
def shipped_pipeline(reference_version: str) -> Language:
    """The shipped pipeline, loaded once per process (its components keep no per-call state)."""
    return load_pipeline(reference_version=reference_version)


def load_pipeline(path: Path | None = None, *, reference_version: str) -> Language:
    """The trained pipeline from disk (no network), checked against the reference data: a
    directory trained on other reference data or an older feature scheme is refused."""
    import matchers.occupation.textcat  # noqa: F401 - registers the ksco_textcat factory

    path = Path(path) if path else pipeline_dir()
    try:
        nlp = spacy.load(path)
    except (OSError, ValueError) as e:
        raise ReferenceDataError(f"spaCy pipeline unreadable in {path}: {e}",
                                 advice="rebuild it with `make data`") from e
    check_pipeline(nlp, reference_version, where=str(path))
    return nlp


def stamp(nlp: Language, reference_version: str) -> None:
    """Record what the pipeline was trained on (checked by `check_pipeline` at load)."""
    nlp.meta["ksoc_audit"] = {"reference_version": reference_version, "features": FEATURES}


def check_pipeline(nlp: Language, reference_version: str, *, where: str = "memory") -> None:
    got = nlp.meta.get("ksoc_audit", {})
    want = {"reference_version": reference_version, "features": FEATURES}
    if got != want:
        raise ReferenceDataError(
            f"stale spaCy pipeline in {where}: trained for {got or 'unknown data'}, installed "
            f"{want}", advice="rebuild the pipeline with `make data`")
    missing = [n for n in PIPES if n not in nlp.pipe_names]
    if missing:
        raise ReferenceDataError(f"spaCy pipeline in {where} lacks {missing}",
                                 advice="rebuild the pipeline with `make data`")


def content_words(doc: Doc, *, lemmas: bool = False) -> list[str]:
    """Noun and verb-stem words of a doc (Kiwi tags NNG, NNP, VV, VA, XR, SL); `lemmas`: the
    morpheme (개발 of 개발한다, lower-case English) instead of the token text."""
    keep = ("NNG", "NNP", "VV", "VA", "XR", "SL")
    if not lemmas:
        return [t.text for t in doc if t.tag_.split("+")[0] in keep]
    return [_lemma(t) for t in doc if t.tag_.split("+")[0] in keep]


def _lemma(tok: Token) -> str:
    lemma: str = tok.lemma_
    return lemma.lower()
