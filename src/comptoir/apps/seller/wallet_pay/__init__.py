"""Payment by request to pay: the business's wallet asks the buyer's wallet, over its API.

A business links its wallet (the institution's merchant API address and an API key). When a
buyer confirms an order paid "with my wallet", the platform asks the business's wallet for a
request to pay to the buyer's phone; the buyer approves it in their own wallet; the wallet's
signed webhook (or a status poll) tells the platform, which marks the order paid and tells the
buyer app with an on_status. The platform and the wallet share no code: only HTTP.
"""
