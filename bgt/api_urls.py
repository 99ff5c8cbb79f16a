"""The REST API: /api/v1/... and the OpenAPI schema and docs (included under /api/)."""

urlpatterns = []
