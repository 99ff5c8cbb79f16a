import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from bgt.staticfinders import PackageFileFinder


def test_plotly_is_found_in_the_plotly_package():
    path = finders.find("vendor/plotly.min.js")

    assert path.endswith("plotly/package_data/plotly.min.js")
    assert PackageFileFinder().find("vendor/plotly.min.js", find_all=True) == [path]


@pytest.mark.parametrize("find_all", [False, True])
def test_a_missing_file_is_an_empty_list_like_django_s_own_finders(find_all):
    assert PackageFileFinder().find("vendor/missing.js", find_all=find_all) == []
    assert finders.find("vendor/missing.js", find_all=find_all) in (None, [])


@pytest.fixture
def served_from_finders(settings):
    """Whitenoise as `make run` has it (DEBUG): files looked up in the finders per request.
    It reads these settings when a new Client builds its middleware."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.mark.django_db
@pytest.mark.usefixtures("served_from_finders")
def test_development_server_serves_plotly_and_404s_a_missing_static_file():
    client = Client(raise_request_exception=False)

    plotly = client.get("/static/vendor/plotly.min.js")
    missing = client.get("/static/vendor/missing.js")

    assert plotly.status_code == 200
    assert b"plotly" in b"".join(plotly.streaming_content)[:2000].lower()
    assert missing.status_code == 404
