"""KSCO text categorizer: a spaCy trainable component that fills `doc.cats` with KSCO7 codes.

Its model (`ksoc_audit.TermLinear.v1`, a thinc Model) is a softmax-linear layer over the
`doc._.ksco_terms` features of the `ksco_terms` component, weighted as sublinear tf x idf and
L2-normalised; the feature vocabulary and idf are learned in `initialize` from the training
examples, the weights by spaCy's training loop (`matchers.buildtime.train`, `matchers/buildtime/config.cfg`).
The optimizer's Adam settings are applied to the weight rows a batch touched (lazy Adam): a
dense update of the 12-20 million weights per step would make training take many minutes.
Saved compactly (`to_disk`): feature strings, idf, bias, and the weights pruned and quantised;
loaded, the weights stay in that sparse form (scoring only).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import numpy as np
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import minibatch, registry
from spacy.vocab import Vocab
from thinc.api import Model, Optimizer
from thinc.types import Floats1d, Floats2d

from matchers.knowledge.index import gather
from matchers.occupation.nlp import TERMS

ARCH = "ksoc_audit.TermLinear.v1"
FACTORY = "ksco_textcat"
MIN_DF = 2  # features of a single training document are left out
SCALE = 1000  # weights are stored as integers in thousandths
PRUNE = 0.02  # weights smaller than this (in absolute value) are not shipped

TermModel = Model[list[Doc], Floats2d]  # per doc, one score per label
_Item = TypeVar("_Item")


def _param(model: TermModel, name: str) -> np.ndarray:
    """A parameter of the model as the numpy array it is (thinc types it as its own Floats)."""
    return np.asarray(model.get_param(name))


def weigh(feats: dict[str, float], vocab: dict[str, int], idf: list[float]
          ) -> tuple[np.ndarray, np.ndarray]:
    """(feature ids, weights): sublinear tf x idf, L2-normalised, over the known features."""
    get, log = vocab.get, math.log
    vec = {k: (1.0 + log(c)) * idf[k] for f, c in feats.items()
           if c > 0 and (k := get(f)) is not None}
    keys = np.fromiter(vec.keys(), np.int64, len(vec))
    vals = np.fromiter(vec.values(), np.float32, len(vec))
    norm = float(np.sqrt(vals @ vals)) or 1.0
    return keys, vals / norm


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    probs: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return probs


@registry.architectures(ARCH)  # type: ignore[untyped-decorator]  # spaCy: registry tables are Any
def build_term_linear() -> TermModel:
    """Linear scores per label from the doc's term features (vocabulary set in initialize)."""
    return Model("ksco_term_linear", _forward, dims={"nO": None, "nF": None},
                 params={"W": None, "b": None}, attrs={"vocab": {}, "idf": [], "packed": None})


def _forward(model: TermModel, docs: list[Doc], is_train: bool
             ) -> tuple[np.ndarray, Callable[[np.ndarray], list[Doc]] | None]:
    b, vocab, idf = _param(model, "b"), model.attrs["vocab"], model.attrs["idf"]
    inputs = [weigh(doc._.ksco_terms or {}, vocab, idf) for doc in docs]
    Y = np.tile(b, (len(docs), 1))
    packed = model.attrs.get("packed")
    if packed is not None:  # loaded from disk: the shipped sparse weights, scoring only
        if is_train:
            raise ValueError("a loaded ksco_textcat scores only; train it from the config")
        indptr, cls, w = packed
        for i, (keys, vals) in enumerate(inputs):
            if len(keys):
                pos, scale = gather(indptr, keys, vals)
                Y[i] += np.bincount(cls[pos], weights=w[pos] * scale, minlength=len(b))
        return Y, None
    W = _param(model, "W")
    for i, (keys, vals) in enumerate(inputs):
        if len(keys):
            Y[i] += vals @ W[keys]

    def backprop(dY: np.ndarray) -> list[Doc]:
        keys_all = np.concatenate([k for k, _ in inputs] or [np.zeros(0, np.int64)])
        rows, inverse = np.unique(keys_all, return_inverse=True)
        grad = np.zeros((len(rows), W.shape[1]), dtype=np.float32)
        pos = 0
        for i, (keys, vals) in enumerate(inputs):  # a doc's feature ids are distinct
            grad[inverse[pos: pos + len(keys)]] += np.outer(vals, dY[i])
            pos += len(keys)
        model.attrs["grad"] = (rows, grad, dY.sum(axis=0))
        return []

    return Y, backprop


def _itself(doc: Any) -> Doc:
    """`_own`'s default: the items are the docs."""
    return cast(Doc, doc)


class KscoTextCat(TrainablePipe):  # type: ignore[misc]  # spaCy's TrainablePipe is untyped Cython
    """Scores the docs of one field (title or duties; `doc._.ksco_field`) against the KSCO7
    codes seen in training and sets `doc.cats` (softmax probabilities); other docs pass."""

    def __init__(self, vocab: Vocab, model: TermModel, name: str = "textcat_duties", *, field: str,
                 loss: str = "hinge", platt: tuple[float, ...] = (1.0, 0.0)) -> None:
        self.vocab, self.model, self.name = vocab, model, name
        self.cfg: dict[str, Any] = {"field": field, "labels": [], "loss": loss, "platt": list(platt)}
        self._arrays: dict[str, np.ndarray] = {}

    @property
    def field(self) -> str:
        field: str = self.cfg["field"]
        return field

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.cfg["labels"])

    def _own(self, items: Iterable[_Item], doc: Callable[[_Item], Doc] = _itself) -> list[_Item]:
        return [x for x in items if doc(x)._.ksco_field == self.field]

    def __call__(self, doc: Doc) -> Doc:
        if doc._.ksco_field == self.field:
            self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        for docs in minibatch(stream, size=batch_size):  # type: ignore[no-untyped-call]  # spaCy: untyped
            own = self._own(docs)
            if own:
                self.set_annotations(own, self.predict(own))
            yield from docs

    def predict(self, docs: list[Doc]) -> np.ndarray:
        return np.asarray(self.model.predict(docs))

    def set_annotations(self, docs: list[Doc], scores: np.ndarray) -> None:
        """`doc.cats`: per-code probabilities (softmax, or the margins through the configured
        Platt sigmoid); none when the doc has no feature the model knows."""
        labels, vocab = self.labels, self.model.attrs["vocab"]
        if self.cfg["loss"] == "hinge":
            a, b = self.cfg["platt"]
            probs = 1.0 / (1.0 + np.exp(-(a * scores + b)))
        else:
            probs = softmax(scores)
        for doc, row in zip(docs, probs.tolist(), strict=True):
            known = any(f in vocab for f in doc._.ksco_terms or ())
            doc.cats = dict(zip(labels, row, strict=True)) if known else {}

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *,
                   nlp: Language | None = None, labels: Iterable[str] | None = None) -> None:
        """Labels, feature vocabulary and idf from the training examples of this field."""
        terms = nlp.get_pipe(TERMS) if nlp is not None and TERMS in nlp.pipe_names else None
        examples = self._own(get_examples(), lambda eg: eg.predicted)
        if not examples:
            raise ValueError(f"{self.name}: no training examples of field {self.field!r}")
        df: dict[str, int] = {}
        for eg in examples:
            doc = terms(eg.predicted) if terms else eg.predicted
            for f in doc._.ksco_terms or {}:
                df[f] = df.get(f, 0) + 1
        names = sorted(f for f, n in df.items() if n >= MIN_DF)
        n = len(examples)
        idf = [math.log((1 + n) / (1 + df[f])) + 1.0 for f in names]
        self.cfg["labels"] = sorted(labels or {_gold(eg) for eg in examples})
        self._set_weights(names, idf, np.zeros((len(names), len(self.labels)), np.float32),
                          np.zeros(len(self.labels), np.float32))

    def _set_weights(self, names: list[str], idf: Iterable[float], W: np.ndarray, b: np.ndarray
                     ) -> None:
        m = self.model
        m.attrs["packed"] = None
        m.attrs["vocab"] = {f: k for k, f in enumerate(names)}
        m.attrs["idf"] = [float(x) for x in idf]
        m.set_dim("nF", W.shape[0], force=True)
        m.set_dim("nO", W.shape[1], force=True)
        m.set_param("W", cast(Floats2d, W))
        m.set_param("b", cast(Floats1d, b))

    def get_loss(self, examples: list[Example], scores: np.ndarray) -> tuple[float, np.ndarray]:
        """Weighted loss (`doc._.ksco_weight`: related jobs count half): softmax cross-entropy,
        or one-vs-rest squared hinge (a linear SVM's loss: only codes within the margin of
        the gold code's count)."""
        index = {c: i for i, c in enumerate(self.labels)}
        gold = np.array([index[_gold(eg)] for eg in examples])
        weight = np.array([eg.predicted._.ksco_weight for eg in examples], np.float32)
        rows = np.arange(len(examples))
        scale = (weight / len(examples))[:, None]
        if self.cfg.get("loss") == "hinge":
            sign = -np.ones_like(scores)
            sign[rows, gold] = 1.0
            slack = np.maximum(0.0, 1.0 - sign * scores)
            return float((scale * slack * slack).sum()), -2.0 * sign * slack * scale
        probs = softmax(scores)
        loss = float(-(weight * np.log(probs[rows, gold] + 1e-9)).sum() / len(examples))
        probs[rows, gold] -= 1.0
        return loss, probs * scale

    def update(self, examples: Iterable[Example], *, drop: float = 0.0,
               sgd: Optimizer | Literal[False] | None = None, losses: dict[str, float] | None = None
               ) -> dict[str, float]:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        own = self._own(examples, lambda eg: eg.predicted)
        if not own:
            return losses
        scores, backprop = self.model.begin_update([eg.predicted for eg in own])
        loss, d_scores = self.get_loss(own, np.asarray(scores))
        backprop(cast(Floats2d, d_scores))
        if sgd is not None and sgd is not False:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def finish_update(self, sgd: Optimizer) -> None:
        """The optimizer's Adam on the touched weight rows (its moments kept in the optimizer)."""
        grad = self.model.attrs.pop("grad", None)
        if grad is None:
            return
        rows, g, db = grad
        W, key = _param(self.model, "W"), (self.model.id, "W")
        if sgd.grad_clip:
            g = np.clip(g, -sgd.grad_clip, sgd.grad_clip)
        mom1 = np.asarray(sgd.mom1.setdefault(key, cast(Floats2d, np.zeros(W.shape, np.float32))))
        mom2 = np.asarray(sgd.mom2.setdefault(key, cast(Floats2d, np.zeros(W.shape, np.float32))))
        sgd.nr_update[key] += 1
        t = sgd.nr_update[key]
        m = mom1[rows] * sgd.b1 + (1 - sgd.b1) * g
        v = mom2[rows] * sgd.b2 + (1 - sgd.b2) * g * g
        mom1[rows], mom2[rows] = m, v
        lr = sgd.learn_rate * math.sqrt(1 - sgd.b2 ** t) / (1 - sgd.b1 ** t)
        step = lr * m / (np.sqrt(v) + sgd.eps)
        if sgd.L2 and sgd.L2_is_weight_decay:
            step += sgd.learn_rate * sgd.L2 * W[rows]
        W[rows] -= step
        b = self.model.get_param("b")
        b, _ = sgd((self.model.id, "b"), b, db.astype(np.float32))
        self.model.set_param("b", b)

    def score(self, examples: Iterable[Example], **_kwargs: Any) -> dict[str, float]:
        own = self._own(examples, lambda eg: eg.predicted)
        hits = [bool(eg.predicted.cats) and _best(eg.predicted.cats) == _gold(eg) for eg in own]
        return {f"ksco_{self.field}_acc": sum(hits) / len(hits) if hits else 0.0}

    # compact serialisation: pruned, quantised weights instead of the dense matrix
    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        m = self.model
        cfg = {**self.cfg, "features": list(m.attrs["vocab"]), "idf": m.attrs["idf"]}
        if m.attrs.get("packed") is not None:
            return cfg, self._arrays
        # softmax is unchanged by adding a constant to a feature's row: centred on its median,
        # most of the row is near zero and pruned (the hinge models' rows are sparse already)
        W = _param(m, "W")
        if self.cfg["loss"] == "softmax":
            W = W - np.median(W, axis=1, keepdims=True)
        q = np.where(np.abs(W) >= PRUNE, np.round(W * SCALE), 0)
        q = np.clip(q, -32767, 32767).astype(np.int16)
        feat, cls = np.nonzero(q)  # row-major: feature by feature
        indptr = np.zeros(W.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(feat, minlength=W.shape[0]), out=indptr[1:])
        arrays = {"indptr": indptr, "cls": cls.astype(np.int16), "w": q[feat, cls],
                  "b": _param(m, "b").astype(np.float32)}
        return cfg, arrays

    def _load_state(self, cfg: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Shipped weights kept sparse (feature-major), as stored: over 100 MB less memory than
        the dense matrices, and no time spent filling them."""
        self.cfg = {k: cfg[k] for k in ("field", "labels", "loss", "platt")}
        self._arrays = arrays
        m, names = self.model, cfg["features"]
        m.attrs["vocab"] = {f: k for k, f in enumerate(names)}
        m.attrs["idf"] = [float(x) for x in cfg["idf"]]
        m.attrs["packed"] = (arrays["indptr"], arrays["cls"].astype(np.int64),
                             arrays["w"].astype(np.float32) / SCALE)
        m.set_dim("nF", len(names), force=True)
        m.set_dim("nO", len(self.labels), force=True)
        m.set_param("b", cast(Floats1d, np.asarray(arrays["b"], np.float32)))

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        cfg, arrays = self._state()
        text = json.dumps(cfg, ensure_ascii=False, separators=(",", ":")).encode()
        buf = io.BytesIO()
        # numpy's stubs take **arrays as possibly holding its allow_pickle flag
        np.savez_compressed(buf, cfg=np.frombuffer(text, dtype=np.uint8), **arrays)  # type: ignore[arg-type]
        return buf.getvalue()

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> KscoTextCat:
        with np.load(io.BytesIO(data)) as arrays:
            cfg = json.loads(arrays["cfg"].tobytes())
            self._load_state(cfg, {k: arrays[k] for k in arrays.files if k != "cfg"})
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.npz").write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> KscoTextCat:
        return self.from_bytes((Path(path) / "model.npz").read_bytes())


def _best(cats: dict[str, float]) -> str:
    """The code of the highest score (the first of equal ones)."""
    return max(cats, key=lambda code: cats[code])


def _gold(eg: Example) -> str:
    return _best(eg.reference.cats)


@Language.factory(FACTORY, default_config={"field": "duties", "loss": "hinge", "platt": [1.0, 0.0],
                                           "model": {"@architectures": ARCH}},
                  default_score_weights={"ksco_title_acc": 0.5, "ksco_duties_acc": 0.5})
def create_ksco_textcat(nlp: Language, name: str, model: TermModel, field: str, loss: str,
                        platt: list[float]) -> KscoTextCat:
    if field not in ("title", "duties") or loss not in ("softmax", "hinge"):
        raise ValueError(f"field must be title or duties, loss softmax or hinge: {field}, {loss}")
    return KscoTextCat(nlp.vocab, model, name, field=field, loss=loss, platt=tuple(platt))
