"""How the test apps are driven and instrumented: one place for each kind of door."""

from __future__ import annotations

from typing import Any


def asgi_client(app: Any) -> Any:
    from fastapi.testclient import TestClient

    return TestClient(app)


def asgi_instrument(app: Any, trail: Any) -> Any:
    from auditmw_starlette import instrument_app

    return instrument_app(app, trail)


def flask_client(app: Any) -> Any:
    """Flask's test client, reading and closing every response as a real server does
    (the test client otherwise leaves the body unread, so the request never ends)."""
    from flask.testing import FlaskClient

    class ReadingClient(FlaskClient):
        def open(self, *args: Any, **kwargs: Any) -> Any:
            response = super().open(*args, **kwargs)
            response.get_data()
            response.close()
            return response

    app.test_client_class = ReadingClient
    return app.test_client()


def flask_instrument(app: Any, trail: Any) -> Any:
    from auditmw_flask import init_app

    return init_app(app, trail)
