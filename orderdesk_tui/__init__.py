"""orderdesk: a keyboard-first terminal order desk for B2B distributors."""

__version__ = "0.1.0"
