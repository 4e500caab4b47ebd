"""Panel pages: services (see urls.py)."""
