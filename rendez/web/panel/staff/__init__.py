"""Panel pages: staff (see urls.py)."""
