"""Reference backend: FastAPI + SQLAlchemy, change feed, auth, Open311 facade."""
