"""The gate in front of the generate speed-ups (``pipeline.models.hf.beams``, ``pipeline.models.hf.processors``).

Both speed-ups reach into private parts of transformers' ``generate``, which change between releases. They
are applied to a model only where they are known to give stock transformers' tokens:

* every private hook they use must exist with a signature seen in the tested versions (:func:`hook_problems`,
  with ``inspect``); a hook that is missing or changed switches that speed-up off;
* with a transformers outside ``TESTED_TRANSFORMERS``, one short padded batch is generated with the
  speed-ups and with stock ``generate`` (:func:`self_check`); different tokens, or an exception, switch
  them off.

Switched off, stock ``generate`` runs, one warning says why, and the model's ``describe()`` (so the
manifest) records which path ran: ``beam_search`` ``"shared-source"``, ``"self-attention-reorder"`` or
``"stock"``, ``logits_bans`` ``"in-place"`` or ``"stock"``, and ``speedups`` the reason. The environment
variable ``DE_EN_STOCK_GENERATE=1`` switches them off outright.

Why the bans are not passed through the public ``generate(logits_processor=...)``: transformers appends
user processors after its own, so a minimum-length ban would run after ``ForcedEOSTokenLogitsProcessor``
and undo the forced EOS at the length limit (stock: the EOS wins); the tokens would differ.
"""

from __future__ import annotations

import copy
import inspect
import logging
import os
from dataclasses import dataclass
from typing import Any

from pipeline.models.hf import beams, processors

log = logging.getLogger(__name__)

# transformers versions whose tokens with the speed-ups CI compares against stock generate (the newest job):
# from the first up to but not including the second. Outside it the self-check decides: CI's lowest job
# (5.0.0, where Marian's and BART's cross-attention still assume one source row per beam) takes that path.
TESTED_TRANSFORMERS = ("5.24", "5.25")
# parameters of the private hooks, as in the tested versions (a staticmethod's have no 'self')
_EXPAND = ("expand_size", "is_encoder_decoder", "input_ids", "**model_kwargs")
KNOWN_SIGNATURES = {
    "_expand_inputs_for_generation": {_EXPAND, ("self", *_EXPAND)},
    "_get_logits_processor": {("self", "generation_config", "input_ids_seq_length", "encoder_input_ids",
                               "prefix_allowed_tokens_fn", "logits_processor", "device", "model_kwargs",
                               "negative_prompt_ids", "negative_prompt_attention_mask")},
}
# self-check input: two lengths, so that the batch is padded
CHECK_TEXTS = ("Der Umsatz stieg im dritten Quartal um 7,25 Prozent auf 15.000 Euro.", "Guten Morgen.")
# its work is capped (issue 20: a load costs a fraction of a second whatever the model's settings): a few new
# tokens, and beam search (what the beam speed-ups change) with at most two beams
CHECK_NEW_TOKENS = 4
CHECK_BEAMS = 2
# set to 1, every model runs stock generate (to compare, or if the gate ever misjudges a version)
STOCK_ENV = "DE_EN_STOCK_GENERATE"

_warned: set[str] = set()


@dataclass(frozen=True)
class Speedups:
    """Which generate path a model runs (for describe() and the manifest)."""

    beam_search: str  # 'shared-source', 'self-attention-reorder' or 'stock'
    logits_bans: str  # 'in-place' or 'stock'
    reason: str  # why: the tested version, the self-check, or what switched them off


def parameters(function: Any) -> tuple[str, ...]:
    """Parameter names, with ``*``/``**`` marking variadic ones."""
    marks = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return tuple(marks.get(p.kind, "") + name for name, p in inspect.signature(function).parameters.items())


def hook_problems(model_class: type) -> dict[str, list[str]]:
    """What keeps each speed-up ('reorder', 'shared_source', 'bans') from ``model_class``; empty = usable."""
    problems: dict[str, list[str]] = {"reorder": [], "shared_source": [], "bans": []}

    def check(part: str, what: str, test: Any) -> None:
        try:
            ok = test()
        except Exception as exc:  # a missing module, class or attribute
            problems[part].append(f"{what}: {type(exc).__name__}: {exc}")
            return
        if not ok:
            problems[part].append(what)

    for name, part in (("_expand_inputs_for_generation", "shared_source"), ("_get_logits_processor", "bans")):
        check(part, f"{name} has a signature not seen in the tested versions",
              lambda name=name: parameters(inspect.getattr_static(model_class, name).__get__(None, model_class))
              in KNOWN_SIGNATURES[name])
    check("reorder", "beam search no longer consults model._reorder_cache", _beam_search_consults_reorder_cache)
    check("reorder", "EncoderDecoderCache lacks self_attention_cache / reorder_cache", _cache_has_two_halves)
    check("shared_source", "the attention hooks (AttentionInterface, sdpa_attention_forward, sdpa_mask) changed",
          _attention_hooks)
    check("bans", "the stock ban processors' attributes changed", _processor_attributes)
    return problems


def _beam_search_consults_reorder_cache() -> bool:
    from transformers.generation.utils import GenerationMixin

    return "self._reorder_cache(" in inspect.getsource(GenerationMixin._beam_search)


def _cache_has_two_halves() -> bool:
    from transformers.cache_utils import DynamicCache, EncoderDecoderCache

    halves = DynamicCache(), DynamicCache()
    cache = EncoderDecoderCache(*halves)
    return (cache.self_attention_cache is halves[0] and cache.cross_attention_cache is halves[1]
            and callable(cache.reorder_cache) and callable(halves[0].reorder_cache))


def _attention_hooks() -> bool:
    from transformers import AttentionInterface, AttentionMaskInterface, PreTrainedModel
    from transformers.integrations.sdpa_attention import sdpa_attention_forward
    from transformers.masking_utils import sdpa_mask

    return (parameters(sdpa_attention_forward)[:5] == ("module", "query", "key", "value", "attention_mask")
            and callable(sdpa_mask) and callable(AttentionInterface.register)
            and callable(AttentionMaskInterface.register) and callable(PreTrainedModel.set_attn_implementation))


def _processor_attributes() -> bool:
    import math

    import torch
    from transformers.generation.logits_process import (
        MinLengthLogitsProcessor,
        MinNewTokensLengthLogitsProcessor,
        NoBadWordsLogitsProcessor,
    )

    bad = NoBadWordsLogitsProcessor([[3], [2]], eos_token_id=2)
    short = MinLengthLogitsProcessor(5, eos_token_id=2)
    new = MinNewTokensLengthLogitsProcessor(1, 4, eos_token_id=2)
    return (bad.sequence_bias == {(3,): -math.inf} and short.min_length == 5
            and isinstance(short.eos_token_id, torch.Tensor) and short.eos_token_id.tolist() == [2]
            and new.prompt_length_to_skip == 1 and new.min_new_tokens == 4
            and new.eos_token_id.tolist() == [2])


def in_tested_range() -> bool:
    import transformers
    from packaging.version import Version

    low, high = (Version(v) for v in TESTED_TRANSFORMERS)
    return low <= Version(transformers.__version__) < high


def apply_speedups(model: Any, tokenizer: Any, generation_config: Any) -> Speedups:
    """Apply what the gate allows to ``model`` (already on its device); see the module docstring."""
    import transformers

    version = transformers.__version__
    if os.environ.get(STOCK_ENV) == "1":
        return Speedups("stock", "stock", f"switched off by {STOCK_ENV}=1")
    problems = hook_problems(type(model))
    attention = getattr(model.config, "_attn_implementation", None)
    off = [problem for found in problems.values() for problem in found]
    shared = not problems["shared_source"]
    low, high = TESTED_TRANSFORMERS
    reason = f"transformers {version} is in the tested range {low} to before {high}"
    while True:
        beam = "stock" if problems["reorder"] else beams.share_source_across_beams(model, shared_source=shared)
        bans = "stock"
        if not problems["bans"]:
            processors.lean_logits_processors(model)
            bans = "in-place"
        if (beam, bans) == ("stock", "stock") or in_tested_range():
            break
        mismatch = self_check(model, tokenizer, generation_config)
        if mismatch is None:
            reason = f"transformers {version} is outside the tested range; the self-check gave stock tokens"
            break
        remove_speedups(model, attention)
        off.append(f"transformers {version} is outside the tested range, and with beam search {beam!r} and "
                   f"logits bans {bans!r} the self-check failed: {mismatch[:300]}")
        if beam != "shared-source":
            beam, bans = "stock", "stock"
            break
        shared = False  # again without the shared source
    if off:
        reason = "; ".join(off)
        _warn_once(f"generate speed-ups partly or wholly off (stock transformers generate runs in their place): "
                   f"{reason}")
    return Speedups(beam, bans, reason)


def remove_speedups(model: Any, attention: str | None) -> None:
    """Back to stock ``generate`` on ``model``."""
    for name in ("_reorder_cache", "_expand_inputs_for_generation", "_get_logits_processor"):
        model.__dict__.pop(name, None)
    if attention is not None and getattr(model.config, "_attn_implementation", None) != attention:
        model.set_attn_implementation(attention)


def self_check(model: Any, tokenizer: Any, generation_config: Any) -> str | None:
    """None when the patched ``model`` generates stock tokens on a short padded batch, else what differed."""
    import torch

    gen = copy.deepcopy(generation_config)
    gen.max_new_tokens = CHECK_NEW_TOKENS
    gen.max_length = None
    gen.num_beams = min(gen.num_beams or 1, CHECK_BEAMS)
    gen.num_return_sequences = None
    # keep the minimum-length bans in play, but meeting the forced EOS at the limit, as pinned lengths do
    gen.min_length = min(gen.min_length or 0, CHECK_NEW_TOKENS)
    if gen.min_new_tokens:
        gen.min_new_tokens = min(gen.min_new_tokens, CHECK_NEW_TOKENS)
    device = next(model.parameters()).device
    enc = tokenizer(list(CHECK_TEXTS), return_tensors="pt", padding=True).to(device)
    patched = dict(model.__dict__)
    attention = getattr(model.config, "_attn_implementation", None)

    def run() -> Any:
        torch.manual_seed(0)
        with torch.inference_mode():
            return model.generate(**enc, generation_config=gen)

    try:
        ours = run()
    except Exception as exc:
        return f"the patched generate raised {type(exc).__name__}: {exc}"
    remove_speedups(model, "sdpa" if attention == beams.ATTENTION else attention)
    try:
        stock = run()
    finally:  # the caller decides; restore the patched state
        model.__dict__.update({k: v for k, v in patched.items() if k not in model.__dict__})
        if attention is not None and model.config._attn_implementation != attention:
            model.set_attn_implementation(attention)
    if ours.shape != stock.shape or not torch.equal(ours, stock):
        log.debug("self-check: tokens %s where stock generate gives %s", ours.tolist(), stock.tolist())
        return "other tokens than stock generate"
    return None


def _warn_once(message: str) -> None:
    """The first such message of the process is a warning; later ones (another model) are info."""
    if message not in _warned:
        log.log(logging.INFO if _warned else logging.WARNING, "%s", message)
        _warned.add(message)
