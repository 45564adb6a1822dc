"""db/sql.py's statements, each checked through the models on SQLite and PostgreSQL."""
