"""Finished translation batches of a very large group, kept in a side file so a kill does not lose them all.

The runner resumes a group at a time; a group holding a giant document (thousands of segments, many minutes of
translation) would be redone from its first segment. For a group with at least ``MIN_SEGMENTS`` segments, each
finished batch of ``generate_all`` is appended (fsynced) to ``<output-stem>.partial/<key>.jsonl``, ``key`` being a
digest of the batch plan's inputs. The batches of a group are planned from its segments alone, so a resumed run
plans the very same batches, reads the finished ones back and generates only the rest: the records stay
byte-identical to an uninterrupted run. The runner removes the side files once their group is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import stat
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from pipeline.fileio.safe import SideFileError, kind_of, open_side_file
from pipeline.models.generation import Generated

log = logging.getLogger(__name__)

# Segments a group must have before its finished batches are kept (about a 15-minute document on a CPU).
MIN_SEGMENTS = 1000




class BatchCheckpoint:
    """The finished batches of one ``generate_all`` call: read back on creation, appended as they finish."""

    def __init__(self, path: Path):
        self.path = path
        self._done: dict[int, tuple[list[int], list[Generated]]] = {}
        if path.exists():
            with open_side_file(path, "rb") as fh:
                for line in fh:
                    if not line.endswith(b"\n"):
                        break  # torn by a kill
                    try:
                        entry = json.loads(line)
                        self._done[entry["batch"]] = (entry["inputs"], [Generated(**o) for o in entry["outputs"]])
                    except (ValueError, KeyError, TypeError):
                        break
        if self._done:
            log.info("resuming a large group: %d finished batches read from %s", len(self._done), path)
        self._fh = open_side_file(path, "ab")

    def get(self, index: int, inputs: Sequence[int]) -> list[Generated] | None:
        """The outputs of batch ``index`` if it finished before (and holds the same inputs)."""
        saved = self._done.get(index)
        return saved[1] if saved is not None and saved[0] == list(inputs) else None

    def put(self, index: int, inputs: Sequence[int], outputs: Sequence[Generated]) -> None:
        line = json.dumps({"batch": index, "inputs": list(inputs), "outputs": [asdict(o) for o in outputs]},
                          ensure_ascii=True)
        self._fh.write(line.encode("ascii") + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()


class Checkpoints:
    """The side files of one output (``partial_folder``)."""

    def __init__(self, folder: Path, *, salt: str = "", min_segments: int = MIN_SEGMENTS):
        self.folder = folder
        # mixed into the keys: the config hash, so a side file never serves another config
        self.salt = salt
        self.min_segments = min_segments

    def open(self, role: str, texts: Sequence[str]) -> BatchCheckpoint | None:
        """A checkpoint for generating ``texts`` with the ``role`` model; None for a group below the size."""
        if len(texts) < self.min_segments:
            return None
        digest = hashlib.blake2b(f"{self.salt}\n{role}\n".encode(), digest_size=16)
        for text in texts:
            digest.update(json.dumps(text, ensure_ascii=True).encode("ascii") + b"\n")
        self._check_folder()
        self.folder.mkdir(parents=True, exist_ok=True)
        return BatchCheckpoint(self.folder / f"{role}-{digest.hexdigest()}.jsonl")

    def _check_folder(self) -> None:
        """The folder is the product's own: a symlink (or a file) in its place is refused, never followed."""
        try:
            mode = os.lstat(self.folder).st_mode
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(mode):
            raise SideFileError(f"{self.folder} is {kind_of(mode)}, not the checkpoint folder the product makes; "
                                f"move it away (or choose another output.path)")

    def clear(self) -> None:
        """Remove every side file (their group is written, or the run starts over)."""
        self._check_folder()
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.folder)
