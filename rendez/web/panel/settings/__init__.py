"""Panel pages: settings (see urls.py)."""
