"""Domain rules of digital city management, pure Python: used by both the backend and the console."""
