"""Receipt, label and PDF rendering and printer transports (ESC/POS, ZPL).

Empty until the printing issue lands: the till shows receipts as text on screen for now.
"""
