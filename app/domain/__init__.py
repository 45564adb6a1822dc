"""Domain rules: money, tax, pricing, catalog, sale and journal, with no I/O."""
