"""In-place versions of the stock logits processors that copy the whole vocabulary at every step.

At every decoding step ``generate`` passes the scores of all ``batch x beams`` rows (opus-mt: 58,101 columns)
through its logits processors. Some stock processors build a full-size copy to change a handful of columns:
``NoBadWordsLogitsProcessor`` (opus-mt bans its pad token) allocates a zero bias, adds the banned columns
and adds the bias to the scores (three passes); ``MinLengthLogitsProcessor`` (distilbart: 56) and
``MinNewTokensLengthLogitsProcessor`` clone the scores at every step, even past the minimum. With 64
sentences x 4 beams that is 60 MB per pass, outside the CPU caches, several times per step.

``lean_logits_processors(model)`` makes ``generate`` build its usual processor list and then swaps each of
those processors, at the same position, for one that writes ``-inf`` into the banned columns of the scores
it is given. Each step's scores reach the processors as a fresh tensor (the log-softmax in beam search, a
copy of the logits in greedy search), so changing them in place changes nothing else; and a ban is the
same ``-inf`` whether it is added or written. A test checks the tokens against stock ``generate``.
"""

from __future__ import annotations

import functools
import math
from typing import Any


class SuppressColumns:
    """Scores of ``columns`` become -inf; with ``until_length``, only while the sequence is shorter."""

    def __init__(self, columns: list[int], *, until_length: int | None = None):
        self.columns = columns
        self.until_length = until_length

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self.until_length is None or input_ids.shape[-1] < self.until_length:
            scores[:, self.columns] = -math.inf
        return scores


def lean_replacement(processor: Any) -> Any:
    """The in-place equivalent of ``processor``, or ``processor`` itself where there is none."""
    from transformers.generation.logits_process import (
        MinLengthLogitsProcessor,
        MinNewTokensLengthLogitsProcessor,
        NoBadWordsLogitsProcessor,
    )

    kind = type(processor)
    if kind is NoBadWordsLogitsProcessor:
        banned = processor.sequence_bias  # {token ids: bias}, eos already removed by the processor
        if all(len(ids) == 1 and bias == -math.inf for ids, bias in banned.items()):
            return SuppressColumns(sorted(ids[0] for ids in banned))
    elif kind is MinLengthLogitsProcessor:
        return SuppressColumns(processor.eos_token_id.tolist(), until_length=processor.min_length)
    elif kind is MinNewTokensLengthLogitsProcessor:
        until = processor.prompt_length_to_skip + processor.min_new_tokens
        return SuppressColumns(processor.eos_token_id.tolist(), until_length=until)
    return processor


def _lean_get_logits_processor(stock: Any, *args: Any, **kwargs: Any) -> Any:
    from transformers import LogitsProcessorList

    return LogitsProcessorList(lean_replacement(processor) for processor in stock(*args, **kwargs))


def lean_logits_processors(model: Any) -> None:
    """Let ``model.generate`` use the in-place processors (see the module docstring; ``pipeline.models.hf.speedups``
    decides whether the hook can be trusted)."""
    model._get_logits_processor = functools.partial(_lean_get_logits_processor, model._get_logits_processor)
