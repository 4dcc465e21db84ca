"""Measure how throughput scales with Ray actors, against the local engine, on the same documents.

Usage::

    python scripts/make_tiny_models.py models/real --real-shapes     # full-size random-weight models, once
    python scripts/scale_ray.py [--models models/real] [--docs N] [--repeat 2] [--group-size 1]
                                [--new-tokens 16] [--beams 1] [--setups 0,1,2,3]

Each setup runs the seed documents (``--repeat`` copies of each) through an engine's ``map_groups``, as the
runner does, and is timed from the first group handed over to the last record back; loading the models and
starting the actors are timed apart ("startup"). Decode lengths are pinned (``min_new_tokens`` =
``max_new_tokens``, greedy by default) so that random weights do the same work in every setup. The setups are the local
engine with 1 and 2 torch threads, and Ray with 1 and 2 actors of 1 CPU and 1 thread each. The records of
all setups must be identical; the script says whether they are.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.batching import groups_of  # noqa: E402
from pipeline.config import Config, load_config  # noqa: E402
from pipeline.inputs.sources import iter_documents
from pipeline.results import Document  # noqa: E402
from pipeline.runner.job import make_engine

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Setup:
    # label printed in the table
    name: str
    # 'local' or 'ray'
    engine: str
    # torch threads per engine process (local) or per actor (ray)
    threads: int
    # Ray actors (ignored by the local engine)
    actors: int = 1


SETUPS = (
    Setup("local, 1 thread", "local", 1),
    Setup("local, 2 threads", "local", 2),
    Setup("ray, 1 actor", "ray", 1, 1),
    Setup("ray, 2 actors", "ray", 1, 2),
)


def make_config(setup: Setup, args: argparse.Namespace) -> Config:
    """The benchmark config for one setup: same models, documents and decoding for all."""
    tokens = {"min_new_tokens": args.new_tokens, "max_new_tokens": args.new_tokens, "num_beams": args.beams}
    # distilbart's beam-only settings, switched off for greedy decoding (transformers refuses them otherwise)
    greedy = {"early_stopping": False, "length_penalty": 1.0} if args.beams == 1 else {}
    return load_config({
        "input": {"path": str(ROOT / "seeds")},
        "output": {"path": "unused.jsonl"},
        "translation": {"model": str(Path(args.models) / "marian"), "generation": tokens},
        "summarization": {"model": str(Path(args.models) / "bart"),
                          "generation": {"min_length": 0, **tokens, **greedy}},
        "runtime": {"device": "cpu", "threads": setup.threads, "group_size": args.group_size,
                    "batch_size": args.batch_size, "progress": False, "engine": setup.engine},
        "ray": {"num_actors": setup.actors, "num_cpus": 1},
    })


def measure(setup: Setup, documents: list[Document], args: argparse.Namespace) -> dict[str, Any]:
    """Start the engine, then time its processing of all documents."""
    config = make_config(setup, args)
    started = time.perf_counter()
    engine = make_engine(config)
    startup = time.perf_counter() - started
    try:
        started = time.perf_counter()
        records = [r for group in engine.map_groups(groups_of(documents, config.runtime.group_size)) for r in group]
        seconds = time.perf_counter() - started
    finally:
        engine.close()
    assert [r["id"] for r in records] == [d.id for d in documents]
    return {"setup": setup, "startup": startup, "seconds": seconds, "docs_per_s": len(documents) / seconds,
            "records": json.dumps(records, ensure_ascii=False)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="models/real", help="folder with marian/ and bart/ (default: models/real)")
    parser.add_argument("--repeat", type=int, default=2, help="copies of each seed document (default: 2)")
    parser.add_argument("--docs", type=int, default=None, help="use only the first N seed documents")
    parser.add_argument("--group-size", type=int, default=1, help="runtime.group_size (default: 1)")
    parser.add_argument("--batch-size", type=int, default=16, help="runtime.batch_size (default: 16)")
    parser.add_argument("--new-tokens", type=int, default=16, help="pinned decode length (default: 16)")
    parser.add_argument("--beams", type=int, default=1, help="num_beams of both models (default: 1, greedy)")
    parser.add_argument("--setups", default=",".join(str(i) for i in range(len(SETUPS))),
                        help="comma-separated indexes into: " + "; ".join(f"{i}={s.name}" for i, s in
                                                                         enumerate(SETUPS)))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("transformers", "huggingface_hub"):
        logging.getLogger(name).setLevel(logging.ERROR)

    seeds = list(iter_documents(make_config(SETUPS[0], args).input))[: args.docs]
    documents = [Document(f"{i}_{d.id}", d.text, d.error, d.warnings) for i in range(args.repeat) for d in seeds]
    setups = [SETUPS[int(i)] for i in args.setups.split(",")]
    if any(s.engine == "ray" for s in setups):
        import ray

        # one local Ray for all Ray setups (the engine reuses it), so its start is not timed
        ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=False, log_to_driver=False)
    print(f"{len(documents)} documents ({len(seeds)} seeds x {args.repeat}), group_size {args.group_size}, "
          f"{args.new_tokens} new tokens per output, {args.beams} beam(s), {os.cpu_count()} CPUs; "
          f"models: {args.models}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = []
    for setup in setups:
        result = measure(setup, documents, args)
        results.append(result)
        print(f"  {setup.name}: {result['seconds']:.1f} s (startup {result['startup']:.1f} s)", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    base = next((r for r in results if r["setup"].engine == "ray" and r["setup"].actors == 1), results[0])
    print()
    print(f"| setup | startup s | run s | documents/s | ratio to {base['setup'].name} |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['setup'].name} | {r['startup']:.1f} | {r['seconds']:.1f} | {r['docs_per_s']:.3f} | "
              f"{r['docs_per_s'] / base['docs_per_s']:.2f} |")
    same = len({r["records"] for r in results}) == 1
    print(f"\nrecords identical across setups: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
