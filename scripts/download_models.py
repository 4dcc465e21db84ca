"""Pre-fetch the configured models for machines without hub access.

    python scripts/download_models.py configs/default.yaml --to models/

downloads the translation and summarization checkpoints (at the configured revisions) into
``models/<owner>--<name>/`` and prints the ``--set`` options that point a run at them. Without ``--to`` the
files go to the Hugging Face cache, which ``HF_HUB_OFFLINE=1`` runs then use as is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.config import ConfigError, load_config

# Files a checkpoint needs for loading with transformers (and conversion to CTranslate2).
PATTERNS = ["*.json", "*.txt", "*.spm", "*.model", "*.safetensors"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", help="the run's YAML config (its translation/summarization models are fetched)")
    parser.add_argument("--to", type=Path, default=None, help="folder to store the checkpoints in")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, overrides=args.overrides)
    except ConfigError as exc:
        print(f"error (config error): {exc}", file=sys.stderr)
        return 2
    from huggingface_hub import snapshot_download

    settings = []
    for role, section in (("translation", config.translation), ("summarization", config.summarization)):
        if Path(section.model).is_dir():
            print(f"{role}: {section.model} is a local folder; nothing to download")
            continue
        local_dir = args.to / section.model.replace("/", "--") if args.to else None
        path = snapshot_download(section.model, revision=section.revision, allow_patterns=PATTERNS,
                                 local_dir=local_dir)
        print(f"{role}: {section.model} → {path}")
        if local_dir is not None:
            settings.append(f"--set {role}.model={local_dir}")
    if settings:
        print("run with:", " ".join(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
