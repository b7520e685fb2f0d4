"""Entry point for gunicorn and `flask`: `gunicorn wsgi:app`."""

from lms import create_app

app = create_app()
