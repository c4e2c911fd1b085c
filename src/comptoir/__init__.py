"""Comptoir: open digital public infrastructure for inclusive e-commerce."""

__version__ = "0.1.0"

# Every block the node can serve, in mounting order. A block is a package whose `register`
# wires its routes and commands; `COMPTOIR_BLOCKS` (or `serve --blocks`) picks a subset. The
# list lives here, not in `app.py`, so that a command starts without loading the web stack.
KNOWN_BLOCKS: tuple[str, ...] = (
    "home",
    "identity",
    "payments",
    "network",
    "channels.sms",
    "apps.wallet",
    "apps.seller",
    "apps.buyer",
)
