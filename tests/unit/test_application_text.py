"""A status answer names where an application was made, and reads right when the register names no place."""

import pytest

from bot.cases.messages import application_text
from bot.knowledge.render import default_renderer

APPLICATION = {"type": "first_permit_studies", "stage": "received", "submitted_on": "2026-10-01",
               "last_event_on": "2026-10-01"}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("via", ["service_point", "mission"])
def test_the_route_reads_right_with_and_without_a_place(language, via):
    renderer = default_renderer()
    named = application_text({**APPLICATION, "submitted_via": via, "submitted_place": "Espoo"}, language, renderer)
    unnamed = application_text({**APPLICATION, "submitted_via": via, "submitted_place": None}, language, renderer)
    assert "Espoo" in named
    assert renderer.part("status_terms", f"route_{via}_unnamed", language) in unnamed
    assert " -" not in unnamed and "()" not in unnamed and " i ." not in unnamed
