#!/usr/bin/env bash
# Lints proto/ with buf and generates libs/contracts/src/generated with ts-proto.
# --check: generate into a scratch folder and fail if the committed code differs (stale codegen).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/libs/contracts/src/generated"
export PATH="$root/node_modules/.bin:$PATH"
mkdir -p "$root/tmp"
scratch=$(mktemp -d "$root/tmp/proto-gen.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cd "$root/proto"
buf lint
buf generate --include-imports --output "$scratch"
if [ "${1:-}" = "--check" ]; then
  if ! diff -r "$scratch/generated" "$out"; then
    echo "libs/contracts is stale: run 'npm run proto:gen' and commit the result" >&2
    exit 1
  fi
  echo "generated contracts are up to date"
else
  rm -rf "$out"
  cp -r "$scratch/generated" "$out"
  echo "generated $(find "$out" -name '*.ts' | wc -l) files into libs/contracts/src/generated"
fi
