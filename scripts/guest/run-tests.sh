#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=dash
# Guest test runner, started by /init. Everything it prints goes to the
# test port (/dev/ttyS1), so console noise never interleaves with TAP:
#
#   # ima-ns: start <kernel release>
#   # ima-ns: kunit <suite>            KTAP of one suite from debugfs
#   # ima-ns: kselftest <name>         output of one program (stdout+stderr)
#   # ima-ns: exit <name> <rc>         its exit code; 124 = timed out
#   # ima-ns: kmemleak <n> suspects    the report itself goes to the console
#   # ima-ns: done
#
# /opt/tests/tests.list names the programs, one per line, relative to
# /opt/tests: "NAME [TIMEOUT_SECONDS]"; blank lines and #-comments are
# skipped. Each runs as root from its own directory, stdin /dev/null, with
# IMA_NS_SCRATCH set to an empty directory on the ext4 root (IMA ignores
# tmpfs). Environment (set by /init from ima_ns.timeout= and ima_ns.only=
# on the kernel command line): IMA_NS_TEST_TIMEOUT, the per-program timeout
# when the list gives none (300 s); IMA_NS_ONLY=NAME[,NAME...], run just those;
# IMA_NS_STRESS=KEY=N[,KEY=N...], the sizes of the stress tests (passed on).
set -eu -o pipefail

TESTS_DIR=/opt/tests
TEST_LIST=$TESTS_DIR/tests.list
TAP_PORT=/dev/ttyS1
KMEMLEAK=/sys/kernel/debug/kmemleak
export IMA_NS_SCRATCH=/var/tmp/ima-ns

marker() { echo "# ima-ns: $*"; }

# Goes to the kernel log, so a splat on the console shows what was running.
log_to_kernel() { echo "ima-ns: $*" >/dev/kmsg 2>/dev/null || true; }

redirect_output_to_test_port() {
	if [ -c "$TAP_PORT" ]; then
		stty -F "$TAP_PORT" raw -echo 2>/dev/null || true
		exec >"$TAP_PORT" 2>&1
	else
		echo "run-tests: no $TAP_PORT, results go to the console" >/dev/console
		exec >/dev/console 2>&1
	fi
}

emit_kunit_results() {
	local results suite
	for results in /sys/kernel/debug/kunit/*/results; do
		[ -r "$results" ] || continue
		suite=${results%/results}
		suite=${suite##*/}
		marker "kunit $suite"
		cat "$results" || true
	done
}

is_selected() {
	local name=$1
	[ -z "${IMA_NS_ONLY:-}" ] && return 0
	case ",$IMA_NS_ONLY," in
	*",$name,"*) return 0 ;;
	esac
	return 1
}

# busybox timeout lets the program die of SIGTERM (then SIGKILL): call that
# a timeout when the time limit has indeed passed.
timed_out() {
	local rc=$1 start=$2 limit=$3
	[ "$rc" -eq 143 ] || [ "$rc" -eq 137 ] || return 1
	[ $(($(date +%s) - start)) -ge "$limit" ]
}

# Shortly before a program's time limit, dump every task's stack to the
# console: a hang then says where it was.
dump_tasks_before() {
	local limit=$1 sleeper
	sleep $((limit > 60 ? limit - 30 : limit)) &
	sleeper=$!
	trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
	wait "$sleeper"
	echo t >/proc/sysrq-trigger 2>/dev/null || true
}

run_kselftest() {
	local name=$1 limit=$2 path=$TESTS_DIR/$1 rc=0 start watchdog
	marker "kselftest $name"
	log_to_kernel "kselftest $name: start"
	rm -rf "$IMA_NS_SCRATCH" || true
	mkdir -p "$IMA_NS_SCRATCH"
	if [ -f "$path" ] && [ -x "$path" ]; then
		start=$(date +%s)
		dump_tasks_before "$limit" &
		watchdog=$!
		(cd "${path%/*}" && exec timeout -k 10 "$limit" "$path") </dev/null || rc=$?
		kill "$watchdog" 2>/dev/null || true
		if timed_out "$rc" "$start" "$limit"; then rc=124; fi
	else
		echo "# $path is not an executable file"
		rc=127
	fi
	log_to_kernel "kselftest $name: exit $rc"
	marker "exit $name $rc"
}

run_kselftests() {
	local name limit rest
	if [ ! -r "$TEST_LIST" ]; then
		echo "# no $TEST_LIST"
		return 0
	fi
	while read -r name limit rest; do
		case $name in
		'' | '#'*) continue ;;
		esac
		is_selected "$name" || continue
		run_kselftest "$name" "${limit:-${IMA_NS_TEST_TIMEOUT:-300}}"
	done <"$TEST_LIST"
}

# kmemleak reports objects unreferenced for two scans; the report goes to
# the console, where the host looks for "unreferenced object".
report_kmemleak() {
	local report=/run/kmemleak.txt
	[ -e "$KMEMLEAK" ] || return 0
	if ! echo scan >"$KMEMLEAK" 2>/dev/null; then
		marker "kmemleak unavailable"
		return 0
	fi
	sleep 5
	echo scan >"$KMEMLEAK" || true
	cat "$KMEMLEAK" >"$report" || true
	cat "$report" >/dev/console || true
	marker "kmemleak $(grep -c 'unreferenced object' "$report" || true) suspects"
}

redirect_output_to_test_port
marker "start $(uname -r)"
emit_kunit_results
run_kselftests
report_kmemleak
marker "done"
