"""The committed OpenAPI schema (docs/api-schema.json) is the one the code serves."""

import json
from pathlib import Path

from django.conf import settings

COMMITTED = Path(settings.BASE_DIR) / "docs" / "api-schema.json"
REGENERATE = (
    "python manage.py export_openapi_schema --api api.endpoints.api "
    "--output docs/api-schema.json --indent 2 --sorted"
)


def test_committed_schema_matches_the_code(client):
    served = client.get("/api/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(COMMITTED.read_text()), f"run: {REGENERATE}"


def test_docs_are_served(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content
