"""Rendez: appointment booking with automatic video meetings."""
