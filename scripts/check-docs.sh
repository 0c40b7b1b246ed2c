#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The documentation of the overlay builds cleanly.
#
#   check-docs.sh KTREE OUT
#
# Four checks, each one line in the summary:
#   kernel-doc  scripts/kernel-doc -none is silent on every C file of the
#               overlay (new files and patched base files);
#   coverage    every non-static function the overlay adds has a kernel-doc
#               comment (scripts/kernel-doc-coverage.py);
#   htmldocs    make SPHINXDIRS=security htmldocs (in OUT) prints no
#               warning about an overlay document;
#   abi         scripts/get_abi.pl validate says nothing about our ABI
#               files, and what it gives Sphinx is UTF-8.
# The last line is "N passed, N failed".
set -uo pipefail

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$SCRIPTS/.." && pwd)

(($# == 2)) || { echo "usage: $0 KTREE OUT" >&2; exit 2; }
ktree=$(realpath "$1")
mkdir -p "$2"
out=$(realpath "$2")
passed=0 failed=0

result() {
	local name=$1 findings=$2
	if [[ -z $findings ]]; then
		passed=$((passed + 1))
	else
		echo "$findings"
		echo "FAIL docs-$name"
		failed=$((failed + 1))
	fi
}

mapfile -t c_files < <(cd "$REPO" && git ls-files -- drivers fs include \
	kernel security | sed 's/\.patch$//' | grep -E '\.[ch]$')
mapfile -t docs < <(cd "$REPO" && git ls-files -- Documentation |
	sed 's/\.patch$//')

findings=$(cd "$ktree" && scripts/kernel-doc -none "${c_files[@]}" 2>&1)
result kernel-doc "$findings"

findings=$("$SCRIPTS/kernel-doc-coverage.py" "$ktree" "${c_files[@]}" 2>&1)
result coverage "$findings"

make -C "$ktree" O="$out" SPHINXDIRS=security htmldocs >"$out/htmldocs.log" 2>&1
rc=$?
pattern=$(printf '%s\n' "${docs[@]}" "${c_files[@]}" | sed 's/[.]/[.]/g' |
	paste -sd'|')
findings=$(grep -E "$pattern" "$out/htmldocs.log" | grep -Ei 'warning|error')
((rc == 0)) || findings+=$'\n'"htmldocs failed (exit $rc), see $out/htmldocs.log"
result htmldocs "${findings#$'\n'}"

findings=$(cd "$ktree" && scripts/get_abi.pl validate --dir Documentation/ABI 2>&1 |
	grep -E "$(printf '%s\n' "${docs[@]}" | grep ABI/ | sed 's|.*/||' | paste -sd'|')")
# What the ABI pages of htmldocs read: Sphinx fails on a byte that is not
# UTF-8, such as get_abi.pl's separator of What: lines leaking into a title.
(cd "$ktree" && scripts/get_abi.pl rest --dir Documentation/ABI 2>/dev/null) |
	python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' 2>/dev/null ||
	findings+=$'\n'"get_abi.pl rest: output is not UTF-8"
result abi "${findings#$'\n'}"

echo "$passed passed, $failed failed"
((failed == 0))
