from __future__ import annotations

import pytest
from _modeltest_helpers import scripted
from tests.support.mockserver import MockChatServer


@pytest.fixture()
def server():
    with MockChatServer(scripted) as srv:
        yield srv
