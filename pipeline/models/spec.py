"""What the pipeline asks of a model: one frozen spec per stage, built from its config section."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ModelSpec:
    # 'translation' or 'summarization': the config section the model comes from
    role: str
    # hub id or local folder
    name: str
    # hub revision; None = default branch
    revision: str | None
    # GenerationConfig overrides
    generation: Mapping[str, Any]
    # requested input budget; None = the model's limit
    max_input_tokens: int | None
    # text before every input; None = the checkpoint's own (task_specific_params), '' = none
    prefix: str | None = None
    # multilingual translators: language (ISO 639-1) texts come in when none is given per text; None = 'de'
    source_language: str | None = None
    # multilingual translators: language (ISO 639-1) to translate into
    target_language: str = "en"
    # instruct models: the user-turn template ({text}, translation also {source_language}, {target_language});
    # None = the config default of the role
    prompt: str | None = None
    # instruct models: the system turn; None = none
    system_prompt: str | None = None
    # instruct models: most tokens of prompt + text + output; None = the model's whole context
    max_context_tokens: int | None = None
