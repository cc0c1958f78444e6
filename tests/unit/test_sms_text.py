"""SMS text: GSM-7 characters, segment counts, shortening and numbered buttons."""

import pytest

from bot.sms.text import format_sms, segment_count, shorten_urls, to_gsm7


def test_nordic_letters_are_gsm7_and_typography_is_replaced():
    assert to_gsm7("Älä jätä lisäselvitystä – käytä “postilaatikkoa”…") == (
        'Älä jätä lisäselvitystä - käytä "postilaatikkoa"...'
    )
    assert to_gsm7("Åbo, Vasa, Närpes") == "Åbo, Vasa, Närpes"
    assert to_gsm7("Hei 👋 š") == "Hei s"


@pytest.mark.parametrize(
    ("text", "segments"),
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("ä" * 160, 1),
     ("€" * 80, 1), ("€" * 81, 2), ("👋" + "a" * 69, 2), ("ш" * 70, 1), ("", 1)],
)
def test_segment_count(text, segments):
    assert segment_count(text) == segments


def test_long_text_is_cut_at_a_sentence_boundary():
    sentences = [f"Tämä on lause numero {n} ja siinä on vähän pituutta." for n in range(20)]
    body = format_sms(" ".join(sentences))
    assert segment_count(body) <= 3
    assert body.endswith(".")
    assert body.startswith(sentences[0])


def test_one_huge_sentence_is_cut_with_an_ellipsis():
    body = format_sms("sana " * 300)
    assert segment_count(body) <= 3 and body.endswith("...")


def test_buttons_become_a_numbered_list():
    body = format_sms("Valitse aihe.", ["Perheenjäsenet", "Kansalaisuus"])
    assert body == "Valitse aihe.\n1 Perheenjäsenet\n2 Kansalaisuus"


def test_links_are_shortened():
    assert shorten_urls("Katso https://www.migri.fi/en/home.") == "Katso migri.fi/en/home."
