#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make test: every check, and one summary line for them all.
#
#   test-all.sh [--matrix] -- MAKE [ARG...]
#
# The suite, in the foreground: "MAKE prepare", "MAKE kernel", "MAKE
# rootfs", then "MAKE test-vm" (the suite in QEMU on the debug kernel) and
# "MAKE test-vm-appraise-log" (the tests of ima_appraise=, the same kernel
# and image on a host booted in log mode).
# With --matrix, in the background, three chains from the moment the tree
# is prepared: "MAKE series-test" (series-check SERIES_BUILDS=none: the
# series applies with git am, checkpatch --strict on each patch; its
# result reused for the same history) then "MAKE docs" (kernel-doc,
# htmldocs, ABI); the kernel (and root image) of each matrix flavor that
# has no cached result ("MAKE matrix-build-FLAVOR"); and, once the test
# kernel is built, those of the flavors in MATRIX_AFTER_KERNEL (they start
# from its build directory) then "MAKE warnings" (W=1 and sparse on our
# code). The background runs niced, so the suite's build and VM keep
# their speed and the background takes the cycles they leave; its output
# is printed as each of its steps ends. Within it, the chain after the
# test kernel, the longest path, comes first, then the series and docs
# (one process each); the parallel build of the other flavors takes what
# is left, so that it is what ends last. After the suite's VMs, each
# flavor runs in the foreground ("MAKE matrix-FLAVOR": a kernel built, or
# the host tests in a VM), or prints its cached result.
#
# Each step prints its own "N passed, N failed[, N skipped]" last; a step
# that prints none (a build that failed) counts as one failure. Every step
# runs, whatever the one before it did, except what needs a build that
# failed. Then a table of when each step started, its wall and CPU time
# (user+sys of all its processes) and the load; the last line is the sum,
# the exit status 1 when anything failed.
set -uo pipefail

AFTER_KERNEL_NICE=10
TEXT_CHECKS_NICE=15
OWN_BUILDS_NICE=19

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

work=$(mktemp -d)
background=
# On an interrupt, the background goes too.
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	[[ -z $background ]] || kill -- -"$background" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
TIMEFORMAT='%R %U %S'
start=$SECONDS

loadavg() { cut -d' ' -f1 /proc/loadavg; }

# run NAME NICE LIVE [ARG...]: "MAKE ARG..." at niceness NICE, its output
# on the terminal as it comes (LIVE=1) or in $work/NAME.log only; records
# in $work/NAME.time when it started, its wall and CPU seconds and the load
# then. Returns MAKE's status.
run() {
	local name=$1 prio=$2 live=$3 log=$work/$1.log at load rc
	shift 3
	at=$((SECONDS - start))
	load=$(loadavg)
	# In a subshell: the CPU time of the shell's children would also count
	# a background step that ends meanwhile.
	if ((live)); then
		( time nice -n "$prio" "${make_cmd[@]}" "$@" 2>&1 | tee "$log" ) \
			2>"$work/$name.times"
	else
		( time nice -n "$prio" "${make_cmd[@]}" "$@" >"$log" 2>&1 ) \
			2>"$work/$name.times"
	fi
	rc=$?
	echo "$at $(tail -n 1 "$work/$name.times") $load $rc" >"$work/$name.time"
	echo "$name" >>"$work/order"
	return "$rc"
}

# record NAME RC LIVE: the result of step NAME from its log, in
# $work/NAME.result as "passed failed skipped rc"; no summary line is one
# failure, said on the terminal too when the step's output went there.
record() {
	local name=$1 rc=$2 live=$3 line p f s
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/$name.log" 2>/dev/null |
		tail -n 1)
	if [[ -z $line ]]; then
		echo "FAIL $name: no summary (exit $rc)" >>"$work/$name.log"
		((live == 0)) || tail -n 1 "$work/$name.log"
		echo "0 1 0 $rc" >"$work/$name.result"
		return
	fi
	read -r p _ f _ s _ <<<"${line//,/}"
	echo "$p $f ${s:-0} $rc" >"$work/$name.result"
}

# step NAME NICE LIVE [ARG...]: run and record a step that prints a summary.
step() {
	local name=$1 live=$3 rc=0
	run "$@" || rc=$?
	record "$name" "$rc" "$live"
}

# A step that cannot run because what it needs failed to build.
not_built() {
	local name=$1 what=$2
	echo "FAIL $name: $what failed to build" | tee "$work/$name.log"
	echo "0 1 0 1" >"$work/$name.result"
	echo "$name" >>"$work/order"
}

# The output of a background step, in one piece.
show() {
	echo "=== $1 (background)"
	cat "$work/$1.log"
}

# Wait for the file $1, made by the other side, while process $2 lives.
wait_for() {
	while [[ ! -e $1 ]]; do
		[[ -z ${2:-} ]] || kill -0 "$2" 2>/dev/null || return 1
		sleep 2
	done
}

# The series, then the documentation: single-threaded, beside the builds.
run_text_checks() {
	# The series needs the history; a shallow clone has none.
	if [[ $(git rev-parse --is-shallow-repository 2>/dev/null) == false ]]; then
		step series "$TEXT_CHECKS_NICE" 0 series-test
		show series
	else
		echo "SKIP series: not a full clone of the repository" | tee "$work/series.log"
		echo "0 0 1 0" >"$work/series.result"
		echo series >>"$work/order"
	fi
	step docs "$TEXT_CHECKS_NICE" 0 docs
	show docs
}

# Build the kernel of flavor $1 at niceness $2 unless its result is
# cached; it ends with $work/FLAVOR.done beside FLAVOR.cached, .built or
# .failed.
build_flavor() {
	local flavor=$1 prio=$2
	[[ ! -e $work/$flavor.done ]] || return 0
	if run "matrix-build-$flavor" "$prio" 0 "matrix-build-$flavor"; then
		touch "$work/$flavor.built"
	else
		show "matrix-build-$flavor"
		touch "$work/$flavor.failed"
	fi
	touch "$work/$flavor.done"
}

# True when flavor $1 is built from the test kernel's ccache entries.
after_kernel() {
	[[ " ${after_kernel_flavors[*]} " == *" $1 "* ]]
}

# The kernels of the flavors that share nothing with the test kernel,
# from the start.
run_own_builds() {
	local flavor
	for flavor in "${flavors[@]}"; do
		after_kernel "$flavor" || build_flavor "$flavor" "$OWN_BUILDS_NICE"
	done
}

# Once the test kernel is built: the kernels of the flavors that start
# from a copy of its build directory, in their order (the second finds
# most of what it compiles again in the first's ccache entries), then
# W=1/sparse, which compiles part of the test kernel's directory again.
run_after_kernel_builds() {
	local flavor
	wait_for "$work/kernel.done"
	for flavor in "${flavors[@]}"; do
		! after_kernel "$flavor" || build_flavor "$flavor" "$AFTER_KERNEL_NICE"
	done
	if [[ -e $work/kernel.ok ]]; then
		step warnings "$AFTER_KERNEL_NICE" 0 warnings PREBUILT=1
		show warnings
	else
		not_built warnings "the test kernel"
	fi
}

run_background() {
	local flavor
	trap - EXIT INT TERM
	run_text_checks &
	for flavor in "${flavors[@]}"; do
		if run "matrix-cached-$flavor" 0 0 -s "matrix-cached-$flavor"; then
			touch "$work/$flavor.cached" "$work/$flavor.done"
		fi
	done
	run_own_builds &
	run_after_kernel_builds
	wait
}

# Each flavor's step: its cached result, or its check on what the
# background built.
run_matrix() {
	local flavor ext
	for flavor in "${flavors[@]}"; do
		wait_for "$work/$flavor.done" "$background" || {
			not_built "matrix-$flavor" "the background"
			continue
		}
		echo "=== matrix: $flavor"
		if [[ -e $work/$flavor.cached ]]; then
			cat "$work/matrix-cached-$flavor.log"
			for ext in log time; do
				mv "$work/matrix-cached-$flavor.$ext" "$work/matrix-$flavor.$ext"
			done
			echo "matrix-$flavor" >>"$work/order"
			record "matrix-$flavor" 0 1
		elif [[ -e $work/$flavor.built ]]; then
			# Not PREBUILT: an edit since the build is built
			# in, as its cached result's key says.
			step "matrix-$flavor" 0 1 "matrix-$flavor"
		else
			not_built "matrix-$flavor" "its kernel"
		fi
	done
}

flavors=() after_kernel_flavors=()
if ((matrix)); then
	mapfile -t flavors < <("${make_cmd[@]}" -s print-matrix-flavors | tr ' ' '\n')
	read -r -a after_kernel_flavors < <("${make_cmd[@]}" -s print-matrix-after-kernel)
fi

# The suite's VMs, or the failure of the build they need.
suite_not_built() {
	not_built suite "$1"
	not_built suite-appraise-log "$1"
}

echo "=== prepare"
if ! run prepare 0 1 prepare; then
	suite_not_built "the prepared tree"
	touch "$work/kernel.done"
	matrix=0
fi
if ((matrix)); then
	# Its own process group, so that an interrupt stops all of it.
	set -m
	run_background </dev/null &
	background=$!
	set +m
fi
if [[ ! -e $work/kernel.done ]]; then
	echo "=== kernel"
	run kernel 0 1 kernel && touch "$work/kernel.ok"
	touch "$work/kernel.done"
	if [[ ! -e $work/kernel.ok ]]; then
		suite_not_built "the test kernel"
	else
		echo "=== rootfs"
		if run rootfs 0 1 rootfs PREBUILT=1; then
			echo "=== suite"
			step suite 0 1 test-vm PREBUILT=1
			# The same kernel and image, the host booted with
			# ima_appraise=log; after the suite, not beside it: a
			# starved debug guest reports hung tasks.
			echo "=== suite-appraise-log"
			step suite-appraise-log 0 1 test-vm-appraise-log PREBUILT=1
		else
			suite_not_built "the root image"
		fi
	fi
fi
if ((matrix)); then
	run_matrix
	wait "$background"
	background=
fi

# The table, in the order the steps started, and the totals.
passed=0 failed=0 skipped=0 status=0
elapsed=$((SECONDS - start))
echo "=== timing (cpu: user+sys of all its processes; load: 1-minute average at its start)"
printf '%-26s %8s %8s %8s %6s  %s\n' step start wall cpu load result
while read -r name; do
	at=- wall=- cpu=- load=- rc=0 secs=$elapsed
	# A lookup that found nothing: the flavor's own lines follow.
	[[ $name != matrix-cached-* ]] || continue
	if [[ -f $work/$name.time ]]; then
		read -r at wall user sys load rc <"$work/$name.time"
		wall=$(printf '%.0fs' "$wall")
		cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0fs", u + s }')
		secs=$at
		at=$(printf '+%dm%02ds' $((at / 60)) $((at % 60)))
	elif [[ ! -f $work/$name.result ]]; then
		continue
	fi
	if [[ -f $work/$name.result ]]; then
		read -r p f s rc <"$work/$name.result"
		passed=$((passed + p))
		failed=$((failed + f))
		skipped=$((skipped + s))
		((rc == 0 && f == 0)) || status=1
		result="$p passed, $f failed, $s skipped"
		! grep -q '^cached: ' "$work/$name.log" || result+=" (cached)"
	elif ((rc == 0)); then
		result=ok
	else
		result="FAILED (exit $rc)"
	fi
	printf '%d %-26s %8s %8s %8s %6s  %s\n' "$secs" "$name" "$at" "$wall" "$cpu" \
		"$load" "$result" >>"$work/table"
done < <(awk '!seen[$0]++' "$work/order")
sort -s -n -k1,1 "$work/table" | cut -d' ' -f2-
printf 'make test: %dm%02ds wall, load %s at the end\n' $((elapsed / 60)) \
	$((elapsed % 60)) "$(loadavg)"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
