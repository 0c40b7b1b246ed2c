# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Helpers shared by the host-side scripts in scripts/. Source it, do not run it.

PROG=${0##*/}

die() { echo "$PROG: $*" >&2; exit 1; }
note() { echo "$PROG: $*" >&2; }

# The Debian package that ships a command we need, for error messages.
package_of() {
	case $1 in
	evmctl) echo ima-evm-utils ;;
	keyctl) echo keyutils ;;
	getfattr | setfattr) echo attr ;;
	busybox) echo busybox-static ;;
	mkfs.ext4) echo e2fsprogs ;;
	qemu-system-x86_64) echo qemu-system-x86 ;;
	ldd) echo libc-bin ;;
	*) echo "$1" ;;
	esac
}

require_commands() {
	local cmd
	for cmd; do
		command -v "$cmd" >/dev/null ||
			die "$cmd not found (apt-get install $(package_of "$cmd"))"
	done
}

# The value of an option that takes one: "$1" is the option. It runs in a
# command substitution, so the caller stops on its failure:
#   x=$(option_value "$@") || exit 2; shift 2
option_value() {
	[[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"
	echo "$2"
}

# Start a swtpm TPM 2.0 for one boot, state in DIR (made anew); prints the
# control socket for QEMU's -chardev.
start_swtpm() {
	local dir=$1
	rm -rf "$dir"
	mkdir -p "$dir"
	[[ ${#dir} -lt 100 ]] || die "$dir: path too long for a unix socket"
	swtpm socket --tpm2 --tpmstate "dir=$dir" \
		--ctrl "type=unixio,path=$dir/sock" --flags startup-clear \
		--pid "file=$dir/pid" --log "file=$dir/swtpm.log" --daemon
	echo "$dir/sock"
}

stop_swtpm() {
	local pidfile=$1/pid
	[[ -f $pidfile ]] || return 0
	kill "$(<"$pidfile")" 2>/dev/null || true
}
