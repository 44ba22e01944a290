"""The web process's gunicorn settings (smartbot/gunicorn_config.py) that need no running server; the Procfile's
web itself runs in tests/test_production.py."""

import logging

import pytest

from smartbot import gunicorn_config


class FakeArbiter:
    """What ``when_ready`` reads of gunicorn's arbiter: its configured bind addresses and its logger."""

    def __init__(self):
        self.cfg = type("Config", (), {"bind": ["0.0.0.0:8000"]})()
        self.log = logging.getLogger("test.gunicorn")


@pytest.mark.parametrize(("setting", "warned"), [("0\n", True), ("1\n", False), (None, False)])
def test_the_master_names_where_workers_listen_and_warns_when_waiting_connections_would_be_reset(
    setting, warned, tmp_path, monkeypatch, caplog
):
    path = tmp_path / "tcp_migrate_req"
    if setting is not None:  # None: a kernel without the setting
        path.write_text(setting)
    monkeypatch.setattr(gunicorn_config, "MIGRATE_REQ", str(path))
    with caplog.at_level(logging.INFO, logger="test.gunicorn"):
        gunicorn_config.when_ready(FakeArbiter())
    assert "Workers listen at: 0.0.0.0:8000" in caplog.text
    assert ("tcp_migrate_req is 0" in caplog.text) is warned
