"""The wallet's pure rules: books, fees, parties, states, sign-in, QR reading. Stdlib and kernel
only: no database, no HTTP."""
