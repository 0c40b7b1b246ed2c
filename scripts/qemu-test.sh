#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot a kernel under QEMU (TCG) with a fresh swtpm TPM 2.0 and the root
# image from mkrootfs.sh (used copy-on-write: the image is not modified).
#
#   qemu-test.sh --kernel BZIMAGE --rootfs IMG --outdir DIR
#                [--mode test|shell|demo] [--timeout SEC] [--memory MB]
#                [--append "extra kernel command line"]
#
# DIR receives console.log (ttyS0), tap.log (ttyS1, the test port) and
# swtpm/. In test mode the run is bounded by --timeout (default 1200 s) and
# the exit status is that of tap-summary.sh DIR. In shell and demo modes
# the console is the terminal (Ctrl-A X quits QEMU) and is also logged.
set -euo pipefail

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$SCRIPTS/lib.sh"

# No oops=panic: an oops is reported, the run goes on and the summary fails.
# The kernels have no ACPI (scripts/test-guest.config): tpm_tis is told to
# look for the TPM at its usual address.
KERNEL_CMDLINE=(console=ttyS0 root=/dev/vda rw rootfstype=ext4 init=/init panic=-1
	printk.devkmsg=on kunit.enable=1 tpm_tis.force=1
	ima_policy=tcb ima_hash=sha256 ima_template=ima-ng)

usage() {
	sed -n '6,8s/^# //p' "$0" >&2
	exit 2
}

# QEMU's serial ports, one argument a line: ttyS0 = console, ttyS1 = test
# port. The console goes to a file in test mode, else to the terminal too.
serial_args() {
	local mode=$1 outdir=$2
	if [[ $mode == test ]]; then
		printf '%s\n' -monitor none -chardev "file,id=con,path=$outdir/console.log"
	else
		printf '%s\n' -chardev "stdio,id=con,mux=on,signal=off,logfile=$outdir/console.log" \
			-mon chardev=con,mode=readline
	fi
	printf '%s\n' -serial chardev:con \
		-chardev "file,id=tap,path=$outdir/tap.log" -serial chardev:tap
}

main() {
	local kernel='' rootfs='' outdir='' mode=test timeout=1200 memory=1024 append=''
	while [[ $# -gt 0 ]]; do
		case $1 in
		--kernel) kernel=$(option_value "$@") || exit 2; shift 2 ;;
		--rootfs) rootfs=$(option_value "$@") || exit 2; shift 2 ;;
		--outdir) outdir=$(option_value "$@") || exit 2; shift 2 ;;
		--mode) mode=$(option_value "$@") || exit 2; shift 2 ;;
		--timeout) timeout=$(option_value "$@") || exit 2; shift 2 ;;
		--memory) memory=$(option_value "$@") || exit 2; shift 2 ;;
		--append) append=$(option_value "$@") || exit 2; shift 2 ;;
		*) usage ;;
		esac
	done
	[[ -n $kernel && -n $rootfs && -n $outdir ]] || usage
	[[ $mode == @(test|shell|demo) ]] || die "--mode must be test, shell or demo"
	[[ -f $kernel ]] || die "no kernel $kernel"
	[[ -f $rootfs ]] || die "no root image $rootfs"
	require_commands qemu-system-x86_64 swtpm timeout
	mkdir -p "$outdir"
	outdir=$(cd "$outdir" && pwd)
	rm -f "$outdir/console.log" "$outdir/tap.log"

	local sock serial qemu rc=0
	sock=$(start_swtpm "$outdir/swtpm")
	# shellcheck disable=SC2064 # expand now: $outdir is local
	trap "stop_swtpm '$outdir/swtpm'" EXIT
	mapfile -t serial < <(serial_args "$mode" "$outdir")
	# Two sockets: without ACPI the CPUs come from the MP table, which
	# lists one per socket.
	qemu=(qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m "$memory"
		-smp 2,sockets=2
		-nographic -no-reboot -nic none -kernel "$kernel"
		-append "${KERNEL_CMDLINE[*]} ima_ns.mode=$mode $append"
		-drive "file=$rootfs,if=virtio,format=raw" -snapshot
		-chardev "socket,id=chrtpm,path=$sock"
		-tpmdev "emulator,id=tpm0,chardev=chrtpm" -device "tpm-tis,tpmdev=tpm0"
		"${serial[@]}")
	if [[ $mode != test ]]; then
		"${qemu[@]}"
		return
	fi
	note "booting $kernel (timeout ${timeout}s); logs in $outdir"
	SECONDS=0
	timeout -k 10 "$timeout" "${qemu[@]}" </dev/null || rc=$?
	[[ $rc -ne 124 ]] || note "QEMU killed after ${timeout}s"
	[[ $rc -eq 0 || $rc -eq 124 ]] || note "QEMU exited with status $rc"
	note "VM ran ${SECONDS}s"
	stop_swtpm "$outdir/swtpm"
	"$SCRIPTS/tap-summary.sh" "$outdir"
}

main "$@"
