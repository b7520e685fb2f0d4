"""The signed session cookie: its serializer built once, a good signature checked once per cookie, and every refusal
Flask makes (a bad signature, another key, an age past the session lifetime) still made."""

from datetime import timedelta

import pytest
from itsdangerous import Signer
from werkzeug.test import EnvironBuilder

from lms.web import sessions


@pytest.fixture
def signature_checks(monkeypatch) -> list[bytes]:
    checked: list[bytes] = []
    verify = Signer.verify_signature

    def counted(self, value, sig):
        checked.append(value)
        return verify(self, value, sig)

    monkeypatch.setattr(Signer, "verify_signature", counted)
    return checked


@pytest.fixture
def moved_clock(monkeypatch):
    """moved_clock(seconds): the session's clock that far from now."""

    def move(seconds: float) -> None:
        now = sessions.time.time()
        monkeypatch.setattr(sessions, "time", type("Clock", (), {"time": staticmethod(lambda: now + seconds)}))

    return move


def cookie_for(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


def opened_session(app, cookie: str):
    """The session a request with this cookie opens (only this one: a request context would open its own too)."""
    request = app.request_class(EnvironBuilder("/", headers={"Cookie": f"session={cookie}"}).get_environ())
    return app.session_interface.open_session(app, request)


def opened(app, cookie: str) -> dict:
    return dict(opened_session(app, cookie))


def test_the_serializer_is_built_once_per_secret_key(app, monkeypatch):
    interface = app.session_interface
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    first = interface.get_signing_serializer(app)
    monkeypatch.setattr(app, "secret_key", "another-secret-key")
    assert interface.get_signing_serializer(app) is not first


@pytest.fixture
def payloads_decoded(app, monkeypatch) -> list[bytes]:
    decoded: list[bytes] = []
    serializer = app.session_interface.get_signing_serializer(app)
    decode = serializer.load_payload

    def counted(payload, *args, **kwargs):
        decoded.append(payload)
        return decode(payload, *args, **kwargs)

    monkeypatch.setattr(serializer, "load_payload", counted)
    return decoded


def test_a_cookie_is_verified_and_decoded_once_and_each_view_gets_its_own_session(app, signature_checks,
                                                                                  payloads_decoded):
    cookie = cookie_for(app, {"_user_id": "1:token:0", "_seen_at": 1_900_000_000, "_fresh": True, "language": "fr"})
    first = opened_session(app, cookie)
    first["language"] = "ko"  # a view changing its session must not change what the next view reads
    second = opened_session(app, cookie)
    assert dict(second) == {"_user_id": "1:token:0", "_seen_at": 1_900_000_000, "_fresh": True, "language": "fr"}
    assert not second.modified
    assert len(signature_checks) == 1 and len(payloads_decoded) == 1


def test_a_session_holding_a_list_is_decoded_for_each_view(app, signature_checks, payloads_decoded):
    cookie = cookie_for(app, {"_flashes": [["info", "Saved."]]})
    opened_session(app, cookie)["_flashes"].append(["info", "Again."])
    assert dict(opened_session(app, cookie)) == {"_flashes": [["info", "Saved."]]}
    assert len(signature_checks) == 1 and len(payloads_decoded) == 3  # once to be kept, then once per view


def test_a_forged_cookie_opens_an_empty_session_every_time(app, signature_checks):
    cookie = cookie_for(app, {"_user_id": "1:token:0"})
    payload, signature = cookie.rsplit(".", 1)
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert opened(app, forged) == {}
    checks_of_one_view = len(signature_checks)
    assert opened(app, forged) == {}
    assert len(signature_checks) == 2 * checks_of_one_view > 0, "a refused cookie is not kept"


def test_a_cookie_signed_with_another_key_is_refused_after_the_key_changed(app, monkeypatch):
    cookie = cookie_for(app, {"language": "fr"})
    assert opened(app, cookie) == {"language": "fr"}
    old_key = app.secret_key
    monkeypatch.setattr(app, "secret_key", "a-new-secret-key")
    assert opened(app, cookie) == {}
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert opened(app, cookie) == {"language": "fr"}, "a fallback key still opens it, as in Flask"


def test_a_kept_cookie_expires_with_the_session_lifetime(app, moved_clock):
    cookie = cookie_for(app, {"language": "fr"})
    assert opened(app, cookie) == {"language": "fr"}
    lifetime = app.permanent_session_lifetime.total_seconds()
    moved_clock(lifetime - 2)
    assert opened(app, cookie) == {"language": "fr"}
    moved_clock(lifetime + 2)
    assert opened(app, cookie) == {}
    moved_clock(-timedelta(minutes=5).total_seconds())
    assert opened(app, cookie) == {}, "a cookie signed in the future is refused, as itsdangerous does"
