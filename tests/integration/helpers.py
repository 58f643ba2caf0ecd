"""Job functions the integration tests enqueue on a real worker."""
from __future__ import annotations

import time


def hang(seconds: float) -> str:
    time.sleep(seconds)
    return "done"
