#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: pristine 6.12 against the patched kernel, same machine, same
# run, same config, under QEMU -icount.
#
#   run-bench.sh --ktree TREE --out DIR [--runs N] [--only base|patched]
#                [--tpm]
#
# Builds (or reuses) both kernels (build-kernels.sh), the static ima-bench
# and a root image with it (scripts/mkrootfs.sh), boots each kernel N times
# (run-guest.sh; N >= 2 also reports the run-to-run spread), then prints the
# table and writes DIR/results.json and DIR/depth.png (report.sh). Guest
# logs are under DIR/out/KERNEL/runI/. --tpm attaches a swtpm to the guests
# (see run-guest.sh: its numbers are not instruction counts).
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
SCRIPTS=$BENCH/../scripts
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$SCRIPTS/lib.sh"

usage() {
	sed -n '5,6s/^# //p' "$0" >&2
	exit 2
}

# The guest program, static, rebuilt when its source changes.
build_guest_program() {
	local dir=$1 bin=$1/ima-bench src=$BENCH/ima-bench.c
	mkdir -p "$dir"
	if [[ ! -x $bin || $src -nt $bin ]]; then
		gcc -static -O2 -Wall -Wextra -Werror -o "$bin" "$src"
	fi
	# run-tests.sh format: NAME TIMEOUT_SECONDS
	echo "ima-bench 1500" >"$dir/tests.list"
}

build_rootfs() {
	local tests=$1 image=$2
	if [[ -f $image && ! $tests/ima-bench -nt $image ]]; then
		return 0
	fi
	"$SCRIPTS/mkrootfs.sh" --out "$image" --tests "$tests"
}

main() {
	local ktree='' out='' runs=1 only='' kernels=(base patched) kernel run
	local guest_args=()
	while [[ $# -gt 0 ]]; do
		case $1 in
		--ktree) ktree=$(option_value "$@") || exit 2; shift 2 ;;
		--out) out=$(option_value "$@") || exit 2; shift 2 ;;
		--runs) runs=$(option_value "$@") || exit 2; shift 2 ;;
		--only) only=$(option_value "$@") || exit 2; shift 2 ;;
		--tpm) guest_args+=(--tpm) && shift ;;
		*) usage ;;
		esac
	done
	[[ -n $ktree && -n $out && $runs =~ ^[1-9][0-9]*$ ]] || usage
	[[ -z $only || $only == @(base|patched) ]] || usage
	[[ -z $only ]] || kernels=("$only")
	require_commands gcc jq gnuplot qemu-system-x86_64 swtpm
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	SECONDS=0

	"$BENCH/build-kernels.sh" --ktree "$ktree" --out "$out"
	build_guest_program "$out/guest"
	build_rootfs "$out/guest" "$out/rootfs.img"
	for kernel in "${kernels[@]}"; do
		rm -rf "$out/out/$kernel"
		for ((run = 1; run <= runs; run++)); do
			note "$kernel: run $run of $runs"
			"$BENCH/run-guest.sh" --kernel "$out/obj/$kernel/arch/x86/boot/bzImage" \
				--rootfs "$out/rootfs.img" --outdir "$out/out/$kernel/run$run" \
				"${guest_args[@]}"
		done
	done
	"$BENCH/report.sh" "$out"
	note "done in ${SECONDS}s"
}

main "$@"
