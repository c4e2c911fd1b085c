"""The wallet's use cases. Routes, pages and commands call these; only these touch the tables."""
