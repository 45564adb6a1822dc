"""The first-run screen that sets up a real shop in an empty database."""
