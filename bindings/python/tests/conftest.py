"""Fixtures of the pyjamaz binding tests: both backends, and images from the seeded corpus."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "memory"))  # corpus.py, shared with the memory probes

import pyjamaz
from corpus import Corpus, CorpusSpec, load_corpus

TEST_CORPUS = CorpusSpec(
    seed=5, count=10, kinds=("photo", "flat", "alpha", "tiny"), max_bytes=200 * 1024, malformed=True
)


@pytest.fixture(params=pyjamaz.BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus(TEST_CORPUS)


@pytest.fixture(scope="session")
def photo(corpus: Corpus) -> bytes:
    return next(image for image in corpus.images if image.kind == "photo").read()
