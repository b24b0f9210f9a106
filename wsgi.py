"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from mentorby.platform.app import create_app

app = create_app()
