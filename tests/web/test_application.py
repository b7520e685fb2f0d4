"""The application class: whether a hook or view is ``async def`` is asked once per function."""

import pytest

from lms.web import application


@pytest.fixture
def coroutine_checks(monkeypatch) -> list:
    checked = []
    check = application.iscoroutinefunction

    def counted(func):
        checked.append(func)
        return check(func)

    monkeypatch.setattr(application, "iscoroutinefunction", counted)
    application._is_coroutine_function.cache_clear()
    yield checked
    application._is_coroutine_function.cache_clear()


def test_a_plain_function_is_inspected_once_and_called_as_it_is(app, coroutine_checks):
    def view():
        return "page"

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view
    assert coroutine_checks == [view]


def test_an_async_function_is_still_handed_to_async_to_sync_every_time(app, coroutine_checks, monkeypatch):
    monkeypatch.setattr(app, "async_to_sync", lambda func: ("run to completion", func))  # Flask's needs asgiref

    async def view():
        return "page"

    assert app.ensure_sync(view) == ("run to completion", view)
    assert app.ensure_sync(view) == ("run to completion", view)
    assert coroutine_checks == [view]


def test_a_callable_that_cannot_be_a_key_is_inspected_each_time(app, coroutine_checks):
    class Unhashable:
        __hash__ = None

        def __call__(self):
            return "page"

    hook = Unhashable()
    assert app.ensure_sync(hook) is hook and app.ensure_sync(hook) is hook
    assert coroutine_checks == [hook, hook]
