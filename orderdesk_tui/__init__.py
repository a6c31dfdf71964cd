"""orderdesk: a keyboard-first terminal order desk for B2B distributors.

Textual draws a frame at most every 1/TEXTUAL_FPS s (default 60, read when Textual is first
imported); a key typed just after a worker painted a price then waits up to 16.7 ms for its
frame. 240 keeps that wait under 5 ms (bench/entry_latency.py); frames are only drawn when
something changed, so an idle desk costs nothing more. A TEXTUAL_FPS set by the user wins.
"""

import os

os.environ.setdefault("TEXTUAL_FPS", "240")

__version__ = "0.1.0"
