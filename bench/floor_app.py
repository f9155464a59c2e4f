"""The API floor: a bare Flask JSON endpoint, served by the same gunicorn settings."""
from flask import Flask

app = Flask(__name__)


@app.get("/floor")
def floor():
    return {"ok": True, "amount": "978282.00"}
