"""Panel pages: calendar (see urls.py)."""
