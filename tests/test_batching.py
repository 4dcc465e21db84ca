"""Token-budget batching (pure): every item once, budgets kept, longest first, deterministic."""

from __future__ import annotations

import random

import pytest

from pipeline.batching import plan_batches
from pipeline.models.generation import Generated, generate_all, is_out_of_memory


def _check(lengths: list[int], batches: list[list[int]], batch_size: int, max_batch_tokens: int | None) -> None:
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))  # every item exactly once
    for batch in batches:
        assert 1 <= len(batch) <= batch_size
        padded = max(lengths[i] for i in batch) * len(batch)
        if max_batch_tokens is not None and padded > max_batch_tokens:
            assert len(batch) == 1  # only a single over-long item may exceed the budget


CASES = [
    ([], 4, None),
    ([5], 4, None),
    ([5], 4, 3),
    ([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], 4, None),
    ([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], 4, 12),
    ([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], 100, 10),
    ([10, 10, 10, 10], 8, 25),
    ([50, 2, 2, 2, 2], 8, 10),
    ([7] * 20, 3, 1000),
    ([1] * 9, 1, None),
]


@pytest.mark.parametrize(("lengths", "batch_size", "max_batch_tokens"), CASES)
def test_budgets_are_kept_and_every_item_is_planned_once(lengths, batch_size, max_batch_tokens):
    _check(lengths, plan_batches(lengths, batch_size=batch_size, max_batch_tokens=max_batch_tokens),
           batch_size, max_batch_tokens)


def test_random_plans_keep_the_budgets():
    rng = random.Random(0)
    for _ in range(300):
        lengths = [rng.randint(1, 120) for _ in range(rng.randint(0, 60))]
        batch_size = rng.randint(1, 16)
        budget = rng.choice([None, rng.randint(1, 600)])
        _check(lengths, plan_batches(lengths, batch_size=batch_size, max_batch_tokens=budget), batch_size, budget)


def test_longest_first_and_ties_in_input_order():
    lengths = [3, 9, 3, 1, 9, 5]
    batches = plan_batches(lengths, batch_size=2)
    assert batches == [[1, 4], [5, 0], [2, 3]]
    flat = [i for b in batches for i in b]
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)


def test_token_budget_cuts_batches_by_padded_size():
    # rows x longest row: 3 x 10 = 30 > 25, so the fourth 10-token item opens a new batch after two rows
    assert plan_batches([10, 10, 10, 10], batch_size=8, max_batch_tokens=25) == [[0, 1], [2, 3]]
    # the over-long item goes alone; the short ones are packed under the budget
    assert plan_batches([50, 2, 2, 2, 2, 2, 2], batch_size=8, max_batch_tokens=10) == [[0], [1, 2, 3, 4, 5], [6]]


def test_plan_is_deterministic():
    rng = random.Random(1)
    lengths = [rng.randint(1, 50) for _ in range(200)]
    first = plan_batches(lengths, batch_size=7, max_batch_tokens=120)
    assert all(plan_batches(list(lengths), batch_size=7, max_batch_tokens=120) == first for _ in range(5))


def test_batch_size_below_one_is_refused():
    with pytest.raises(ValueError, match="batch_size"):
        plan_batches([1, 2], batch_size=0)


class _Echo:
    """A fake model: output = input reversed; records the batches it was given."""

    max_input_tokens = 1000

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def count_tokens(self, texts):
        return [len(t.split()) + 1 for t in texts]

    def generate_batch(self, texts):
        self.calls.append(list(texts))
        return [Generated(t[::-1], True, len(t)) for t in texts]

    def describe(self):
        return {}


def test_generate_all_restores_order_and_honours_the_token_budget():
    rng = random.Random(2)
    texts = [" ".join("w" * rng.randint(1, 5) for _ in range(rng.randint(1, 30))) for _ in range(50)]
    model = _Echo()
    out = generate_all(model, texts, batch_size=8, max_batch_tokens=64)
    assert [o.text for o in out] == [t[::-1] for t in texts]
    for call in model.calls:
        counts = model.count_tokens(call)
        assert len(call) <= 8
        assert len(call) == 1 or max(counts) * len(call) <= 64
    assert [max(model.count_tokens(c)) for c in model.calls] == sorted(
        (max(model.count_tokens(c)) for c in model.calls), reverse=True)


@pytest.mark.parametrize("message", [
    "CUDA out of memory. Tried to allocate 2.00 GiB",  # torch
    "CUDA failed with error out of memory",  # CTranslate2
    "cuBLAS failed with status CUBLAS_STATUS_ALLOC_FAILED",  # CTranslate2 (cuBLAS workspace)
])
def test_out_of_memory_messages_of_both_backends_are_recognized(message):
    assert is_out_of_memory(RuntimeError(message))


def test_other_errors_are_not_out_of_memory():
    assert not is_out_of_memory(RuntimeError("shape mismatch"))
