"""The Hugging Face hub: whether it can be reached, and where a checkpoint came from (provenance).

Standard library only at import time; ``huggingface_hub`` is imported when a function needs it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

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


def model_provenance(name: str, revision: str | None) -> dict[str, Any]:
    """Where the checkpoint came from: the resolved hub commit, or the local folder with a config digest."""
    path = Path(name)
    if path.is_dir():
        digest = hashlib.sha256()
        for file in sorted(path.iterdir()):
            if file.is_file() and file.suffix in {".json", ".txt", ".spm", ".model"}:
                digest.update(file.name.encode() + file.read_bytes())
        return {"model": name, "local_path": str(path.resolve()), "files_sha256": digest.hexdigest()}
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(name, "config.json", revision=revision)
    commit = None
    if isinstance(cached, str):
        match = re.search(r"snapshots[\\/]([0-9a-f]{40})[\\/]", cached)
        commit = match.group(1) if match else None
    return {"model": name, "revision": revision, "commit": commit}
