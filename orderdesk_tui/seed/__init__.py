"""Filling an empty store: the bundled demo data set (`seed.demo`)."""
