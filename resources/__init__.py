"""Files shipped with Tillwright: the till's style sheet and its translations."""
