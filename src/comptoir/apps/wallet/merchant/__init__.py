"""The merchant API: a merchant customer's own software asks for requests to pay.

A merchant gets an API key (`comptoir wallet merchant api-key ALIAS`); with it, its software
(a seller platform, a till) posts requests to pay, reads their status, and is told by a signed
webhook when each one ends. The request itself is the wallet's ordinary request to pay
(`service.requests`), so the payer sees and approves it in their own wallet.
"""
