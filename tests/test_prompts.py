"""Prompting instruct models: prompt keys checked at config load, the chat templates of each family (system turn or
merged, thinking off, one BOS), think stripping, output clean-up and the context budget (no model runs here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config
from pipeline.models.generation import ModelLoadError
from pipeline.models.prompts import (
    ChatFormat,
    Prompter,
    eos_ids,
    finish,
    input_budget,
    markup_ids,
    strip_think,
)
from pipeline.models.spec import ModelSpec
from pipeline.run import main
from scripts.tiny_instruct import CHAT_TEMPLATES, FAMILIES

DEFAULT_YAML = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"
SYSTEM = "Be brief and exact."


@pytest.mark.parametrize(("text", "expected"), [
    ("<think>\nhmm\n</think>\n\nThe government plans reforms.", "The government plans reforms."),
    ("<think>\n\n</think>\n\nShort.", "Short."),
    ("Answer <think>cut at the limit", "Answer"),
    ("No thinking here.", "No thinking here."),
    ("A <think>x</think> B <think>y</think> C", "A  B  C"),
])
def test_strip_think(text, expected):
    assert strip_think(text) == expected


@pytest.mark.parametrize(("key", "value"), [
    ("summarization.prompt", "Summarize this."),                       # no {text}
    ("summarization.prompt", "Summarize {text} in {language}."),       # unknown placeholder
    ("summarization.prompt", "{text} and again {text}"),                # {text} twice
    ("summarization.prompt", "Summarize {text"),                       # malformed
    ("summarization.prompt", "Summarize {text!r}"),                    # conversion
    ("summarization.prompt", "Translate from {source_language}: {text}"),  # translation-only placeholder
    ("translation.prompt", "Translate {text} into {target}."),
    ("translation.system_prompt", "You translate {text}."),
    ("summarization.system_prompt", "You write {target_language}."),
])
def test_bad_prompts_are_config_errors_naming_the_key(key, value):
    section, name = key.split(".")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config({section: {name: value}})


def test_good_prompts_are_accepted():
    config = load_config({"translation": {"prompt": "{source_language} -> {target_language} {{JSON}}: {text}",
                                          "system_prompt": None},
                          "summarization": {"prompt": "TL;DR {text}", "system_prompt": ""}})
    assert config.translation.prompt.endswith("{text}")


def test_a_bad_prompt_on_the_command_line_exits_2(capsys):
    assert main([str(DEFAULT_YAML), "--set", "summarization.prompt=Summarize please"]) == 2
    assert "summarization.prompt" in capsys.readouterr().err


def test_a_changed_prompt_changes_the_hash_that_guards_resume():
    assert load_config({}).hash() != load_config({"summarization": {"prompt": "Briefly: {text}"}}).hash()


def _tokenizer(folder: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder)


def _spec(role: str = "summarization", **fields) -> ModelSpec:
    return ModelSpec(role, "tiny", None, {}, **{"max_input_tokens": None, **fields})


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_renders_the_prompt_with_its_template(instruct_models, family):
    tokenizer = _tokenizer(instruct_models(family))
    chat = ChatFormat(tokenizer, name=family, role="summarization")
    prompter = Prompter(chat, _spec(prompt="Fasse zusammen: {text}", system_prompt=SYSTEM))
    rendered = prompter.text("Der Umsatz stieg um 3,5 %.")
    assert "Fasse zusammen: Der Umsatz stieg um 3,5 %." in rendered
    assert SYSTEM in rendered  # its own turn, or merged into the user turn (Gemma 2 has no system role)
    assert chat.system_role == (family != "gemma2")
    if not chat.system_role:
        assert rendered.index(SYSTEM) < rendered.index("Fasse zusammen")
    ids = prompter.ids(["Der Umsatz stieg."])[0]
    if tokenizer.bos_token_id is not None:
        assert ids.count(tokenizer.bos_token_id) <= 1  # the template writes the BOS; no second one added
    assert prompter.count_tokens(["Der Umsatz stieg."]) == [len(ids)]


def test_a_template_that_drops_the_system_turn_gets_it_merged(instruct_models):
    tokenizer = _tokenizer(instruct_models("mistral"))
    tokenizer.chat_template = CHAT_TEMPLATES["mistral_v03_old"]  # renders a system turn, then silently drops it
    chat = ChatFormat(tokenizer, name="mistral-old", role="summarization")
    assert not chat.system_role
    assert SYSTEM in chat.render("Hallo", SYSTEM)


def test_qwen3_thinking_is_switched_off(instruct_models):
    chat = ChatFormat(_tokenizer(instruct_models("qwen3")), name="qwen3", role="summarization")
    assert chat.render("Hallo", None).endswith("<think>\n\n</think>\n\n")


def test_a_checkpoint_without_chat_template_is_refused(instruct_models):
    tokenizer = _tokenizer(instruct_models("qwen2"))
    tokenizer.chat_template = None
    with pytest.raises(ModelLoadError, match="chat template"):
        ChatFormat(tokenizer, name="base-model", role="summarization")


def test_translation_prompts_name_the_languages(instruct_models):
    chat = ChatFormat(_tokenizer(instruct_models("qwen2")), name="qwen2", role="translation")
    prompter = Prompter(chat, _spec("translation", prompt="{source_language} to {target_language}: {text}",
                                    system_prompt=None))
    assert "German to English: Hallo" in prompter.text("Hallo")
    assert "French to English: Salut" in prompter.text("Salut", "fr")


def test_outputs_are_cut_at_any_end_of_turn_id_and_lose_the_markup(instruct_models):
    from transformers import GenerationConfig

    folder = instruct_models("llama")
    tokenizer = _tokenizer(folder)
    eos = eos_ids(GenerationConfig.from_pretrained(folder), tokenizer)
    assert len(eos) == 3  # end_of_text, eom_id, eot_id
    words = tokenizer("Der Umsatz stieg", add_special_tokens=False)["input_ids"]
    header = tokenizer.convert_tokens_to_ids("<|start_header_id|>")
    for stop in eos:
        out = finish([[header, *words, stop, *words]], eos=eos, markup=markup_ids(tokenizer), tokenizer=tokenizer)
        assert out[0].text == "Der Umsatz stieg" and out[0].finished and out[0].tokens == len(words) + 2
    cut = finish([words], eos=eos, markup=markup_ids(tokenizer), tokenizer=tokenizer)[0]
    assert not cut.finished and cut.tokens == len(words)


def test_the_budget_leaves_room_for_the_prompt_and_the_output():
    budget, usable = input_budget(_spec(max_context_tokens=1000), context=32768, max_new_tokens=200, overhead=60)
    assert usable == 1000 and budget + 200 <= 1000
    budget, _ = input_budget(_spec("translation", max_context_tokens=None), context=4096, max_new_tokens=100,
                             overhead=50)
    assert 50 < budget <= 50 + 100  # a translator's unit stays within what max_new_tokens can translate
    with pytest.raises(ConfigError, match="max_context_tokens"):
        input_budget(_spec(max_context_tokens=256), context=4096, max_new_tokens=250, overhead=60)
    with pytest.raises(ConfigError, match="max_input_tokens"):
        input_budget(_spec(max_input_tokens=5000), context=4096, max_new_tokens=100, overhead=60)
