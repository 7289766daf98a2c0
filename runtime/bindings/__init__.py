"""Protocol bindings: pure functions between CloudEvents and broker-neutral message values."""
