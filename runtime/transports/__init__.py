"""Transports: one interface, one module per broker client (each an optional extra)."""
