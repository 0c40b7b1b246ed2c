#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Summarise a qemu-test.sh run directory.
#
#   tap-summary.sh DIR
#
# Reads DIR/tap.log (the markers of scripts/guest/run-tests.sh) and
# DIR/console.log, prints each failed and skipped test, then one last line
# "N passed, N failed, N skipped"; exits 1 if anything failed.
#   KUnit: every test case of a suite counts (a parameterised case once).
#   kselftest: every top-level result of a program counts; "# SKIP" is a
#   skip, "# XFAIL" a pass. A program adds one failure when it timed out,
#   exited neither 0 nor 4 (skip) without a failing result, printed fewer
#   results than planned, or never finished. A program that prints no
#   result at all counts once, by its exit code.
#   Also one failure each: kernel-splat (oops, WARN, lockdep, KASAN,
#   kmemleak, ... on the console), vm-did-not-finish (no "done" marker),
#   no-tests (nothing ran).
set -euo pipefail

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$SCRIPTS/lib.sh"

SPLAT_PATTERN='BUG:|WARNING:|KASAN:|UBSAN:|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|unreferenced object|Kernel panic|Oops:|general protection fault|INFO: task .* blocked|list_add corruption|list_del corruption'

# Prints "FAIL name" / "SKIP name" lines, then "counts PASSED FAILED SKIPPED".
# shellcheck disable=SC2016 # awk program
COUNT_RESULTS='
function indent_of(line) { match(line, /^[ \t]*/); return RLENGTH }

# Parse a TAP result line into res_ok, res_name, res_directive.
function parse_result(line,   rest, hash) {
	sub(/^[ \t]+/, "", line)
	res_ok = (line !~ /^not /)
	sub(/^(not )?ok[ \t]*[0-9]*[ \t]*(- )?/, "", line)
	hash = index(line, "#")
	res_directive = ""
	if (hash) {
		res_directive = toupper(substr(line, hash + 1))
		sub(/^[ \t]+/, "", res_directive)
		line = substr(line, 1, hash - 1)
	}
	sub(/[ \t]+$/, "", line)
	res_name = line
}

function count(ok, directive, name) {
	if (directive ~ /^SKIP/) {
		skipped++
		print "SKIP " name
	} else if (ok || directive ~ /^XFAIL/) {
		passed++
	} else {
		failed++
		print "FAIL " name
	}
}

# KUnit: results nested one level below the suite line are test cases.
function end_kunit(   i, top, level, cases, case_failed) {
	top = -1
	for (i = 1; i <= n; i++)
		if (top < 0 || depth[i] < top)
			top = depth[i]
	level = -1
	for (i = 1; i <= n; i++)
		if (depth[i] > top && (level < 0 || depth[i] < level))
			level = depth[i]
	for (i = 1; i <= n; i++) {
		if (depth[i] != level)
			continue
		parse_result(result[i])
		count(res_ok, res_directive, "kunit " suite "." res_name)
		cases++
		case_failed += !res_ok && res_directive !~ /^(SKIP|XFAIL)/
	}
	for (i = 1; i <= n; i++) {
		if (depth[i] != top)
			continue
		parse_result(result[i])
		if (!cases)
			count(res_ok, res_directive, "kunit " suite)
		else if (!res_ok && !case_failed)
			count(0, "", "kunit " suite " (suite failed)")
	}
	n = 0
}

function end_kselftest(rc,   name) {
	name = "kselftest " prog
	if (!results) {
		if (rc == 4)
			count(1, "SKIP", name)
		else
			count(rc == 0, "", name (rc == "" ? " (did not finish)" : rc == 124 ? " (timed out)" : " (exit " rc ")"))
	} else if (rc == "") {
		count(0, "", name " (did not finish)")
	} else if (rc == 124) {
		count(0, "", name " (timed out)")
	} else if (!failures && rc != 0 && rc != 4) {
		count(0, "", name " (exit " rc ")")
	} else if (!failures && plan > results) {
		count(0, "", name " (planned " plan ", ran " results ")")
	}
}

function end_section() {
	if (section == "kunit")
		end_kunit()
	else if (section == "kselftest")
		end_kselftest("")
	section = ""
}

{ sub(/\r$/, "") }

/^# ima-ns: exit / && section == "kselftest" {
	end_kselftest($NF)
	section = ""
	next
}
/^# ima-ns: / {
	end_section()
	if ($3 == "kunit") {
		section = "kunit"; suite = $4; n = 0
	} else if ($3 == "kselftest") {
		section = "kselftest"; prog = $4
		results = failures = plan = 0
	}
	next
}
section == "kunit" && /^[ \t]*(not )?ok( |$)/ {
	depth[++n] = indent_of($0)
	result[n] = $0
	next
}
section == "kselftest" && /^1\.\.[0-9]+/ {
	plan = substr($1, 4) + 0
	next
}
section == "kselftest" && /^(not )?ok( |$)/ {
	parse_result($0)
	results++
	failures += !res_ok && res_directive !~ /^(SKIP|XFAIL)/
	count(res_ok, res_directive, "kselftest " prog ": " res_name)
}
END {
	end_section()
	printf "counts %d %d %d\n", passed, failed, skipped
}
'

summarise() {
	local tap=$1/tap.log console=$1/console.log report counts
	local passed failed skipped

	[[ -f $tap ]] || tap=/dev/null
	report=$(awk "$COUNT_RESULTS" "$tap")
	counts=$(tail -n 1 <<<"$report")
	sed '$d' <<<"$report"
	read -r _ passed failed skipped <<<"$counts"

	if ((passed + failed + skipped == 0)); then
		echo "FAIL no-tests"
		failed=$((failed + 1))
	fi
	if [[ -f $console ]] && grep -qE "$SPLAT_PATTERN" "$console"; then
		echo "FAIL kernel-splat; first matches in $console:"
		tr -d '\r' <"$console" | grep -nE -m 3 -B 2 -A 15 "$SPLAT_PATTERN" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
	if ! grep -q '^# ima-ns: done' "$tap" 2>/dev/null; then
		echo "FAIL vm-did-not-finish"
		failed=$((failed + 1))
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
	((failed == 0))
}

[[ $# -eq 1 && -d $1 ]] || die "usage: $PROG DIR (a qemu-test.sh output directory)"
summarise "$1"
