#!/usr/bin/env bash
# Builds, lints, tests and packages the VS Code extension; `make test` calls this.
# Leaves the installable package in vscode-extension/build/eventapi-<version>.vsix.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund
npm run lint
npm run compile
npm test
# The extension's requests against the real eventapi-lsp of the repository's .venv (make venv).
npm run test:server
mkdir -p build
# No repository field: the extension lives in a monorepo that is not published anywhere yet.
npx --no-install vsce package --allow-missing-repository --out build/
ls -l build/*.vsix
