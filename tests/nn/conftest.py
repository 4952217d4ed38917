"""One torch thread per test: the CI machine is shared, and oversubscribed threads
make tiny models slower, not faster."""

import pytest
import torch


@pytest.fixture(autouse=True)
def single_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
