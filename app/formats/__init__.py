"""Pure parsers of outside data; each raises ParseError with a message a person can act on."""
