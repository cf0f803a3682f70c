"""Intellectual property per source: licence checks, opt-out signals, the IP scan and its summary."""
