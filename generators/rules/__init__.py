"""The diagnostics engine: every EAxxx rule over the typed model."""
