"""gunicorn's access log without credentials: a problem-report link is the customer's only key to their
report page for 60 days, and a WooCommerce sign-in link a merchant's key to their store's page, so their
tokens never reach a log line (`forewarn serve` uses this logger)."""
from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

TOKEN_IN_PATH = re.compile(r"(/report/|/login/woocommerce/|/u/|/survey/)[^/?\s]+")
#: Query values that are credentials: Wix's signed dashboard `instance` (a day's access) and install `token`.
SECRET_QUERY = re.compile(r"([?&](?:instance|token)=)[^&\s]+")


def mask(text: str) -> str:
    return SECRET_QUERY.sub(r"\1…", TOKEN_IN_PATH.sub(r"\1…", text))


class MaskingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f"):  # request line, path, query, referrer
            if isinstance(atoms.get(key), str):
                atoms[key] = mask(atoms[key])
        return atoms
