"""Fixtures for the pure-domain tests (tokens, count, verifier)."""

import sys
from pathlib import Path

import pytest

try:  # the project may not be installed (e.g. `pytest tests/domain` from a bare checkout)
    import voting.domain.counting  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from .builder import build_export  # noqa: E402


@pytest.fixture(scope="session")
def built_template():
    return build_export()


@pytest.fixture
def built(built_template):
    """A complete, valid, signed export (a fresh deep copy for each test to tamper with)."""
    return built_template.copy()
