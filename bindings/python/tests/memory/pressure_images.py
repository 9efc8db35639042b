"""The pressure corpus, streamed: `pyjamaz-corpus --pressure --stream` renders distinct images of >= 1 MB
(1-6 MP; JPEG, PNG, WebP; photo-like and graphic, some with alpha) in its own process and writes each as a
JSON header line followed by its bytes. The pipe keeps the generator one image ahead, so 10,000 inputs need
neither disk nor memory beyond the current one."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass

from corpus import CORPUS_TOOL, CorpusUnavailable

MAX_IMAGE_BYTES = 256 << 20


@dataclass(frozen=True)
class PressureImage:
    index: int
    format: str
    kind: str
    alpha: bool
    width: int
    height: int
    data: bytes


class PressureStream:
    """Images start..start+count of `seed`, one per `next()`; `close()` stops the generator."""

    def __init__(self, seed: int, count: int, start: int = 0) -> None:
        if not CORPUS_TOOL.is_file():
            raise CorpusUnavailable(f"{CORPUS_TOOL} not found; build it with `scripts/zig build`")
        args = ["--pressure", "--stream", "--seed", str(seed), "--start", str(start), "--count", str(count)]
        # One libvips worker: the generator shares the machine with the probe it feeds.
        env = {**os.environ, "VIPS_CONCURRENCY": "1"}
        self._process = subprocess.Popen([str(CORPUS_TOOL), *args], stdout=subprocess.PIPE, env=env)
        assert self._process.stdout is not None
        self._out = self._process.stdout

    def next(self) -> PressureImage:
        header = self._out.readline(4096)
        if not header.endswith(b"\n"):
            raise CorpusUnavailable(f"the pressure stream ended early (generator exit {self._process.poll()})")
        meta = json.loads(header)
        size = int(meta["bytes"])
        if not 0 < size <= MAX_IMAGE_BYTES:
            raise CorpusUnavailable(f"bad pressure stream header: {header!r}")
        data = self._out.read(size)
        if len(data) != size:
            raise CorpusUnavailable(f"the pressure stream ended inside image {meta['index']}")
        return PressureImage(int(meta["index"]), meta["format"], meta["kind"], bool(meta["alpha"]),
                             int(meta["width"]), int(meta["height"]), data)

    def close(self) -> None:
        self._out.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
