"""Customer-facing documents (acknowledgement, ...) rendered headless as text and PDF."""
