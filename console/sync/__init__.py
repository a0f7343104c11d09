"""Talking to the backend: REST client, live change feed (LiveSource) and the outbox."""
