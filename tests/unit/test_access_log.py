"""`forewarn serve`'s access log never holds a customer's report-link token."""
from __future__ import annotations

import datetime
from types import SimpleNamespace

from gunicorn.config import Config

from web.access_log import MaskingLogger


def test_report_tokens_are_masked_in_the_access_log() -> None:
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/report/eyJzIjoxfQ.aw39gw.sig?sent=4", "PATH_INFO": "/report/eyJzIjoxfQ.aw39gw.sig",
               "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": "sent=4", "HTTP_REFERER": "https://f.example/report/eyJz.x.y",
               "REMOTE_ADDR": "203.0.113.9"}
    atoms = MaskingLogger(Config()).atoms(SimpleNamespace(status="303 SEE OTHER", sent=0, headers=[]), SimpleNamespace(headers=[]),
                                          environ, datetime.timedelta(seconds=0.01))
    line = " ".join(str(atoms[k]) for k in ("r", "U", "f"))
    assert "eyJz" not in line and atoms["r"] == "POST /report/…?sent=4 HTTP/1.1" and atoms["U"] == "/report/…"


def test_wix_signed_instances_and_install_tokens_are_masked() -> None:
    from web.access_log import mask

    assert mask("GET /admin/wix?instance=sig.payload&locale=en HTTP/1.1") == "GET /admin/wix?instance=…&locale=en HTTP/1.1"
    assert mask("/install/wix?token=abc") == "/install/wix?token=…"
    assert mask("/login/woocommerce/eyJzaG9w.x.y") == "/login/woocommerce/…"
