"""Service-number topics recognised from inflected and mixed-language messages."""

import pytest

from bot.knowledge.topics import TopicMatcher


@pytest.fixture(scope="module")
def matcher(knowledge):
    return TopicMatcher(knowledge.topics)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("mihin numeroon soitan perheenyhdistämisasioissa", "family"),
        ("oleskelulupakorttini uusiminen, mikä numero", "card_renewal"),
        ("kansalaisuushakemukseni numero", "citizenship"),
        ("turvapaikanhakijan työnteko-oikeus puhelinnumero", "asylum_work"),
        ("opiskelijan oleskelulupa numero", "studies_work"),
        ("vaihteen numero", "switchboard"),
        ("telefonnummer för medborgarskap", "citizenship"),
        ("nummer för uppehållstillstånd för min fru", "family"),
        ("växelns nummer", "switchboard"),
        ("vilket nummer gäller främlingspass", "travel_documents"),
        ("number for work permit questions", "studies_work"),
        ("phone number for EU registration", "eu_registration"),
        ("who do I call about Brexit", "brexit"),
        ("number for Ukraine questions", "ukraine"),
        ("entry ban withdrawal number", "entry_ban"),
        ("renew my residence permit card", "card_renewal"),
    ],
)
def test_topics(matcher, text, topic):
    assert matcher.match(text) == topic


@pytest.mark.parametrize("text", ["what is your phone number", "mikä on numeronne", "telefonnummer"])
def test_no_topic(matcher, text):
    assert matcher.match(text) is None


def test_a_word_counts_once_for_a_topic_however_many_stems_match_it():
    from bot.knowledge.store import load_knowledge
    from bot.knowledge.topics import TopicMatcher

    matcher = TopicMatcher(load_knowledge().topics)
    # "jobba" matches both "jobb" and "job"; the asylum seeker is the topic.
    assert matcher.match("ja e asylsökande å undrar om ja får jobba") == "asylum_work"
    assert matcher.match("jag är tysk medborgare och ska registrera min uppehållsrätt") == "eu_registration"


@pytest.mark.parametrize(
    "text",
    [
        "ukrainalainen pakolainen, mihin numeroon",
        "ukrainsk flykting, vilket nummer",
        "refugee from Ukraine, which number",
    ],
)
def test_a_topic_named_by_its_own_word_beats_a_qualifier(matcher, text):
    assert matcher.match(text) == "ukraine"


@pytest.mark.parametrize("text", ["pakolaisen matkustusasiakirja numero", "refugee travel document number"])
def test_qualifier_still_picks_its_topic_alone_or_with_its_own_words(matcher, text):
    assert matcher.match(text) == "travel_documents"


@pytest.mark.parametrize(
    "text",
    [
        "EU-kansalaisen perheenjäsenen oleskelukortti, mikä numero",
        "uppehållskort för familjemedlem till EU-medborgare, nummer",
        "residence card for an EU citizen's family member, which number",
    ],
)
def test_an_eu_family_members_residence_card_is_eu_registration(matcher, text):
    assert matcher.match(text) == "eu_registration"
