"""Filling an empty store: the bundled demo data set (`seed.demo`) and the generated benchmark
data set (`seed.scale`)."""
