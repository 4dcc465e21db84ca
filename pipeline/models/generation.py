"""Batched generation shared by both backends: length-sorted batches, order restored, failures isolated.

A batch that fails (CUDA out of memory included) is split in halves and retried, down to single inputs;
an input that still fails gets a result carrying the error instead of taking the whole run down. A model
that fails every input the same way is broken, not the inputs: a :class:`FailureWatch` stops the run then
(:class:`ModelBrokenError`), and :func:`check_generates` tries one short input when a model is loaded.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pipeline.models.conventions import Conventions
    from pipeline.models.spec import ModelSpec

from pipeline.batching import plan_batches

log = logging.getLogger(__name__)

# Single-input failures, all alike and with nothing generated before them, that mark a model as broken.
BROKEN_AFTER = 8
# The input of the load-time check, and the most tokens it generates (greedy, no minimum length): enough to
# prove that the model generates with its settings, at a fraction of a second whatever those settings ask.
PROBE_TEXT = "Guten Morgen."
PROBE_NEW_TOKENS = 2


class ModelLoadError(RuntimeError):
    """A model could not be found or loaded; the message says which, where we looked, and how to fix it."""


class ModelBrokenError(ModelLoadError):
    """A model loaded but cannot generate: every input fails the same way. Stops a run (exit status 2)
    instead of turning every document into an error record."""


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
    """What the pipeline uses of a loaded model, whichever backend runs it (transformers or CTranslate2).

    The pipeline (``pipeline.core``) and the model factory call nothing else: a new backend or model kind
    implements exactly this."""

    # the most input tokens (special tokens included) the model accepts
    max_input_tokens: int
    # what the checkpoint's family asks of it (language codes, task prefix), read at load time
    conventions: Conventions

    @property
    def source_languages(self) -> frozenset[str]:
        """Languages (ISO 639-1) a multilingual translator reads from their own; empty for a single-pair model."""
        ...

    def source_code(self, language: str | None) -> str | None:
        """The model's code for ``language`` (None: the default source); None for a single-pair model."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input tokens of each text, special tokens included."""
        ...

    def generate_batch(self, texts: Sequence[str], languages: Sequence[str | None] | None = None
                       ) -> list[Generated]:
        """Generate for one batch; may raise (the caller retries with smaller batches). ``languages``: each
        text's source language (ISO 639-1) for a multilingual translator; None = the default source."""
        ...

    def capped(self, max_new_tokens: int) -> Seq2SeqModel:
        """A copy sharing the loaded model and everything its load set up (dtype, attention, speed-ups,
        language codes, prefix, forced tokens) that decodes greedily, at most ``max_new_tokens`` new tokens
        with no minimum length: what the load-time check (:func:`check_generates`) runs."""
        ...

    def reconfigured(self, spec: ModelSpec, *, seed: int) -> Seq2SeqModel | None:
        """A copy sharing the loaded weights, set up for ``spec`` and ``seed``; None when the change needs
        loading the model again."""
        ...

    def describe(self) -> dict[str, Any]:
        """Facts for the manifest: model id, revision, commit, backend, device, dtype/compute type."""
        ...


def is_out_of_memory(exc: BaseException) -> bool:
    # torch: "CUDA out of memory"; CTranslate2: "CUDA failed with error out of memory", CUBLAS_STATUS_ALLOC_FAILED
    text = str(exc).lower()
    return "out of memory" in text or "alloc_failed" in text or type(exc).__name__ == "OutOfMemoryError"


class FailureWatch:
    """Tells a broken model from bad inputs. While nothing the model generated has succeeded and all its
    failures are alike (exception type and message), it raises :class:`ModelBrokenError` on the ``limit``-th
    single-input failure, or at the end of a :func:`generate_all` call in which every input (two or more in
    all) failed. Any success, or a different failure, disarms it for good: from then on failures are the
    inputs' and become error results."""

    def __init__(self, name: str, limit: int = BROKEN_AFTER):
        self.name = name
        self.limit = limit
        self.armed = True
        self.failure: str | None = None
        self.count = 0

    def succeeded(self) -> None:
        self.armed = False

    def failed(self, exc: BaseException) -> None:
        if not self.armed:
            return
        failure = f"{type(exc).__name__}: {exc}"
        if self.failure is not None and failure != self.failure:
            self.armed = False
            return
        self.failure, self.count = failure, self.count + 1
        if self.count >= self.limit:
            raise self._error() from exc

    def call_done(self) -> None:
        """End of a generate_all call: armed here means all of its inputs failed alike."""
        if self.armed and self.count >= 2:
            raise self._error()

    def _error(self) -> ModelBrokenError:
        return ModelBrokenError(
            f"the {self.name} failed on each of the {self.count} inputs it was given, always with {self.failure}; "
            f"nothing was generated, so the run stops (no records written for this group of documents). Check "
            f"the model and the installed library versions (README: Dependencies)")


def check_generates(model: Seq2SeqModel, name: str) -> None:
    """One short input through ``model`` at load time, greedy and capped at :data:`PROBE_NEW_TOKENS` new tokens
    (``model.capped``): a model that loads but cannot generate stops here, at a cost that does not grow with its
    generation settings (beams, minimum length)."""
    try:
        model.capped(PROBE_NEW_TOKENS).generate_batch([PROBE_TEXT])
    except Exception as exc:
        raise ModelBrokenError(f"the {name} loaded but cannot generate: on the test input {PROBE_TEXT!r} it "
                               f"failed with {type(exc).__name__}: {exc}") from exc


def generate_all(
    model: Seq2SeqModel,
    texts: Sequence[str],
    *,
    batch_size: int,
    max_batch_tokens: int | None = None,
    on_batch: Callable[[int], None] | None = None,
    checkpoint: Any = None,
    watch: FailureWatch | None = None,
    languages: Sequence[str | None] | None = None,
) -> list[Generated]:
    """Generate for every text; results come back in input order. ``checkpoint`` (a
    :class:`~pipeline.runner.checkpoint.BatchCheckpoint`) supplies batches finished before and keeps new ones. With
    ``watch``, a model that fails every input the same way raises :class:`ModelBrokenError` instead.
    ``languages`` (one per text, for multilingual translators only) is passed on to ``generate_batch``."""
    if not texts:
        return []
    lengths = model.count_tokens(texts)
    results: list[Generated | None] = [None] * len(texts)
    for index, batch in enumerate(plan_batches(lengths, batch_size=batch_size, max_batch_tokens=max_batch_tokens)):
        saved = checkpoint.get(index, batch) if checkpoint is not None else None
        if saved is not None:
            for i, out in zip(batch, saved, strict=True):
                results[i] = out
        else:
            _run(model, texts, batch, results, watch, languages)
            if checkpoint is not None:
                checkpoint.put(index, batch, [results[i] or Generated(None, False, 0, "not generated") for i in batch])
        if on_batch is not None:
            on_batch(len(batch))
    if watch is not None:
        watch.call_done()
    return [r if r is not None else Generated(None, False, 0, "not generated") for r in results]


def _run(model: Seq2SeqModel, texts: Sequence[str], batch: list[int], results: list[Generated | None],
         watch: FailureWatch | None, languages: Sequence[str | None] | None = None) -> None:
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
            _run(model, texts, batch[:half], results, watch, languages)
            _run(model, texts, batch[half:], results, watch, languages)
            return
        if watch is not None:
            watch.failed(exc)
        log.error("generation failed for one input (%s: %s)", type(exc).__name__, exc)
        results[batch[0]] = Generated(None, False, 0, f"{type(exc).__name__}: {exc}")
        return
    if watch is not None:
        watch.succeeded()
    for i, out in zip(batch, outputs, strict=False):
        results[i] = out


def _free_cuda_cache() -> None:
    torch = sys.modules.get("torch")  # only a backend that runs on torch has anything to free
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
