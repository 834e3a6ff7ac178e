"""The world every security test walks, and the database helper that resets it."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.security.world import Database, World, build_world


@pytest.fixture
def world(app: Flask, people: dict) -> World:
    return build_world(people)


@pytest.fixture
def database(app: Flask) -> Database:
    return Database(app)
