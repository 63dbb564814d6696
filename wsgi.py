"""Entry point for WSGI servers: `gunicorn wsgi:app`."""

from voting import create_app

app = create_app()
