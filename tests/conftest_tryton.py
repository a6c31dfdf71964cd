"""The `tryton` fixture: a real Tryton 8.2 on 127.0.0.1 for the whole test session (one per
xdist worker; the first to need the template builds it, the other waits for it).

Enabled from tests/conftest.py. The venv and a seeded template database are cached in
`.cache/tryton/` (see tests/tryton_server.py): the first session builds them (about 1.5 min),
later sessions copy the template and start the server in a few seconds. When the server cannot
be installed or started the tests that use it FAIL with the reason; they never skip.
"""

from collections.abc import Iterator

import pytest
from tryton_server import TrytonServer, TrytonSetupError, start_server


@pytest.fixture(scope="session")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    try:
        server = start_server(tmp_path_factory.mktemp("tryton"))
    except TrytonSetupError as exc:
        pytest.fail(f"cannot start the Tryton test server: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
