"""How long ``summarize()`` takes with the default config: the first call (loading, and converting both models
for CTranslate2), a later call in the same process, and the first call of a new process (converted copies reused).

Models: the real-shape random stand-ins of ``scripts/benchmark.py`` (opus-mt-de-en, distilbart-cnn-12-6), with
the benchmark's pinned lengths (32 tokens per translated sentence, 64 per summary: random weights never end an
output themselves, and would run to the checkpoints' limits of 512 and 142 tokens); the document is the first
seed, cut to its first three sentences. The conversion goes into a fresh temporary folder
(``runtime.cache_dir``), so the first call always converts; its log lines are printed.

Usage::

    python scripts/first_call.py                       # stand-ins under ~/.cache/de-en-summarize/models
    python scripts/first_call.py --cache /tmp/bench     # the same folder as benchmark.py --cache
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _calls(config: dict, text: str, calls: int) -> list[float]:
    """Seconds of each of ``calls`` summarize() calls on ``text`` in this process (imports counted in the first)."""
    started = time.perf_counter()
    from pipeline import summarize

    seconds = []
    for _ in range(calls):
        result = summarize(text, config=config, progress=False)
        if result.status != "ok":
            raise RuntimeError(f"summarize() failed: {result.error}")
        seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default="~/.cache/de-en-summarize", help="folder of the stand-in models")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:  # one process: config and call count as JSON
        import logging

        logging.basicConfig(level=logging.INFO, format="    %(message)s")
        job = json.loads(args.worker)
        print(json.dumps(_calls(job["config"], job["text"], job["calls"])))
        return 0

    from pipeline.text.sentences import split_sentences
    from scripts.benchmark import prepare_models

    marian, bart = prepare_models(Path(args.cache).expanduser())
    first = sorted((ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    text = " ".join(split_sentences(first)[:3])
    with tempfile.TemporaryDirectory(prefix="first-call-") as converted:
        config = {"translation": {"model": str(marian), "generation": {"max_new_tokens": 32, "min_new_tokens": 32}},
                  "summarization": {"model": str(bart), "generation": {"max_new_tokens": 64, "min_new_tokens": 64,
                                                                       "min_length": 0}},
                  "runtime": {"device": "cpu", "cache_dir": converted}}

        def process(calls: int) -> list[float]:
            job = json.dumps({"config": config, "text": text, "calls": calls})
            done = subprocess.run([sys.executable, __file__, "--worker", job], cwd=ROOT, capture_output=True,
                                  text=True, check=True)
            print("\n".join(line for line in done.stderr.splitlines() if "pipeline." not in line
                            and ("convert" in line or "ready in" in line)))
            return json.loads(done.stdout.strip().splitlines()[-1])

        fresh = process(2)
        again = process(1)
    print(f"summarize() on {len(text)} characters, default config (backend auto):")
    print(f"  first call, converting both models: {fresh[0]:.1f} s")
    print(f"  later call, same process:          {fresh[1]:.1f} s")
    print(f"  first call of a new process:        {again[0]:.1f} s (converted copies reused)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
