"""Kiwi tokenizer inside spaCy: particles split, plain spans, offsets, serialisation."""

from __future__ import annotations

import itertools

import pytest
from spacy.tokens import Doc, DocBin

from matchers.occupation.nlp import TOKENIZER, content_words, make_nlp, merged_spans

TEXTS = [
    "소프트웨어 개발자로서 웹 서비스를 개발한다.",
    "업무의 내용: 해외 영업 및 수출입 관리\n\t(담당: 마케팅팀)  급여 3,000,000원",
    "Backend Developer로 근무하며 API를 설계하였다.",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def nlp():
    return make_nlp()


def test_particles_split(nlp):
    doc = nlp(TEXTS[0])
    words = [t.text for t in doc]
    assert words[:3] == ["소프트웨어", "개발자", "로서"]
    assert doc[2].tag_ == "JKB" and doc[2].pos_ == "ADP"
    assert doc[1].tag_ == "NNG" and doc[1].pos_ == "NOUN"


def test_overlapping_pieces_are_merged(nlp):
    doc = nlp("개발한다")
    assert [t.text for t in doc] == ["개발", "한다"]
    assert doc[1].tag_ == "XSV+EF"


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_cover_text_without_overlap(nlp, text):
    doc = nlp(text)
    assert doc.text == text
    ends = [(t.idx, t.idx + len(t.text)) for t in doc]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))
    for tok in doc:
        assert text[tok.idx : tok.idx + len(tok.text)] == tok.text


def test_merged_spans_never_overlap(nlp):
    from matchers.occupation.nlp import kiwi

    spans = merged_spans(kiwi().tokenize(TEXTS[1] + " 관리한다 했다 된다"))
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_language_is_built_from_config(nlp):
    assert nlp.lang == "ko"
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == TOKENIZER
    assert "ko" in type(nlp).__module__ or nlp.lang == "ko"


def test_doc_round_trip(nlp):
    doc = nlp(TEXTS[1])
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [t.text for t in again] == [t.text for t in doc]
    assert [t.tag_ for t in again] == [t.tag_ for t in doc]
    docs = list(DocBin(docs=[doc], store_user_data=False).get_docs(nlp.vocab))
    assert docs[0].text == TEXTS[1]


def test_content_words(nlp):
    assert content_words(nlp(TEXTS[0])) == ["소프트웨어", "개발자", "웹", "서비스", "개발"]


def test_merged_token_lemma_is_its_first_morpheme(nlp):
    doc = nlp("개발한다")
    assert [t.lemma_ for t in doc] == ["개발", "하"]
    assert content_words(nlp("프로그램을 만든다"), lemmas=True) == ["프로그램", "만들"]
