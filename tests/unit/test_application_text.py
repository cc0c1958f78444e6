"""A status answer names where an application was made, in the reply's language, and reads right when the
register names no place."""

import pytest

from bot.booking.seed import seed_data as booking_seed
from bot.cases.messages import application_text
from bot.cases.seed import seed_data as case_seed
from bot.knowledge.places import folded, listed_places, place_name
from bot.knowledge.render import default_renderer

APPLICATION = {"type": "first_permit_studies", "stage": "received", "submitted_on": "2026-10-01",
               "last_event_on": "2026-10-01"}
LANGUAGES = ("fi", "sv", "en")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("via", ["service_point", "mission"])
def test_the_route_reads_right_with_and_without_a_place(language, via):
    renderer = default_renderer()
    named = application_text({**APPLICATION, "submitted_via": via, "submitted_place": "Espoo"}, language, renderer)
    unnamed = application_text({**APPLICATION, "submitted_via": via, "submitted_place": None}, language, renderer)
    assert place_name("Espoo", language) in named
    assert renderer.part("status_terms", f"route_{via}_unnamed", language) in unnamed
    assert " -" not in unnamed and "()" not in unnamed and " i ." not in unnamed


@pytest.mark.parametrize(("via", "place", "language", "shown", "not_shown"), [
    ("service_point", "Vaasa", "sv", "Vasa", "Vaasa"),
    ("service_point", "Oulu", "sv", "Uleåborg", "Oulu"),
    ("service_point", "Turku", "sv", "Åbo", "Turku"),
    ("service_point", "Vasa", "fi", "Vaasa", "Vasa."),
    ("mission", "Beijing", "sv", "Peking", "Beijing"),
    ("mission", "Beijing", "fi", "Peking", "Beijing"),
    ("mission", "Peking", "en", "Beijing", "Peking"),
    ("mission", "Manila", "sv", "Manila", None),  # the same in every language: given as it came
])
def test_the_place_is_named_in_the_language_of_the_reply(via, place, language, shown, not_shown):
    """Round 6 (sv 3): the register gives a place in one language; a Swedish reply says Vasa and Peking."""
    text = application_text({**APPLICATION, "submitted_via": via, "submitted_place": place}, language,
                            default_renderer())
    assert shown in text
    assert not_shown is None or not_shown not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_service_point_city_is_named_as_the_booking_texts_name_it(language):
    for point in booking_seed()["service_points"]:
        for given in point["city"].values():
            assert place_name(given, language) == point["city"][language], given


def test_every_place_in_the_demo_register_is_known_or_the_same_in_every_language():
    """A place the register names that is listed nowhere would reach a Swedish reply in Finnish."""
    same_everywhere = {"Manila", "Ankara", "Nairobi", "New Delhi"}
    places = {application["place"] for person in case_seed()["applicants"] + case_seed()["representatives"]
              for application in person.get("applications", []) if application.get("place")}
    known = {folded(name) for names in listed_places() for name in names.values()}
    assert places and {place for place in places if folded(place) not in known} <= same_everywhere


def test_one_name_means_one_place():
    owners = {}
    for names in listed_places():
        for name in names.values():
            owners.setdefault(folded(name), set()).add(tuple(sorted(names.items())))
    assert {name: found for name, found in owners.items() if len(found) > 1} == {}
