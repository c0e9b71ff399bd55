import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# Property-based tests (hypothesis): `make test` runs a fixed, derandomised set of examples so CI is reproducible;
# HYPOTHESIS_PROFILE=explore draws fresh examples each run (what to use when hunting for new failures).
from hypothesis import settings as _hyp_settings

_hyp_settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
_hyp_settings.register_profile("explore", deadline=None, print_blob=True)
_hyp_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
