"""`python -m eventapi.server [--stdio | --tcp PORT]`: run the language server."""

from __future__ import annotations

import argparse

from eventapi.server.main import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eventapi.server")
    parser.add_argument("--stdio", action="store_true", help="serve on stdio (default)")
    parser.add_argument("--tcp", type=int, metavar="PORT", help="serve on 127.0.0.1:PORT")
    args = parser.parse_args(argv)
    serve(args.tcp)


if __name__ == "__main__":
    main()
