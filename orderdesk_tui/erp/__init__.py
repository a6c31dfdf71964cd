"""ERP connectors and the sync engine (outbox push, master-data pull)."""
