"""gunicorn settings for the settlement service, for running gunicorn directly:

    gunicorn -c deploy/gunicorn.conf.py

(``settlement serve`` uses the same settings without this file.) Read from the
environment: HOST (0.0.0.0), PORT (8000), WORKERS (2), WORKER_TIMEOUT (120),
LOG_LEVEL (INFO); GUNICORN_CMD_ARGS and command-line options override them.
Logs: gunicorn's error log and access log as JSON lines (settlement.logs).
Run ``settlement db upgrade`` first: this file does not migrate.
"""
from settlement.config import serve_settings

# The application: built by the factory in each worker (no FLASK_APP, any working directory).
wsgi_app = "settlement:create_app()"

globals().update(serve_settings())
