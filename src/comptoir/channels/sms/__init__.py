"""The SMS channel: an outbox of text messages, handed to a gateway (or kept for the console)."""
