"""Reports read from the store: plain rows for the screen and CSV for export."""
