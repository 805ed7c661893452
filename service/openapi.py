"""OpenAPI helpers: problem+json responses declared on every route."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query

_TITLES = {
    400: "Bad request",
    401: "Missing, unknown or revoked API key",
    403: "The key lacks the scope or access",
    404: "Not found (also: another tenant's resource)",
    409: "Conflict with the current state",
    413: "Submission too large",
    415: "Unsupported content type",
    422: "Invalid data: the errors list names row, field and reason",
    429: "Rate limited",
}


PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A PDF document (attachment)",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
PDF_OR_JOB_RESPONSE: dict[int | str, dict[str, Any]] = {
    **PDF_RESPONSE,
    202: {
        "description": "The report is being made by a job (a big city, or `?async=true` / `Prefer: "
        "respond-async`): the job (its `Location`), whose progress moves; once it has succeeded the same "
        "GET answers 200 with the stored PDF (its `result_url`)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobOut"}}},
        "headers": {"Location": {"description": "/v1/jobs/{job_id}", "schema": {"type": "string"}}},
    },
}
DialectQuery = Annotated[
    Literal["plain", "excel-pl"],
    Query(
        description="CSV dialect: `plain` for machines (comma, decimal point, full precision, API names); "
        "`excel-pl` for a Polish spreadsheet (UTF-8 with BOM, semicolon, decimal comma, translated headers "
        "with units, rounded figures)",
        examples=["excel-pl"],
    ),
]
LangQuery = Annotated[
    str,
    Query(
        max_length=16,
        description="Language of what a person reads: pl (default), en or uk; any other value gives Polish",
        examples=["pl"],
    ),
]


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    schema = {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["type", "title", "status", "detail"],
    }
    return {
        code: {
            "description": _TITLES.get(code, "Error"),
            "content": {"application/problem+json": {"schema": schema}},
        }
        for code in codes
    }


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same key with a retried POST to get the first response back; nothing new is stored.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[ -~]+$"},
    "example": "lublin-inventory-2026-11-25-01",
}


def demo_parameter_examples() -> dict[str, Any]:
    """Parameter name -> the demo's record of that kind (``service.demo.ids``): "Try it out" then
    names a record that exists once ``miasto demo`` (``make run``) has loaded the demo city."""
    from service import example_ids as ids

    return {
        "inventory_id": str(ids.INVENTORY), "assessment_id": str(ids.ASSESSMENT),
        "portfolio_id": str(ids.PORTFOLIO_SMALL), "run_id": str(ids.READINESS_RUN),
        "job_id": str(ids.ASSESSMENT_JOB), "advisor_org_id": str(ids.ADVISOR_ORG), "teryt": ids.TERYT,
        "snapshot_id": ids.SNAPSHOT, "version": 1, "from": 1, "to": 1,
        "ids": [str(ids.PORTFOLIO_SMALL), str(ids.PORTFOLIO_LARGE)], "compare": str(ids.PORTFOLIO_LARGE),
    }  # fmt: skip


def _name_examples(operation: dict[str, Any], examples: dict[str, Any]) -> None:
    for param in operation.get("parameters", []):
        if param.get("in") in ("path", "query") and param["name"] in examples:
            value = examples[param["name"]]
            param["example"] = value
            param.get("schema", {}).pop("examples", None)
            param.pop("examples", None)


# service.body refuses NUL in every text (PostgreSQL cannot store it); the schema says so.
NO_NUL = "^[^\\u0000]*$"


# Any JSON value without a NUL in a string or a key, at any depth: what a free-form value (``Any``,
# a mapping's values, an object's other keys) may hold once ``service.body`` has checked it.
NUL_FREE_JSON = "NulFreeJson"
NUL_FREE_REF = {"$ref": f"#/components/schemas/{NUL_FREE_JSON}"}
NUL_FREE_SCHEMA: dict[str, Any] = {
    "description": "any JSON value; no text or key in it holds a NUL character (U+0000)",
    "anyOf": [
        {"type": "string", "pattern": NO_NUL},
        {"type": ["number", "boolean", "null"]},
        {"type": "array", "items": NUL_FREE_REF},
        {"type": "object", "propertyNames": {"pattern": NO_NUL}, "additionalProperties": NUL_FREE_REF},
    ],
}


def _no_nul_in_text(node: Any, request: bool = True) -> None:
    """Every free string (no pattern, format, enum or const) and every object's property names get
    the NUL-free pattern; in what requests send (``request``), every free-form value (an object's
    other keys, untyped items) is the NUL-free JSON value too. So the schema accepts only what
    ``service.body`` accepts (responses may echo any text in their errors)."""
    if isinstance(node, list):
        for item in node:
            _no_nul_in_text(item, request)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & node.keys():
        node["pattern"] = NO_NUL
    if node.get("type") == "object" and node.get("additionalProperties") is not False:
        node.setdefault("propertyNames", {"pattern": NO_NUL})
        if request and node.get("additionalProperties", True) is True:
            node["additionalProperties"] = NUL_FREE_REF
    if request and node.get("type") == "array" and node.get("items", True) in (True, {}):
        node["items"] = NUL_FREE_REF
    for key, value in node.items():
        if key not in ("example", "examples", "default"):
            _no_nul_in_text(value, request and key != "responses")


def _request_components(schema: dict[str, Any]) -> set[str]:
    """Names of the component schemas a request body or parameter reaches (through ``$ref``s)."""
    components = schema.get("components", {}).get("schemas", {})
    found: set[str] = set()
    stack = [op.get(k) for ops in schema.get("paths", {}).values() for op in ops.values()
             if isinstance(op, dict) for k in ("requestBody", "parameters")]  # fmt: skip
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found and name in components:
                    found.add(name)
                    stack.append(components[name])
            stack.extend(node.values())
    return found


def problem_json_everywhere(app: Any) -> None:
    """FastAPI documents its 422 as application/json; ours are application/problem+json."""
    from fastapi.openapi.utils import get_openapi

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            contact=app.contact,
        )
        problem = problem_responses(422)[422]["content"]
        examples = demo_parameter_examples()
        for path in schema.get("paths", {}).values():
            if "post" in path:  # each POST its own example key: two "Try it out" calls never collide
                key = {
                    **IDEMPOTENCY_PARAMETER,
                    "example": f"{path['post']['operationId'][:150]}-2026-12-01-01",
                }
                path["post"].setdefault("parameters", []).append(key)
                # a reused or still running Idempotency-Key is a 409 on every POST
                path["post"].setdefault("responses", {}).setdefault("409", problem_responses(409)[409])
            for operation in path.values():
                _name_examples(operation, examples)
                responses = operation.get("responses", {})
                for code in ("422",):
                    if code in responses:
                        responses[code]["content"] = problem
                        responses[code]["description"] = _TITLES[422]
        schema.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
        schema.get("components", {}).get("schemas", {}).pop("ValidationError", None)
        requested = _request_components(schema)
        _no_nul_in_text(schema.get("paths", {}))
        for name, component in schema.get("components", {}).get("schemas", {}).items():
            _no_nul_in_text(component, request=name in requested)
        schema.setdefault("components", {}).setdefault("schemas", {})[NUL_FREE_JSON] = NUL_FREE_SCHEMA
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi
