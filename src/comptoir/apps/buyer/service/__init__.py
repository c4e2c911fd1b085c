"""The buyer app's use cases: each takes the `Buyer` context and keyword arguments."""
