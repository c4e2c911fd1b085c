"""Payments: the instant-payment switch between banks, wallets and credit unions.

The block speaks the Mojaloop FSPIOP API to its participants and keeps their money in a
double-entry, append-only ledger with TigerBeetle's semantics (`comptoir.payments.domain`).
It is not wired into the app yet: `register` arrives with the service and the routes.
"""
