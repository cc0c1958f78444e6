"""Migri's own terms: no listed wrong variant in any user-facing text, in any language."""

from __future__ import annotations

import ast
import re

import pytest
import yaml

from bot.knowledge.catalogue import all_texts
from bot.settings import REPO_ROOT
from tests.conftest import LANGUAGES

TERMS = yaml.safe_load((REPO_ROOT / "knowledge" / "terms.yml").read_text(encoding="utf-8"))


def sms_keywords() -> dict[str, tuple[str, str]]:
    """channels/sms.py KEYWORDS, read from the source (importing the channel loads all of Rasa)."""
    tree = ast.parse((REPO_ROOT / "channels" / "sms.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "KEYWORDS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("channels/sms.py has no KEYWORDS")


def pattern(avoid: str) -> re.Pattern[str]:
    """A word start ("lupakort" finds "lupakortin", not "oleskelulupakortin"), or "re:<regex>"."""
    if avoid.startswith("re:"):
        return re.compile(avoid[3:], re.IGNORECASE)
    lead = r"(?<!\w)" if avoid[:1].isalnum() else ""
    return re.compile(lead + re.escape(avoid), re.IGNORECASE)


def avoided(language: str) -> list[tuple[str, str, re.Pattern[str]]]:
    """(concept or phrase, what to write instead, pattern) for one language."""
    rules = [(concept, entry[language]["term"], pattern(avoid))
             for concept, entry in TERMS["concepts"].items() for avoid in entry[language]["avoid"]]
    rules += [(item["avoid"], item["why"], pattern(item["avoid"])) for item in TERMS["avoid_phrases"][language]]
    return rules


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_uses_a_variant_the_term_list_rules_out(language):
    found = [f"{text.where}: {rule.pattern!r} ({concept} -> {instead})"
             for text in all_texts() if text.language == language
             for concept, instead, rule in avoided(language) if rule.search(text.template)]
    assert found == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_concept_has_one_term_in_every_language(language):
    for concept, entry in TERMS["concepts"].items():
        assert entry[language]["term"].strip(), concept
        assert not any(pattern(avoid).search(entry[language]["term"]) for avoid in entry[language]["avoid"]), concept


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_stop_word_in_the_texts_is_the_sms_keyword_of_that_language(language):
    stop_word = TERMS["concepts"]["stop_word"][language]["term"]
    assert sms_keywords()[stop_word] == ("goodbye", language)
    quoted_stop_words = {match.lower() for text in all_texts() if text.language == language
                         for match in re.findall(r'"(\w+)"', text.template)
                         if re.search(r"(keskeyt|lopett|avbryt|stop)\w*[^.]*\"" + match, text.template, re.I)}
    assert quoted_stop_words <= {stop_word}


def test_the_term_list_flags_the_variants_the_editor_found():
    flagged = {
        "sv": ["Skriv bokningskoden.", "kallelse till asylintervju", "ditt tillståndskort", "i tidsbokningssystemet",
               "lämna bort numrets första nolla", "Förlåt, jag förstod inte", "eller \"3.12.\"."],
        "fi": ["Varataanko aika?", "2 hlö", "Näkemiin, ja onnea", "Jos hait sähköisesti", "annetaan tiedoksi",
               "perhetapaamiseen", "12 merkkiä", "kirjoittamalla \"peruuta\""],
        "en": ["Goodbye, and good luck", "a queue number", "permit card"],
    }
    # Round 1 of the independent native review (docs/texts-review.md).
    flagged["fi"] += ["varata ajan tässä chatissa", "niin monta varausviestiä kuin on mahdollista",
                      "Ajan {when} viestejä", "Muistutus aikasi", "Voimassa oleva tieto on", "lopetin tunnistamisen",
                      "Tunnistautumisyrityksiä", "Kuinka monta henkilöä tulee käynnille?", "lue migri.fi",
                      "jos et itse muuttanut"]
    flagged["sv"] += ["här i chatten", "så många bokningsmeddelanden som det går", "Servicestället i Åbo",
                      "kontrollera ansökan i chatten", "Verifieringskod till", "bad om en handläggare"]
    flagged["en"] += ["here in the chat", "as many booking messages today as we can send"]
    # Round 4 (docs/texts-review.md).
    flagged["fi"] += ["voit varata sen chatissamme", "Yleisissä kysymyksissä voit soittaa",
                      "uuteen numeroon tai osoitteeseen ({new})"]
    flagged["sv"] += ["så jag avbröt identifieringen", "Du är inte längre identifierad här",
                      "för många identifieringsförsök", "polisen eller gränskontrollmyndigheten",
                      "så många giltiga bokningar med de här kontaktuppgifterna som är tillåtet",
                      "dina huvudmäns ansökningar", "Huvudman {initials}", "i vår chatt eller",
                      "Numret {phone_general} blir då till exempel"]
    flagged["en"] += ["book a new one in our chat"]
    # Round 5 (docs/texts-review.md).
    flagged["fi"] += ["Päämiestesi hakemusten tilanne:", "Päämies {initials}: ", "Jos vahvistusta ei tullut, olet",
                      "Vahvistus ei tullut", "Palvelupiste: {point}", "Tule ajoissa, muuten menetät ajan.",
                      "Botti ei ymmärtänyt viestiä", "Botin tulkinta"]
    flagged["sv"] += ["en finsk beskickning", "Asyl och resedokument för flyktingar",
                      "Till exempel numret {phone_general} blir då", "Okej, ingen tid har bokats.", "Korta ner det",
                      "avgörs ansökan på basis av de uppgifter"]
    flagged["en"] += ["an alien's passport or a refugee's travel document"]
    # Round 6 (docs/texts-review.md).
    flagged["fi"] += ["Kerro, että haluat perua vanhan ajan.", "rajatarkastusviranomaiselta, ei palvelupisteistämme,",
                      "Ajanvarauksen yhteystietoja on muutettu"]
    flagged["sv"] += ["Kom i tid, annars förlorar du tiden.", "Hur många personer kommer till besöket?",
                      "Hur många personer kommer till det här besöket (1–6)?",
                      "Skriv att du vill avboka den gamla tiden"]
    flagged["en"] += ["Be on time or you lose it.", "Say that you want to cancel the old one."]
    # Round 7 (docs/texts-review.md).
    flagged["fi"] += ["Turvapaikanhakijan työnteko-oikeudesta emme anna tietoja puhelimitse.",
                      "Jos et muista PIN-koodia, varaa uusi aika", "tai et tiedä PIN-koodia",
                      "Jos sinulla ei ole varaustunnusta ja PIN-koodia"]
    flagged["sv"] += ["Om det inte var du som ändrade dem, kontakta oss.", "Om du inte själv har ändrat dem, rätta dem",
                      "Om du inte minns PIN-koden", "Boka per telefon eller e-post"]
    flagged["en"] += ["If you did not change them yourself, please contact", "If you do not remember the PIN code"]
    for language, phrases in flagged.items():
        rules = avoided(language)
        for phrase in phrases:
            assert any(rule.search(phrase) for _, _, rule in rules), (language, phrase)
    assert not any(rule.search(word) for word in ("Huvudmeny", "Identifierbara uppgifter", "identitetskontrollen")
                   for _, _, rule in avoided("sv"))
    assert not any(rule.search("uppehållstillståndskort") for _, _, rule in avoided("sv"))
    assert not any(rule.search(word) for word in ("oleskelulupakortti", "Chatbotin tulkinta", "Paikka: {point}",
                                                  "Kerro viestissä, että haluat perua", "yhteystietoja ei ole muutettu",
                                                  "Jos työntekijäsi on turvapaikanhakija, emme voi kertoa",
                                                  "Jos sinulla ei ole PIN-koodia")
                   for _, _, rule in avoided("fi"))
