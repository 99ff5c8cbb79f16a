"""OpenAPI post-processing: document the JSON errors every endpoint can return.

drf-spectacular documents success responses; a generated client also needs to know the
shape of a 400 (messages per field) and of every other error (``{"detail": "..."}``).
"""

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Messages per field; `non_field_errors` for the request as a whole, "
    "or `detail` for a request that could not be read at all.",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
    },
}


class FieldErrorsSerializer(serializers.Serializer):
    """A 400's body: messages per field (documented by the extension below)."""


class FieldErrorsScheme(OpenApiSerializerExtension):
    target_class = FieldErrorsSerializer

    def map_serializer(self, auto_schema, direction):
        return FIELD_ERRORS_SCHEMA


_ERROR = {"$ref": "#/components/schemas/Error"}
_FIELD_ERRORS = {"$ref": "#/components/schemas/FieldErrors"}


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    components.setdefault("FieldErrors", FIELD_ERRORS_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            takes_input = "requestBody" in operation or any(
                parameter.get("in") == "query" for parameter in operation.get("parameters", [])
            )
            if takes_input:
                responses.setdefault("400", _response("Invalid input.", _FIELD_ERRORS))
            if any(operation.get("security") or []):  # [] or [{}]: no sign-in needed
                responses.setdefault(
                    "401", _response("Not signed in, or wrong credentials.", _ERROR)
                )
                responses.setdefault(
                    "403", _response("This account's role may not do this.", _ERROR)
                )
            if "{" in path:
                responses.setdefault("404", _response("No such object for you.", _ERROR))
            if any(
                parameter.get("name") == "patient" and parameter.get("in") == "query"
                for parameter in operation.get("parameters", [])
            ):
                responses.setdefault("404", _response("No such patient record for you.", _ERROR))
            if any(
                parameter.get("name") == "page" for parameter in operation.get("parameters", [])
            ):
                responses.setdefault("404", _response("No such page.", _ERROR))
            if "requestBody" in operation:
                responses.setdefault("413", _response("Request body too large.", _ERROR))
                responses.setdefault(
                    "415", _response("Not JSON, or an unsupported Content-Encoding.", _ERROR)
                )
            responses.setdefault("429", _response("Too many requests; retry later.", _ERROR))
            for code, response in responses.items():
                if str(code).startswith(("4", "5")) and not response.get("content"):
                    schema = _FIELD_ERRORS if str(code) == "400" else _ERROR
                    response["content"] = {"application/json": {"schema": schema}}
    return result
