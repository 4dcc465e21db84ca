"""The Hugging Face hub: whether it can be reached, and where a checkpoint came from (provenance).

Standard library only at import time; ``huggingface_hub`` is imported when a function needs it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from pipeline.fileio.atomic import write_json_atomic
from pipeline.fileio.safe import read_side

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def hub_reachable() -> bool:
    """One quick probe of the hub (no retries): unreachable means cache-only loading, at once, instead of
    huggingface_hub's minute of retries per file before it falls back to the cache."""
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return False
    try:
        urllib.request.urlopen(constants.ENDPOINT, timeout=5).close()
    except urllib.error.HTTPError:
        return True  # it answered
    except (OSError, ValueError):
        log.warning("the Hugging Face hub (%s) cannot be reached; loading models from the local cache only",
                    constants.ENDPOINT)
        return False
    return True


def model_provenance(name: str, revision: str | None, *, cache_dir: str | None = None) -> dict[str, Any]:
    """Where the checkpoint came from: the resolved hub commit, or the local folder with a digest of its config
    files (``files_sha256``) and of all its files, weights and tokenizer included (``weights_sha256``; cached by
    size and modification time in ``digests.json`` under ``cache_dir`` so that a resume does not re-hash)."""
    path = Path(name)
    if path.is_dir():
        digest = hashlib.sha256()
        for file in sorted(path.iterdir()):
            if file.is_file() and file.suffix in {".json", ".txt", ".spm", ".model"}:
                digest.update(file.name.encode() + file.read_bytes())
        return {"model": name, "local_path": str(path.resolve()), "files_sha256": digest.hexdigest(),
                "weights_sha256": folder_digest(path, cache_dir)}
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(name, "config.json", revision=revision)
    commit = None
    if isinstance(cached, str):
        match = re.search(r"snapshots[\\/]([0-9a-f]{40})[\\/]", cached)
        commit = match.group(1) if match else None
    return {"model": name, "revision": revision, "commit": commit}


# files of a checkpoint folder that never decide its outputs
_NOT_MODEL = {"README.md", ".gitattributes"}
# name of the digest cache under the cache folder
DIGEST_CACHE = "digests.json"


# where converted models and weight digests go when runtime.cache_dir is not set (defined once)
DEFAULT_CACHE = Path("~/.cache/de-en-summarize")


def default_cache_dir() -> Path:
    """:data:`DEFAULT_CACHE`, expanded: converted models and digests, when ``runtime.cache_dir`` is not set."""
    return DEFAULT_CACHE.expanduser()


def folder_digest(folder: Path, cache_dir: str | None = None) -> str:
    """SHA-256 over the names and contents of a checkpoint folder's files (weights, tokenizer, configs). Each
    file's digest is cached by (resolved path, size, mtime_ns): a changed file is hashed again, an unchanged one
    is not (a resume of a run on a 2 GB model costs a stat per file)."""
    cache_path = Path(cache_dir) if cache_dir else default_cache_dir()
    cache_path = cache_path / DIGEST_CACHE
    cache = _read_cache(cache_path)
    changed = False
    total = hashlib.sha256()
    for file in sorted(folder.iterdir()):
        if not file.is_file() or file.name in _NOT_MODEL or file.name.startswith("."):
            continue
        info = file.stat()
        key = str(file.resolve())
        entry = cache.get(key)
        if not (isinstance(entry, dict) and entry.get("size") == info.st_size
                and entry.get("mtime_ns") == info.st_mtime_ns and isinstance(entry.get("sha256"), str)):
            entry = {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": _file_sha256(file)}
            cache[key] = entry
            changed = True
        total.update(f"{file.name}\n{entry['sha256']}\n".encode("utf-8", "surrogateescape"))
    if changed:
        try:
            write_json_atomic(cache_path, cache)
        except OSError as exc:  # a read-only cache costs time, not correctness
            log.debug("cannot write the digest cache %s: %s", cache_path, exc)
    return total.hexdigest()


def _file_sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_side(path) or b"{}")
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}
