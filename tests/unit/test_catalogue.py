"""The reviewers' export: one file per language, every text of that language in it once."""

from __future__ import annotations

from bot.knowledge.catalogue import all_texts, export
from tests.conftest import LANGUAGES


def test_the_export_writes_every_text_of_every_language(tmp_path):
    written = export(tmp_path)
    assert sorted(path.name for path in written) == sorted(f"{language}.txt" for language in LANGUAGES)
    for language in LANGUAGES:
        content = (tmp_path / f"{language}.txt").read_text(encoding="utf-8")
        headings = [line for line in content.splitlines() if line.startswith("## ")]
        assert headings == [f"## {text.where}" for text in all_texts() if text.language == language]
        own_lines = [line for line in content.splitlines() if line.startswith(f"{language}: ")]
        assert len(own_lines) == len(headings)
        if language != "en":   # the English beside each fi and sv text, for meaning
            assert any(line.startswith("en: ") for line in content.splitlines())
