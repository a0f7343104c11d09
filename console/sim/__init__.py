"""District simulator: drives the backend only through its public HTTP API."""
