"""Batched generation shared by both backends: length-sorted batches, order restored, failures isolated.

A batch that fails (CUDA out of memory included) is split in halves and retried, down to single inputs;
an input that still fails gets a result carrying the error instead of taking the whole run down.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.batching import plan_batches

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Generated:
    # the generated text; None when generation failed
    text: str | None
    # True when the model ended the output itself (EOS), False when it stopped at the length limit
    finished: bool = True
    # number of generated tokens (EOS included, padding excluded)
    tokens: int = 0
    # why generation failed; None on success
    error: str | None = None


class Seq2SeqModel(Protocol):
    """What the pipeline needs from a backend (transformers or CTranslate2)."""

    # the most input tokens (special tokens included) the model accepts
    max_input_tokens: int

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input tokens of each text, special tokens included."""
        ...

    def generate_batch(self, texts: Sequence[str]) -> list[Generated]:
        """Generate for one batch; may raise (the caller retries with smaller batches). A multilingual
        translator also takes ``languages=``, each text's source language (ISO 639-1)."""
        ...

    def describe(self) -> dict[str, Any]:
        """Facts for the manifest: model id, revision, commit, backend, device, dtype/compute type."""
        ...


def is_out_of_memory(exc: BaseException) -> bool:
    # torch: "CUDA out of memory"; CTranslate2: "CUDA failed with error out of memory", CUBLAS_STATUS_ALLOC_FAILED
    text = str(exc).lower()
    return "out of memory" in text or "alloc_failed" in text or type(exc).__name__ == "OutOfMemoryError"


def generate_all(
    model: Seq2SeqModel,
    texts: Sequence[str],
    *,
    batch_size: int,
    max_batch_tokens: int | None = None,
    on_batch: Callable[[int], None] | None = None,
    languages: Sequence[str | None] | None = None,
) -> list[Generated]:
    """Generate for every text; results come back in input order. ``languages`` (one per text, for
    multilingual translators only) is passed on to ``generate_batch``."""
    if not texts:
        return []
    lengths = model.count_tokens(texts)
    results: list[Generated | None] = [None] * len(texts)
    for batch in plan_batches(lengths, batch_size=batch_size, max_batch_tokens=max_batch_tokens):
        _run(model, texts, batch, results, languages)
        if on_batch is not None:
            on_batch(len(batch))
    return [r if r is not None else Generated(None, False, 0, "not generated") for r in results]


def _run(model: Seq2SeqModel, texts: Sequence[str], batch: list[int], results: list[Generated | None],
         languages: Sequence[str | None] | None = None) -> None:
    try:
        if languages is None:
            outputs = model.generate_batch([texts[i] for i in batch])
        else:
            outputs = model.generate_batch([texts[i] for i in batch], languages=[languages[i] for i in batch])
    except Exception as exc:  # any failure inside the model is isolated to this batch
        if is_out_of_memory(exc):
            _free_cuda_cache()
        if len(batch) > 1:
            half = len(batch) // 2
            log.warning("generation failed for a batch of %d (%s: %s); retrying in halves",
                        len(batch), type(exc).__name__, exc)
            _run(model, texts, batch[:half], results, languages)
            _run(model, texts, batch[half:], results, languages)
            return
        log.error("generation failed for one input (%s: %s)", type(exc).__name__, exc)
        results[batch[0]] = Generated(None, False, 0, f"{type(exc).__name__}: {exc}")
        return
    for i, out in zip(batch, outputs, strict=False):
        results[i] = out


def _free_cuda_cache() -> None:
    torch = sys.modules.get("torch")  # only a backend that runs on torch has anything to free
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
