#!/usr/bin/env bash
# Runs the benchmark suite: weft, SPIN (with and without its partial-order
# reduction) and loom on the same models, one process at a time, each under a
# time and a memory cap, and writes the table to docs/performance.md.
#
#   bash benches/compare.sh --quick        small sizes, short caps (a few minutes)
#   bash benches/compare.sh                the full suite (about an hour)
#   bash benches/compare.sh --install-only install SPIN (apt-get) and stop
#
# Other options are passed to benches/compare.py (`--help` lists them), e.g.
#   --cap 120 --loom-cap 120 --mem-gb 8 --only counter_locked --no-loom
set -euo pipefail
cd "$(dirname "$0")/.."

install_spin() {
    if command -v spin >/dev/null 2>&1; then
        return 0
    fi
    echo "compare.sh: SPIN not found; installing it with apt-get" >&2
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq spin
}

install_spin
command -v gcc >/dev/null || { echo "compare.sh: gcc is needed to compile SPIN's pan" >&2; exit 2; }
for arg in "$@"; do
    if [ "$arg" = "--install-only" ]; then
        spin -V
        exit 0
    fi
done

echo "compare.sh: building weft (release)" >&2
cargo build --release --quiet
exec python3 benches/compare.py "$@"
