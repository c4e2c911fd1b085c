"""The gateway (BG): fans discover out to seller platforms and answers from its index."""
