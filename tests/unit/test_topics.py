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


# A topic named by its own word beats one a qualifier only points to; a qualifier alone still picks its topic.
QUALIFIED = [
    ("ukrainalainen pakolainen, mihin numeroon", "ukraine"),
    ("ukrainsk flykting, vilket nummer", "ukraine"),
    ("refugee from Ukraine, which number", "ukraine"),
    ("pakolaisen matkustusasiakirja numero", "travel_documents"),
    ("refugee travel document number", "travel_documents"),
    ("EU-kansalaisen perheenjäsenen oleskelukortti, mikä numero", "eu_registration"),
    ("uppehållskort för familjemedlem till EU-medborgare, nummer", "eu_registration"),
    ("residence card for an EU citizen's family member, which number", "eu_registration"),
]


@pytest.mark.parametrize(("text", "topic"), QUALIFIED)
def test_a_topic_named_by_its_own_word_beats_a_qualifier(matcher, text, topic):
    assert matcher.match(text) == topic
