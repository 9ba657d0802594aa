#!/usr/bin/env bash
# Runs every README code block marked ```sh runnable, in order, as written, from the project root.
set -euo pipefail
cd "$(dirname "$0")/.."
script=$(awk '/^```sh runnable$/{f=1;next} /^```$/{f=0} f' README.md)
if [ -z "$script" ]; then echo "no runnable blocks in README.md" >&2; exit 1; fi
echo "--- README runnable blocks:"; echo "$script"; echo "---"
bash -euo pipefail -c "$script"
