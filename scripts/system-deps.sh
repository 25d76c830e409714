#!/usr/bin/env bash
# Installs the system programs chainrule needs (Graphviz's dot; chromium for the browser tests)
# with apt-get when they are missing and we are root; otherwise says how to install them.
set -euo pipefail
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "make: installing ${need[*]} with apt-get (a minute or two; apt-get's progress follows)" >&2
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
else
    echo "chainrule needs: ${need[*]}. Install with: sudo apt-get install ${need[*]}" \
         "(macOS: brew install graphviz)" >&2
    exit 1
fi
