"""Django's SQLite backend with writers queued fairly (base.py); settings.py selects it for SQLite."""
