"""Reusable widgets: the paged table and the status bar."""
