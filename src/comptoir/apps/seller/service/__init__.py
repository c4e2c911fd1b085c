"""The seller platform's use cases: each takes the `Seller` context and keyword arguments."""
