#!/usr/bin/env bash
# Installs the real editors the tests in tests/editors/ drive (Debian's neovim, emacs-nox, elpa-eglot).
# Idempotent: does nothing when every package is already installed, and refreshes the apt lists only
# when a package is missing and apt cannot find a candidate for it (a fresh machine's lists may be empty).
set -euo pipefail

PACKAGES=(neovim emacs-nox elpa-eglot)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-editors: already installed: ${PACKAGES[*]}"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

needs_update=0
for pkg in "${missing[@]}"; do
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
        needs_update=1
    fi
done
if [ "$needs_update" -eq 1 ]; then
    echo "install-editors: refreshing apt lists"
    $SUDO apt-get update -q
fi

echo "install-editors: installing ${missing[*]}"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
