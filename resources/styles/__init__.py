"""Qt style sheets (QSS) for the till."""
