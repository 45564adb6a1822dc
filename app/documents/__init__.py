"""Pure documents (receipts; later invoices, labels, reports) and the one locale formatter."""
