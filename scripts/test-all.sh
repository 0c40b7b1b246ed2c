#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make test: every check, and one summary line for them all.
#
#   test-all.sh [--matrix] -- MAKE [ARG...]
#
# Runs "MAKE test-vm" (the suite in QEMU on the debug kernel), "MAKE
# test-vm-appraise-log" (the tests of ima_appraise=, on a host booted in
# log mode) and, with
# --matrix, "MAKE warnings" (W=1 and sparse on our code), "MAKE docs"
# (kernel-doc, htmldocs, ABI), "MAKE series-check SERIES_BUILDS=none" (the
# series applies with git am, checkpatch --strict on each patch) and
# "MAKE matrix-FLAVOR" for each configuration of the matrix. Each step prints
# its own "N passed, N failed[, N skipped]" last; a step that prints none
# (a build that failed) counts as one failure. Every step runs, whatever
# the one before it did. The last line is the sum; the exit status is 1
# when anything failed.
set -uo pipefail

matrix=0
while (($#)) && [[ $1 != -- ]]; do
	case $1 in
	--matrix) matrix=1 ;;
	*) echo "usage: $0 [--matrix] -- MAKE [ARG...]" >&2; exit 2 ;;
	esac
	shift
done
(($#)) && shift
(($#)) || { echo "usage: $0 [--matrix] -- MAKE [ARG...]" >&2; exit 2; }
make_cmd=("$@")

log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 skipped=0 status=0

# Run one step and add its summary to the totals.
step() {
	local name=$1 rc line p f s
	shift
	"${make_cmd[@]}" "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [[ -z $line ]]; then
		echo "FAIL $name: no summary (exit $rc)"
		failed=$((failed + 1))
		status=1
		return
	fi
	read -r p _ f _ s _ <<<"${line//,/}"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + ${s:-0}))
	((rc == 0 && f == 0)) || status=1
}

step suite test-vm
# The same kernel and image, the host booted with ima_appraise=log.
step suite-appraise-log test-vm-appraise-log
if ((matrix)); then
	step warnings warnings
	step docs docs
	# The series needs the history; a shallow clone has none.
	if [[ $(git rev-parse --is-shallow-repository 2>/dev/null) == false ]]; then
		step series series-check SERIES_BUILDS=none
	else
		echo "SKIP series: not a full clone of the repository"
		skipped=$((skipped + 1))
	fi
	for flavor in $("${make_cmd[@]}" -s print-matrix-flavors); do
		echo "=== matrix: $flavor"
		step "matrix-$flavor" "matrix-$flavor"
	done
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
