# scratch (ownership helper): the new module against a prebuilt shared demo; deleted when done
from pathlib import Path

import pytest

from tests.defs._own_new import *  # noqa: F403


@pytest.fixture(scope="session")
def shared_demo(pg_admin):
    from tests.support.shared_demo import build_or_join

    return build_or_join(Path("/tmp/own_scratch/demo"), pg_admin)
