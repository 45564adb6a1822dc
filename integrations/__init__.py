"""Outside systems over the network: web stores, mail, the outbox worker, the secret store.

Empty until the web-orders issue lands; follows the same rule as its siblings: imports app only.
"""
