"""The backend's HTTP rooms: one module per resource, each an ``APIRouter``.

A route module only speaks HTTP (parameters, auth rules, status codes) and calls the service
module of ``console.server`` that holds the logic, usually of the same name:
``routes/cases.py`` calls ``console.server.cases``, ``routes/feed.py`` calls
``console.server.feed``, ``routes/open311.py`` calls ``console.server.open311``. Telemetry is
served by ``routes/vehicles.py`` (the URLs and the OpenAPI tag say vehicles). Every router
reaches the backend's ``Context`` through the ``Ctx`` dependency (``deps.py``), never through
a closure, so a router is a plain module-level object that ``create_app`` includes.

Handlers explain themselves in comments, not docstrings: FastAPI would publish a docstring as
the operation's description in ``/openapi.json``, and the published API is kept as it was.
"""
