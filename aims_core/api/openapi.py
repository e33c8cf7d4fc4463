"""The OpenAPI 3.1 description of the API, built from the same table as its routes."""

from __future__ import annotations

from typing import Any

from aims_core.api.registers import SCOPES

_ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"},
    "problems": {"type": "array", "items": {"type": "object", "properties": {
        "row": {"type": "string"}, "field": {"type": ["string", "null"]},
        "message": {"type": "string"}}}}}}}}


def describe(endpoints: Any, prefix: str) -> dict[str, Any]:
    """OpenAPI for ``endpoints`` (``aims_core.api.routes.Endpoint``) mounted at ``prefix``."""
    paths: dict[str, Any] = {}
    for e in endpoints:
        name = e.path.strip("/").replace("-", "_").replace(".", "_")
        operation: dict[str, Any] = {
            "summary": e.summary,
            "operationId": f"{e.method.lower()}_{name}",
            "responses": {"200": {"description": "OK", "content": {e.produces: {}}},
                          **{code: {"description": text, "content": {"application/json": {
                              "schema": {"$ref": "#/components/schemas/Error"}}}}
                             for code, text in e.responses.items()}},
        }
        if e.scope is not None:
            operation["security"] = [{"token": [e.scope]}]
            operation["description"] = f"Needs a token with the scope `{e.scope}`."
            operation["responses"].update({
                "401": {"description": "No token, or an unknown or revoked one"},
                "403": {"description": f"The token lacks the scope {e.scope}"}})
        if e.request is not None:
            operation["requestBody"] = e.request
        if e.parameters:
            operation["parameters"] = list(e.parameters)
        paths.setdefault(prefix + e.path, {})[e.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "AIMS Dashboard API", "version": "1",
                 "description": "Served by the running app. Tokens are created by an "
                                "administrator (Jobs & API page, or `python -m aims_core "
                                "token create`); send them as `Authorization: Bearer <token>`. "
                                "Scopes: " + "; ".join(f"`{k}` {v}" for k, v in SCOPES.items())},
        "paths": paths,
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
                       "schemas": {"Error": _ERROR}},
    }
