"""Proto syntax: tolerant lexer and parser producing a positioned syntax tree."""
