"""Test images from libpyjamaz's seeded corpus generator (zig-out/bin/pyjamaz-corpus), cached by
their parameters under zig-out/corpus-cache so that repeated probe runs do not regenerate them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
CORPUS_TOOL = REPO_ROOT / "zig-out" / "bin" / "pyjamaz-corpus"
CACHE_ROOT = REPO_ROOT / "zig-out" / "corpus-cache"


class CorpusUnavailable(RuntimeError):
    """The generator is not built or failed; the message says how to get it."""


@dataclass(frozen=True)
class CorpusImage:
    path: Path
    kind: str
    format: str
    width: int
    height: int
    size: int

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class MalformedImage:
    path: Path
    expect: str  # pyjamaz_status name without the PYJAMAZ_ERR_ prefix

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class Corpus:
    directory: Path
    seed: int
    images: tuple[CorpusImage, ...]
    malformed: tuple[MalformedImage, ...]


@dataclass(frozen=True)
class CorpusSpec:
    seed: int = 1
    count: int = 12
    kinds: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    min_bytes: int | None = None
    max_bytes: int | None = None
    malformed: bool = False

    def arguments(self) -> list[str]:
        args = ["--seed", str(self.seed), "--count", str(self.count)]
        if self.kinds:
            args += ["--kinds", ",".join(self.kinds)]
        if self.formats:
            args += ["--formats", ",".join(self.formats)]
        if self.min_bytes is not None:
            args += ["--min-bytes", str(self.min_bytes)]
        if self.max_bytes is not None:
            args += ["--max-bytes", str(self.max_bytes)]
        if self.malformed:
            args.append("--malformed")
        return args


def load_corpus(spec: CorpusSpec) -> Corpus:
    """The corpus for `spec`, generated on first use; the cache key includes the generator binary so
    a rebuilt generator never serves stale images."""
    if not CORPUS_TOOL.is_file():
        raise CorpusUnavailable(f"{CORPUS_TOOL} not found; build it with `scripts/zig build` in {REPO_ROOT}")
    directory = CACHE_ROOT / _cache_key(spec)
    if not (directory / "manifest.json").is_file():
        _generate(spec, directory)
    return _read_manifest(directory)


def _cache_key(spec: CorpusSpec) -> str:
    tool = CORPUS_TOOL.stat()
    text = json.dumps([spec.arguments(), tool.st_size, tool.st_mtime_ns])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _generate(spec: CorpusSpec, directory: Path) -> None:
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="staging-", dir=CACHE_ROOT))
    try:
        completed = subprocess.run(
            [str(CORPUS_TOOL), "--out", str(staging), *spec.arguments()],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if completed.returncode != 0:
            raise CorpusUnavailable(
                f"pyjamaz-corpus {' '.join(spec.arguments())} failed ({completed.returncode}): "
                f"{completed.stderr.strip()[-2000:]}"
            )
        try:
            os.rename(staging, directory)  # atomic: concurrent probes never see a half-written corpus
        except OSError:
            if not (directory / "manifest.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _read_manifest(directory: Path) -> Corpus:
    manifest = json.loads((directory / "manifest.json").read_text())
    images = tuple(
        CorpusImage(
            path=directory / entry["file"],
            kind=entry["kind"],
            format=entry["format"],
            width=int(entry["width"]),
            height=int(entry["height"]),
            size=int(entry["bytes"]),
        )
        for entry in manifest.get("images", [])
    )
    malformed = tuple(
        MalformedImage(path=directory / entry["file"], expect=entry["expect"])
        for entry in manifest.get("malformed", [])
    )
    return Corpus(directory=directory, seed=int(manifest.get("seed", 0)), images=images, malformed=malformed)
