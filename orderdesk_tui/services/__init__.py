"""Use cases: load, apply domain rules, write, audit and enqueue sync, in one transaction each."""
