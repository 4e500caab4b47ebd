"""Operator pages under /operator/ (platform superusers only)."""
