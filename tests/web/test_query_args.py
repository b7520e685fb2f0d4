"""Numbers in URLs larger than the database can hold are the client's mistake (400/404), never a 500."""

import pytest

from tests.cohort_factories import publish_caring_cities

HUGE = "9" * 25


@pytest.mark.parametrize("url", [f"/staff/cohorts/{HUGE}", f"/programmes/cohorts/{HUGE}", f"/admin/users/{HUGE}",
                                 f"/staff/applications/{HUGE}", f"/programmes/sessions/{HUGE}.ics",
                                 "/reports/caring-cities/?cohort=-3"])
def test_an_id_too_large_for_the_database_is_not_found(client, login_as, url):
    publish_caring_cities()
    login_as("admin")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [f"/admin/users?page={HUGE}", f"/admin/audit?page={HUGE}",
                                 f"/reports/caring-cities/learners?page={HUGE}",
                                 f"/reports/api/courses/caring-cities/learners?per_page={HUGE}",
                                 f"/reports/caring-cities/?cohort={HUGE}"])
def test_a_page_number_too_large_is_a_bad_request(client, login_as, url):
    publish_caring_cities()
    login_as("admin")
    response = client.get(url)
    assert response.status_code == 400
    assert "is too large" in response.get_data(as_text=True)


def test_a_page_past_the_end_is_an_empty_page(client, login_as):
    login_as("admin")
    assert client.get("/admin/users?page=999").status_code == 200
