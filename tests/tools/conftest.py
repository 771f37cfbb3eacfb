"""One parse of the bundled schema per test session, shared by the tools' tests."""

from __future__ import annotations

import pytest

from generator.decode.reader import SchemaIndex
from generator.model import ValidatedSchema
from generator.schema_source import load_validated


@pytest.fixture(scope="session")
def validated_schema() -> ValidatedSchema:
    return load_validated()


@pytest.fixture(scope="session")
def schema_index(validated_schema: ValidatedSchema) -> SchemaIndex:
    return SchemaIndex.build(validated_schema)
