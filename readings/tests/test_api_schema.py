"""The OpenAPI 3 schema at /api/schema/ and the Swagger UI at /api/docs/ (no network)."""

import pytest
from drf_spectacular.validation import validate_schema

from conftest import screenshot

pytestmark = pytest.mark.django_db

# Every endpoint of DESIGN.md section 6, with its methods.
EXPECTED = {
    "/api/v1/auth/token/": {"post", "delete"},
    "/api/v1/me/": {"get", "patch"},
    "/api/v1/readings/": {"get", "post"},
    "/api/v1/readings/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/stats/": {"get"},
    "/api/v1/treatments/": {"get", "post"},
    "/api/v1/treatments/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/entries": {"get", "post"},
    "/api/v1/entries.json": {"get", "post"},
    "/api/v1/entries/{entry_type}.json": {"get"},
    "/api/v1/entries/current.json": {"get"},
    "/api/v1/status.json": {"get"},
    "/api/v1/patients/": {"get"},
    "/api/v1/patients/{patient_id}/readings/": {"get"},
    "/api/v1/patients/{patient_id}/stats/": {"get"},
}


@pytest.fixture
def schema(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema


def test_every_endpoint_is_described_with_its_methods(schema):
    paths = schema["paths"]
    for path, methods in EXPECTED.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    operation_ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_auth_schemes_are_declared_and_required(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["name"] == "Authorization"
    assert schemes["nightscoutApiSecret"] == {
        "type": "apiKey",
        "in": "header",
        "name": "api-secret",
        "description": schemes["nightscoutApiSecret"]["description"],
    }
    assert schemes["nightscoutToken"]["in"] == "query"
    paths = schema["paths"]
    assert "security" not in paths["/api/v1/auth/token/"]["post"]  # signing in needs none
    readings = paths["/api/v1/readings/"]["get"]["security"]
    assert {"tokenAuth": []} in readings and {"nightscoutApiSecret": []} not in readings
    upload = paths["/api/v1/entries"]["post"]["security"]
    assert {"nightscoutApiSecret": []} in upload and {"nightscoutToken": []} in upload


def test_the_reading_post_takes_one_object_or_a_list(schema):
    body = schema["paths"]["/api/v1/readings/"]["post"]["requestBody"]["content"]
    ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    one_of = schema["components"]["schemas"][ref]["oneOf"]
    assert {"$ref": "#/components/schemas/ReadingInputRequest"} in one_of
    assert {
        "type": "array",
        "items": {"$ref": "#/components/schemas/ReadingInputRequest"},
    } in one_of
    item = schema["components"]["schemas"]["ReadingInputRequest"]
    assert set(item["required"]) == {"value", "taken_at"}
    assert item["properties"]["notes"]["maxLength"] == 500


def test_a_reading_is_described_with_every_field_of_the_contract(schema):
    reading = schema["components"]["schemas"]["Reading"]["properties"]
    assert {
        "id",
        "value_mgdl",
        "value",
        "unit",
        "taken_at",
        "kind",
        "context",
        "notes",
        "source",
        "external_id",
    } <= set(reading)
    assert reading["id"]["format"] == "uuid"


def test_the_treatment_post_takes_one_object_or_a_list_and_documents_every_field(schema):
    body = schema["paths"]["/api/v1/treatments/"]["post"]["requestBody"]["content"]
    ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    one_of = schema["components"]["schemas"][ref]["oneOf"]
    item = {"$ref": "#/components/schemas/TreatmentInputRequest"}
    assert item in one_of and {"type": "array", "items": item} in one_of
    request = schema["components"]["schemas"]["TreatmentInputRequest"]
    assert set(request["required"]) == {"type", "taken_at"}
    treatment = schema["components"]["schemas"]["Treatment"]["properties"]
    assert {
        "id",
        "type",
        "event_type",
        "taken_at",
        "insulin_units",
        "basal_rate",
        "insulin_name",
        "carbs_g",
        "duration_min",
        "notes",
        "source",
        "external_id",
        "device",
    } <= set(treatment)
    assert "bolus" in schema["components"]["schemas"]["TreatmentTypeEnum"]["enum"]
    parameters = schema["paths"]["/api/v1/treatments/"]["get"]["parameters"]
    assert {"start", "end", "type", "patient", "page"} <= {p["name"] for p in parameters}


def test_errors_are_documented_as_json(schema):
    get_reading = schema["paths"]["/api/v1/readings/{id}/"]["get"]["responses"]
    for code in ("401", "403", "404"):
        assert get_reading[code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert "400" in schema["paths"]["/api/v1/readings/"]["post"]["responses"]


def test_the_schema_is_public_but_the_api_is_not(api_client):
    assert api_client.get("/api/schema/").status_code == 200
    assert api_client.get("/api/v1/readings/").status_code == 401


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_loads_without_any_network_access(browser_page, live_server):
    page = browser_page
    response = page.goto("/api/docs/")
    assert response.status == 200
    page.wait_for_selector(".opblock-tag-section", timeout=15_000)
    assert page.locator(".info .title").inner_text().startswith("BGT API")
    page.get_by_text("/api/v1/readings/", exact=True).first.wait_for()
    # Every asset came from this server (browser_page fails the test on any failed request).
    screenshot(page, "api-docs")
