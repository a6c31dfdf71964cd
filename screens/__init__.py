"""Textual screens of orderdesk, one module per screen with its .tcss beside it."""
