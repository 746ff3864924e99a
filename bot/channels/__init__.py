"""Channels translate between a wire format and the engine's Incoming/Answer; no dialogue logic."""
