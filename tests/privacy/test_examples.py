"""The issue's examples and the live test's messages, one kind at a time (the corpus in
tests/privacy/corpus measures; these show each rule at work)."""

import pytest

from bot.privacy.redaction import default_redactor


@pytest.fixture(scope="module")
def redact():
    return default_redactor().redact


@pytest.mark.parametrize(("text", "expected"), [
    # Names: inflected Finnish surnames, foreign names, lower case, after a cue or beside another name.
    ("soitin Korhoselle eilen", "soitin [NAME] eilen"),
    ("my husband Omar Haddad is in Iraq", "my husband [NAME] is in Iraq"),
    ("min dotter Leila går i skolan", "min dotter [NAME] går i skolan"),
    ("nimeni on omar haddad", "nimeni on [NAME]"),
    ("Kysyin asiaa Virtaselta ja Haddadille", "Kysyin asiaa [NAME] ja [NAME]"),
    ("Hei, nimeni on Aino Korhonen.", "Hei, nimeni on [NAME]."),
    # ... a place word or language that is also a common name, a title's full stop, a Swedish genitive.
    ("my name is Sofia Nieminen", "my name is [NAME]"),
    ("I spoke with Dr. Sami Virtanen yesterday", "I spoke with Dr. [NAME] yesterday"),
    ("jag ringde Evas handläggare", "jag ringde [NAME] handläggare"),
    # Addresses: street, house, staircase, flat and postcode; the town stays.
    ("asun Hämeenkatu 5 A 7, 33100 Tampere", "asun [ADDRESS] Tampere"),
    ("Kungsgatan 12, 411 19 Göteborg", "[ADDRESS] Göteborg"),
    ("I live at 14 Baker Street, Flat 2, London", "I live at [ADDRESS], London"),
    ("bor på Storgatan 7 lgh 1102, 652 24 Karlstad", "bor på [ADDRESS] Karlstad"),
    ("bor på Skolgatan 3 bst 12, 65100 Vasa", "bor på [ADDRESS] Vasa"),
    ("asun Kaukajärven puistotie 4 B 9, Tampere", "asun [ADDRESS], Tampere"),
    ("osoite Läntinen Rantakatu 11, Turku", "osoite [ADDRESS], Turku"),
    ("apt 7, Satamakatu 2, Kotka", "[ADDRESS], Kotka"),
    # Identifiers named by a keyword, with words between keyword and value.
    ("passport AB9876543", "passport [PASSPORT]"),
    ("My passport number is 123456789.", "My passport number is [PASSPORT]."),
    ("oleskelulupakortin numero on RP3829104", "oleskelulupakortin numero on [PERMIT_CARD]"),
    ("salasanani oli 7741", "salasanani oli [PIN]"),
    ("the code they sent me is 4420", "the code they sent me is [PIN]"),
    ("lösenordet är Sommar#2020 tror jag", "lösenordet är [PIN] tror jag"),
    ("verkkopankkisalasanani on Kevät2024", "verkkopankkisalasanani on [PIN]"),
    ("tilinumero FI21 1234 5600 0007 85.", "tilinumero [IBAN]."),
    ("IBAN GB82 WEST 1234 5698 7654 32", "IBAN [IBAN]"),
    ("mitt personnummer är 850621-1235", "mitt personnummer är [ID_CODE]"),
    ("hetu 131052 308T", "hetu [ID_CODE]"),
    ("synnyin 14.2.88", "synnyin [DATE_OF_BIRTH]"),
    ("born on the 21st of June 1985", "born on [DATE_OF_BIRTH]"),
    ("född 3 sept 1979", "född [DATE_OF_BIRTH]"),
    ("soita (040) 123 4567", "soita [PHONE]"),
    ("omar dot haddad at gmail dot com", "[EMAIL]"),
    ("varaustunnus T6XN LB8Y 26PL", "varaustunnus [KEY]"),
])
def test_each_kind_is_replaced_by_its_placeholder(redact, text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "Työnantaja on Rakennus Oy, y-tunnus 1202955-6",
    "Soita numeroon 0295 790 600 tai tekstaa 18135",
    "Palvelupiste on osoitteessa Malmin raitti 17 A, 00700 Helsinki",
    "Can I change my appointment from Vaasa to Kokkola in June?",
    "Haen oleskelulupaa Ruotsista, olen Irakin kansalainen, hakemus jätettiin 2023",
    "Enter Finland ei toimi, Migri ei vastaa, Kela sanoi odota",
    "I lived in Sweden 2015-2019 and moved to Finland",
    "Hello, my PIN is not working",
    "Har ni öppet på påskdagen? Jag kommer från Stockholm.",
    "Milloin puhelinneuvonta on auki?",  # "Milloin" is also Milla's case form: a question word first
    "Chatbot ei tunnistanut viestiä.",  # the bot's own name for itself, in its texts
])
def test_public_names_numbers_and_places_survive(redact, text):
    assert redact(text) == text
