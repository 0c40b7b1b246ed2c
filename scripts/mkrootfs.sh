#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the ext4 root image the test guest boots from, without mounting it.
#
#   mkrootfs.sh --out IMG --tests DIR [--extra DIR]
#
# The image holds busybox (static) and its applets, the host's evmctl,
# keyctl, getfattr, setfattr, openssl, swtpm (a container's vTPM) and
# tpm2-tools (quotes for the verifier) with their shared libraries, the
# container runtimes crun, runc and LXC with theirs when the host has
# them (their tests skip without them), /init and
# the test runner from scripts/guest/, root and test users 1000..1003,
# DIR's content under /opt/tests (see scripts/guest/run-tests.sh) and the
# --extra tree copied over / as-is. ELF programs under /opt/tests and the
# extra tree get their shared libraries too. Everything is root-owned.
set -euo pipefail

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$SCRIPTS/lib.sh"

HOST_TOOLS=(evmctl keyctl getfattr setfattr openssl swtpm tpm2)
# tpm2 is tpm2-tools' multi-call binary: the names the tests call it by.
TPM2_COMMANDS=(tpm2_createek tpm2_createak tpm2_quote tpm2_checkquote
	tpm2_pcrread tpm2_flushcontext)
# The TPM access modules tss2 dlopen()s, which ldd cannot list.
TSS2_TCTI_LIBRARIES=(libtss2-tctildr.so.0 libtss2-tcti-device.so.0)
# Copied when present: tests that need them skip without them.
OPTIONAL_HOST_TOOLS=(crun runc lxc-start lxc-info lxc-stop)
SLACK_MIB=256
TEST_UIDS=(1000 1001 1002 1003)

usage() {
	echo "usage: $PROG --out IMG --tests DIR [--extra DIR]" >&2
	exit 2
}

# Mirror the host's merged-/usr symlinks so that library paths printed by
# ldd (/lib/..., /lib64/...) land in the same place as /usr/lib/... ones.
make_skeleton() {
	local root=$1 dir
	mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,root,mnt,opt/tests}
	for dir in bin sbin lib lib64; do
		if [[ -L /$dir ]]; then
			ln -s "$(readlink "/$dir")" "$root/$dir"
		else
			mkdir -p "$root/$dir"
		fi
	done
	mkdir -p "$root"/{proc,sys,dev,run,tmp,var/tmp}
	chmod 1777 "$root/tmp" "$root/var/tmp"
}

# Copy a host file to the same path in the image, following symlinks.
copy_host_file() {
	local root=$1 path=$2
	mkdir -p "$root/$(dirname "$path")"
	cp -L "$path" "$root/$path"
}

# Every shared object (and the dynamic loader) an ELF program needs; ldd
# lists the whole closure. Prints nothing for static or non-ELF files.
shared_libraries_of() {
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' || true
}

install_libraries_for() {
	local root=$1 program=$2 lib
	for lib in $(shared_libraries_of "$program"); do
		[[ -e $root/$lib ]] || copy_host_file "$root" "$lib"
	done
}

install_busybox() {
	local root=$1 applet
	cp /bin/busybox "$root/bin/busybox"
	# Applets never shadow a real program, and /init stays ours.
	for applet in $(busybox --list-full); do
		[[ $applet == linuxrc ]] && continue
		[[ -e $root/$applet || -L $root/$applet ]] ||
			ln -s /bin/busybox "$root/$applet"
	done
}

install_host_tool() {
	local root=$1 path
	path=$(command -v "$2")
	copy_host_file "$root" "$path"
	install_libraries_for "$root" "$path"
}

install_host_tools() {
	local root=$1 tool dir
	for tool in "${HOST_TOOLS[@]}"; do
		install_host_tool "$root" "$tool"
	done
	for tool in "${OPTIONAL_HOST_TOOLS[@]}"; do
		if command -v "$tool" >/dev/null; then
			install_host_tool "$root" "$tool"
		else
			note "no $tool on this machine: its tests will skip"
		fi
	done
	copy_host_file "$root" /usr/lib/ssl/openssl.cnf
	# liblxc mounts a container's root on its own empty directory.
	for dir in /usr/lib/*/lxc/rootfs; do
		[[ -d $dir ]] && mkdir -p "$root/$dir"
	done
}

# Where the dynamic loader finds a library by its soname.
library_path() {
	ldconfig -p | awk -v name="$1" '$1 == name && !found { print $NF; found = 1 }'
}

install_tpm2_tools() {
	local root=$1 tpm2 command lib path
	tpm2=$(command -v tpm2)
	for command in "${TPM2_COMMANDS[@]}"; do
		ln -sf "$(basename "$tpm2")" "$root/$(dirname "$tpm2")/$command"
	done
	for lib in "${TSS2_TCTI_LIBRARIES[@]}"; do
		path=$(library_path "$lib")
		[[ -n $path ]] || die "no $lib on this machine (libtss2-tcti-device0)"
		[[ -e $root/$path ]] || copy_host_file "$root" "$path"
		install_libraries_for "$root" "$path"
	done
}

write_accounts() {
	local root=$1 uid
	{
		echo "root:x:0:0:root:/root:/bin/sh"
		for uid in "${TEST_UIDS[@]}"; do
			echo "user$uid:x:$uid:$uid:test user $uid:/tmp:/bin/sh"
		done
		echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false"
	} >"$root/etc/passwd"
	{
		echo "root:x:0:"
		for uid in "${TEST_UIDS[@]}"; do
			echo "user$uid:x:$uid:"
		done
		echo "nogroup:x:65534:"
	} >"$root/etc/group"
	echo "ima-ns-guest" >"$root/etc/hostname"
}

install_guest_scripts() {
	local root=$1
	install -m 0755 "$SCRIPTS/guest/init" "$root/init"
	install -D -m 0755 "$SCRIPTS/guest/run-tests.sh" "$root/opt/ima-ns/run-tests.sh"
	install -D -m 0755 "$SCRIPTS/guest/demo.sh" "$root/opt/demo/demo.sh"
}

# Libraries for every dynamically linked program in a copied tree.
install_libraries_under() {
	local root=$1 dir=$2 file
	while IFS= read -r -d '' file; do
		[[ $(head -c 4 "$file") == $'\x7fELF' ]] || continue
		install_libraries_for "$root" "$file"
	done < <(find "$dir" -type f -perm /0111 -print0)
}

image_size_mib() {
	local root=$1 content_kib
	content_kib=$(du -sk --apparent-size "$root" | cut -f1)
	echo $((content_kib / 1024 + SLACK_MIB))
}

make_image() {
	local root=$1 out=$2 size
	size=$(image_size_mib "$root")
	rm -f "$out"
	truncate -s "${size}M" "$out"
	# Explicit block and inode size: mke2fs picks 1 KiB blocks for "small"
	# filesystems, and security.* xattrs want room in 256-byte inodes.
	mkfs.ext4 -F -q -b 4096 -I 256 -L ima-ns-root -E root_owner=0:0 -d "$root" "$out"
}

main() {
	local out='' tests='' extra=''
	while [[ $# -gt 0 ]]; do
		case $1 in
		--out) out=$(option_value "$@") || exit 2; shift 2 ;;
		--tests) tests=$(option_value "$@") || exit 2; shift 2 ;;
		--extra) extra=$(option_value "$@") || exit 2; shift 2 ;;
		-h | --help) usage ;;
		*) usage ;;
		esac
	done
	[[ -n $out && -n $tests ]] || usage
	[[ -d $tests ]] || die "--tests $tests is not a directory"
	[[ -z $extra || -d $extra ]] || die "--extra $extra is not a directory"
	require_commands busybox ldd ldconfig mkfs.ext4 "${HOST_TOOLS[@]}"
	[[ $(ldd /bin/busybox 2>&1) == *"not a dynamic executable"* ]] ||
		die "/bin/busybox is not static (apt-get install busybox-static)"

	local root
	root=$(mktemp -d "${TMPDIR:-/tmp}/ima-ns-rootfs.XXXXXX")
	# shellcheck disable=SC2064 # expand now: $root is local
	trap "rm -rf '$root'" EXIT

	make_skeleton "$root"
	install_host_tools "$root"
	install_tpm2_tools "$root"
	install_busybox "$root"
	write_accounts "$root"
	install_guest_scripts "$root"
	cp -a "$tests/." "$root/opt/tests/"
	install_libraries_under "$root" "$tests"
	if [[ -n $extra ]]; then
		cp -a "$extra/." "$root/"
		install_libraries_under "$root" "$extra"
	fi
	if [[ $EUID -eq 0 ]]; then
		chown -R 0:0 "$root"
	else
		note "not root: files keep uid $EUID in the image"
	fi
	make_image "$root" "$out"
	note "wrote $out"
}

main "$@"
