"""Pydantic answers about the caller's organisation and the grants a city gives advisors."""

from __future__ import annotations

import uuid

from pydantic import AliasPath, BaseModel, ConfigDict, Field


class MeOut(BaseModel):
    org_id: uuid.UUID
    kind: str = Field(examples=["city"])
    name: str = Field(examples=["Miasto Lublin"])
    teryt: str | None = Field(None, examples=["0663011"])
    scopes: list[str]


class GrantOut(BaseModel):
    # A grant read from its row and its advisor (``GrantOut.model_validate(grant)``).
    model_config = ConfigDict(from_attributes=True, validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    city_org_id: uuid.UUID
    advisor_org_id: uuid.UUID
    advisor_name: str = Field("", validation_alias=AliasPath("advisor", "name"))
    access: str
