"""Shared test settings.

Property tests (hypothesis) run derandomized: the same examples on every run and machine, so CI is
reproducible and a failure can be rerun. Set HYPOTHESIS_PROFILE=explore to search with fresh random
examples while developing.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def instrument_1_0_0(monkeypatch):
    """Make instrument 1.0.0 the default for one test.

    Since 2.0.0 became the default, a study collected with 1.0.0 names its instrument (``instrument:
    "1.0.0"`` in study.yaml, or ``instrument=load_instrument("1.0.0")``). Tests of readers whose files
    were written with the 1.0.0 form (one form for every role: the edge cases of test_io_columnar.py and
    readers called without an instrument) use this fixture instead of repeating the argument in every
    call; the readers behave the same for both versions, and 2.0.0 files have tests of their own (the
    bad-input corpus is written for 2.0.0 and names 1.0.0 for its v1/ files).
    """
    import assetinv.instrument

    monkeypatch.setattr(assetinv.instrument, "DEFAULT_VERSION", "1.0.0")


@pytest.fixture(scope="module")
def v2():
    """Instrument 2.0.0 (a fresh copy per test module)."""
    from assetinv import load_instrument

    return load_instrument("2.0.0")


@pytest.fixture(scope="module")
def pb(v2):
    """The 2.0.0 playbook."""
    from assetinv import load_playbook

    return load_playbook(instrument=v2)
