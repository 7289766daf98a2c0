"""Python SDK renderer: typed clients per service and protocol."""
