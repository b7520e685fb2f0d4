"""Behind a reverse proxy the client's address comes from X-Forwarded-For, and only then."""

import logging

import pytest

import config


class BehindOneProxy(config.TestConfig):
    TRUSTED_PROXIES = 1


class ReachedDirectly(config.TestConfig):
    TRUSTED_PROXIES = 0


def client_address_seen(app, caplog) -> str:
    caplog.set_level(logging.INFO, logger="lms.access")
    caplog.clear()
    app.test_client().get("/courses/", headers={"X-Forwarded-For": "203.0.113.9"},
                          environ_base={"REMOTE_ADDR": "10.0.0.2"})
    (record,) = [record for record in caplog.records if record.name == "lms.access"]
    return record.remote_addr


def test_the_address_the_proxy_forwarded_is_the_clients(db, other_app, caplog):
    assert client_address_seen(other_app(BehindOneProxy), caplog) == "203.0.113.9"


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(db, other_app, caplog):
    assert client_address_seen(other_app(ReachedDirectly), caplog) == "10.0.0.2"


@pytest.mark.parametrize("config_class, separate", [(BehindOneProxy, True), (ReachedDirectly, False)])
def test_rate_limits_count_per_client_only_behind_a_trusted_proxy(db, other_app, config_class, separate):
    class Limited(config_class):
        RATELIMIT_LOGIN = "2 per minute"

    client = other_app(Limited).test_client()

    def log_in_from(address: str) -> int:
        return client.post("/login", data={"email": "nobody@example.org", "password": "wrong password"},
                           headers={"X-Forwarded-For": address}, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code

    assert [log_in_from("203.0.113.1") for _ in range(3)][-1] == 429
    assert (log_in_from("203.0.113.2") != 429) is separate
