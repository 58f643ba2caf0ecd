"""gunicorn's access log without customers' credentials: a problem-report link is the customer's only key to
their report page for 60 days, so its token never reaches a log line (`forewarn serve` uses this logger)."""
from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

TOKEN_IN_PATH = re.compile(r"(/report/)[^/?\s]+")


def mask(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1…", text)


class MaskingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):  # request line, path, referrer
            if isinstance(atoms.get(key), str):
                atoms[key] = mask(atoms[key])
        return atoms
