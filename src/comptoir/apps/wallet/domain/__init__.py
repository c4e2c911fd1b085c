"""The wallet's pure rules: books, fees, parties, states, sign-in, QR reading. Stdlib, the
kernel and `phonenumbers` only: no database, no HTTP."""
