"""Shared test settings.

Property tests (hypothesis) run derandomized: the same examples on every run and machine, so CI is
reproducible and a failure can be rerun. Set HYPOTHESIS_PROFILE=explore to search with fresh random
examples while developing.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
