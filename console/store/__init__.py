"""Local storage: the shift log (changes as received, bootstraps, outbox, bookmarks)."""
