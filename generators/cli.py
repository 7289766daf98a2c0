"""Command-line front end (placeholder until the core lands)."""


def main() -> int:
    """Entry point of eventapi-lsp."""
    return 0
