#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot one benchmark kernel under QEMU with -icount and a fresh swtpm, and
# collect what the guest's ima-bench printed.
#
#   run-guest.sh --kernel BZIMAGE --rootfs IMG --outdir DIR [--timeout SEC]
#                [--tpm]
#
# The guest is scripts/guest/init in test mode: run-tests.sh runs the
# programs of /opt/tests/tests.list (here: ima-bench) with their output on
# ttyS1. DIR receives console.log, tap.log and results.jsonl (the JSON lines
# of tap.log); the exit status is non-zero unless ima-bench finished.
#
# Why not scripts/qemu-test.sh: the benchmark needs a single vCPU and
# -icount shift=0,sleep=off, so that guest time is the instruction count
# (1 ns per instruction, idle time skipped) and runs repeat on a busy host.
# While another QEMU runs on this machine (someone's tests), we wait for it
# for up to BENCH_QEMU_WAIT seconds (default 1800): under -icount the
# numbers would not change, but both runs would take longer.
#
# No TPM by default: IMA then runs TPM-bypass and a measurement costs what
# IMA itself does. With --tpm a fresh swtpm is attached as in
# scripts/qemu-test.sh, but its replies come in host time while the guest
# idles, and sleep=off turns that idle time into arbitrary guest time: the
# numbers of a --tpm run are not instruction counts (see README.md).
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$BENCH/../scripts/lib.sh"

KERNEL_CMDLINE=(console=ttyS0 root=/dev/vda rw rootfstype=ext4 init=/init panic=-1
	rootflags=noinit_itable norandmaps quiet ima_policy=tcb ima_hash=sha256 ima_template=ima-ng ima_ns.mode=test)

usage() {
	sed -n '6,7s/^# //p' "$0" >&2
	exit 2
}

wait_for_other_qemu() {
	local limit=${BENCH_QEMU_WAIT:-1800} waited=0
	while pgrep -f qemu-system >/dev/null; do
		if ((waited >= limit)); then
			note "another QEMU still runs after ${limit}s; starting anyway"
			return
		fi
		((waited == 0)) && note "waiting for another QEMU on this machine to finish"
		sleep 10
		waited=$((waited + 10))
	done
}

main() {
	local kernel='' rootfs='' outdir='' timeout=1800 tpm=0
	while [[ $# -gt 0 ]]; do
		case $1 in
		--kernel) kernel=$(option_value "$@") || exit 2; shift 2 ;;
		--rootfs) rootfs=$(option_value "$@") || exit 2; shift 2 ;;
		--outdir) outdir=$(option_value "$@") || exit 2; shift 2 ;;
		--timeout) timeout=$(option_value "$@") || exit 2; shift 2 ;;
		--tpm) tpm=1 && shift ;;
		*) usage ;;
		esac
	done
	[[ -n $kernel && -n $rootfs && -n $outdir ]] || usage
	[[ -f $kernel ]] || die "no kernel $kernel"
	[[ -f $rootfs ]] || die "no root image $rootfs"
	require_commands qemu-system-x86_64 swtpm timeout pgrep
	mkdir -p "$outdir"
	outdir=$(cd "$outdir" && pwd)
	rm -f "$outdir"/{console.log,tap.log,results.jsonl}

	wait_for_other_qemu
	local sock rc=0 tpm_args=()
	if ((tpm)); then
		sock=$(start_swtpm "$outdir/swtpm")
		# shellcheck disable=SC2064 # expand now: $outdir is local
		trap "stop_swtpm '$outdir/swtpm'" EXIT
		tpm_args=(-chardev "socket,id=chrtpm,path=$sock"
			-tpmdev "emulator,id=tpm0,chardev=chrtpm"
			-device "tpm-tis,tpmdev=tpm0")
	fi
	note "booting $kernel (timeout ${timeout}s); logs in $outdir"
	SECONDS=0
	timeout -k 10 "$timeout" qemu-system-x86_64 -accel tcg -cpu max -smp 1 \
		-m 1024 -icount shift=0,sleep=off -rtc clock=vm \
		-nographic -no-reboot -nic none -monitor none -kernel "$kernel" \
		-append "${KERNEL_CMDLINE[*]} ima_ns.timeout=$timeout" \
		-drive "file=$rootfs,if=virtio,format=raw,cache=unsafe" -snapshot \
		"${tpm_args[@]}" \
		-chardev "file,id=con,path=$outdir/console.log" -serial chardev:con \
		-chardev "file,id=tap,path=$outdir/tap.log" -serial chardev:tap \
		</dev/null || rc=$?
	note "VM ran ${SECONDS}s"
	((rc == 0)) || note "QEMU exited with status $rc"
	tr -d '\r' <"$outdir/tap.log" | grep '^{' >"$outdir/results.jsonl" || true
	grep -q '^{"done":true}$' "$outdir/results.jsonl" ||
		die "ima-bench did not finish; see $outdir/tap.log and console.log"
}

main "$@"
