"""EventAPI runtime: CloudEvent model, codecs, protocol bindings and transports."""
