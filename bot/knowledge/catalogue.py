"""Every user-facing text of the project, as written (templates, not filled in), per language.

One list for the checks that read all texts (tests/texts: terms, templates,
coherence, SMS lengths) and for the export a language reviewer reads
(`python -m bot.knowledge.catalogue OUT_DIR`). Sources: the answers and
calendar words in knowledge/, place and topic names, the responses in domain.yml, the
booking messages, the booking system's category and service-point names, the
review tool and the chat page.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.settings import REPO_ROOT, SUPPORTED_LANGUAGES

KNOWLEDGE = REPO_ROOT / "knowledge"
SOURCES = {
    "domain": REPO_ROOT / "domain.yml",
    "booking_messages": REPO_ROOT / "bot" / "booking" / "messages.yml",
    "booking_reference_data": REPO_ROOT / "bot" / "booking" / "seed_data.yml",
    "review_tool": REPO_ROOT / "bot" / "review" / "texts.yml",
    "chat_page": REPO_ROOT / "channels" / "web" / "static" / "i18n.json",
}


@dataclass(frozen=True)
class Text:
    """One text in one language; `where` names its file and key path."""

    where: str
    language: str
    template: str


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _by_language(where: str, entry: Any) -> Iterator[Text]:
    """Texts of a {fi: ..., sv: ..., en: ...} mapping, or of mappings nested in it."""
    if isinstance(entry, dict) and set(entry) & set(SUPPORTED_LANGUAGES) and all(
            isinstance(value, str) for value in entry.values()):
        for language in SUPPORTED_LANGUAGES:
            if language in entry:
                yield Text(where, language, entry[language])
    elif isinstance(entry, dict):
        for key, value in entry.items():
            yield from _by_language(f"{where}.{key}", value)
    elif isinstance(entry, list):
        for index, value in enumerate(entry):
            yield from _by_language(f"{where}[{index}]", value)


def knowledge_texts() -> Iterator[Text]:
    for path in sorted((KNOWLEDGE / "answers").glob("*.yml")):
        yield from _by_language(f"knowledge/answers/{path.name}", _yaml(path) or {})
    calendar = _yaml(KNOWLEDGE / "calendar.yml")
    for key in ("weekly_hours", "today", "tomorrow", "noon_closing_days", "closed_reasons", "time_format"):
        yield from _by_language(f"knowledge/calendar.yml:{key}", calendar[key])
    for place_id, names in _yaml(KNOWLEDGE / "places.yml")["places"].items():
        yield from _by_language(f"knowledge/places.yml:{place_id}", names)
    for topic in _yaml(KNOWLEDGE / "topics.yml")["topics"]:
        for part in ("name", "button"):
            yield from _by_language(f"knowledge/topics.yml:{topic['id']}.{part}", topic[part])


def domain_texts() -> Iterator[Text]:
    for name, variations in _yaml(SOURCES["domain"])["responses"].items():
        for variation in variations:
            conditions = variation.get("condition") or []
            language = next((c["value"] for c in conditions if c.get("name") == "language"), "en")
            yield Text(f"domain.yml:{name}", language, variation["text"])
            # Named by payload, which every language shares, so the export pairs each label with its English.
            for button in variation.get("buttons") or []:
                yield Text(f"domain.yml:{name}.button {button['payload']}", language, button["title"])


def booking_message_texts() -> Iterator[Text]:
    yield from _by_language("bot/booking/messages.yml", _yaml(SOURCES["booking_messages"]))
    data = _yaml(SOURCES["booking_reference_data"])
    for category in data["categories"]:
        yield from _by_language(f"bot/booking/seed_data.yml:{category['id']}", category["names"])
    for point in data["service_points"]:
        yield from _by_language(f"bot/booking/seed_data.yml:{point['id']}", point["names"])


def review_tool_texts() -> Iterator[Text]:
    yield from _by_language("bot/review/texts.yml", _yaml(SOURCES["review_tool"]))


def chat_page_texts() -> Iterator[Text]:
    pages = json.loads(SOURCES["chat_page"].read_text(encoding="utf-8"))
    for language, texts in pages.items():
        for key, text in texts.items():
            yield Text(f"channels/web/static/i18n.json:{key}", language, text)


def applicant_texts() -> list[Text]:
    """What applicants read: the chat, its answers, SMS and e-mail, the chat page."""
    return [*knowledge_texts(), *domain_texts(), *booking_message_texts(), *chat_page_texts()]


def all_texts() -> list[Text]:
    """Every user-facing text, staff tool included."""
    return [*applicant_texts(), *review_tool_texts()]


def export(directory: Path) -> list[Path]:
    """One file per language for a language editor: fi and sv with the English beside each text, en alone."""
    directory.mkdir(parents=True, exist_ok=True)
    texts = all_texts()
    english = {text.where: text.template for text in texts if text.language == "en"}
    written = []
    for language in SUPPORTED_LANGUAGES:
        beside = "" if language == "en" else ", each with the English beside it for meaning"
        lines = [f"# User-facing texts in {language}{beside}.",
                 "# {name} marks a value filled in when the text is used; {n:one|other} picks a word",
                 "# form by the number n. Source: where the text lives in the repository.", ""]
        for text in texts:
            if text.language != language:
                continue
            lines += [f"## {text.where}", f"{language}: {text.template}"]
            if language != "en" and text.where in english:
                lines.append(f"en: {english[text.where]}")
            lines.append("")
        path = directory / f"{language}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in export(Path(sys.argv[1] if len(sys.argv) > 1 else "texts-review")):
        print(written_path)
