#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=dash
#
# OCI createContainer hook (or LXC mount hook): give the container its own
# IMA namespace before its first process runs. Unmodified runtimes run it;
# the recipe is in Documentation/security/ima-namespaces.rst ("Container
# runtimes").
#
#   "hooks": { "createContainer": [ { "path": "/path/to/ima_ns_oci_hook.sh",
#       "args": [ "ima_ns_oci_hook.sh", "--policy", "/path/to/policy",
#                 "--cert", "/path/to/cert.der", "--hash", "sha256",
#                 "--template", "ima-ng", "--appraise", "enforce" ] } ] }
#
# Every option is optional. The runtime runs the hook in the container's
# user and mount namespaces with the container's full capabilities there,
# after the container's mounts and before pivot_root (crun 1.8.1, runc
# 1.1), so the hook and the files it names are host paths; the bundle
# named by the OCI state on stdin says where the container's root is.
# LXC 5 runs it as "lxc.hook.mount = /path/to/ima_ns_oci_hook.sh --policy
# ...", at the same point, with the container's root in $LXC_ROOTFS_MOUNT.
# The hook, in this order:
#   1. mounts securityfs on <rootfs>/sys/kernel/security: this creates the
#      IMA namespace of the container's user namespace;
#   2. with --cert, links a keyring "_ima" holding that DER certificate to
#      the session keyring, which the runtime made for the container (so
#      that keyctl and evmctl in the container find it), and binds it by
#      its serial (ima/keyring);
#   3. writes hash, template_name and appraise (enforce or log), if asked,
#      and loads the policy file, as one write session: the configuration,
#      possible before activation (policy appends also after);
#   4. activates the namespace, which checks and applies all of it at once.
# It refuses to act outside a user namespace (it would configure the
# host's IMA) and fails, failing the container's creation, on any error.
#
# A vTPM (--vtpm STATEDIR, with the same arguments otherwise) is bound by
# the party that runs its emulator, on the host, before activation: the
# same hook, run by the runtime in the host's namespaces as OCI
# "createRuntime" (or "prestart"), which runs before createContainer,
#
#   "createRuntime": [ { "path": "/path/to/ima_ns_oci_hook.sh",
#       "args": [ "ima_ns_oci_hook.sh", "--vtpm", "/var/lib/vtpm/ID" ] } ],
#   "poststop": [ { "path": "/path/to/ima_ns_oci_hook.sh",
#       "args": [ "ima_ns_oci_hook.sh", "--vtpm-stop", "/var/lib/vtpm/ID" ] } ]
#
# runs ima_ns_vtpm (next to this hook, or $IMA_NS_VTPM_HELPER): a vTPM
# proxy served by swtpm with its state in STATEDIR, bound to the IMA
# namespace of the container's user namespace (the pid of the OCI state);
# STATEDIR/chip gets "tpmN", STATEDIR/swtpm.pid swtpm's pid. The server
# side stays with swtpm, on the host. "--vtpm-stop" kills that swtpm.
# LXC runs no hook on the host between creating the container's user
# namespace and its mount hook: there the mount hook (given --vtpm too)
# stops before step 4, and "lxc.hook.start-host" (host, $LXC_PID) binds
# the vTPM and then does step 4 through /proc/$LXC_PID/root;
# "lxc.hook.post-stop" takes --vtpm-stop.
set -eu

SECURITYFS=sys/kernel/security
VTPM_HELPER=${IMA_NS_VTPM_HELPER:-$(dirname "$0")/ima_ns_vtpm}

die() {
	echo "ima_ns_oci_hook: $*" >&2
	exit 1
}

# The bundle of the container, from the OCI state (one JSON object).
state_bundle() {
	printf '%s\n' "$1" | sed -n 's/.*"bundle" *: *"\([^"]*\)".*/\1/p'
}

# The container's root in the hook's mount namespace: root.path of the
# bundle's config.json, relative to the bundle unless absolute.
container_root() {
	local bundle=$1 root
	root=$(tr -d '\n' <"$bundle/config.json" |
		sed -n 's/.*"root" *: *{[^}]*"path" *: *"\([^"]*\)".*/\1/p')
	[ -n "$root" ] || die "no root.path in $bundle/config.json"
	case $root in
	/*) echo "$root" ;;
	*) echo "$bundle/$root" ;;
	esac
}

in_initial_user_namespace() {
	local inside outside count
	read -r inside outside count </proc/self/uid_map
	[ "$inside" = 0 ] && [ "$outside" = 0 ] && [ "$count" = 4294967295 ]
}

# The pid of the container's process, from the OCI state (one JSON object).
state_pid() {
	printf '%s\n' "$1" | sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p'
}

# PID DIR: a vTPM served by swtpm (state in DIR), bound to the IMA
# namespace of PID's user namespace, from the host.
bind_vtpm() {
	local pid=$1 dir=$2 out
	[ -x "$VTPM_HELPER" ] || die "no vTPM helper $VTPM_HELPER"
	mkdir -p "$dir"
	chmod 0700 "$dir"
	out=$("$VTPM_HELPER" bind "$pid" "$dir") ||
		die "cannot bind a vTPM to the IMA namespace of process $pid"
	# shellcheck disable=SC2086 # "tpmN SWTPM_PID"
	set -- $out
	echo "$1" >"$dir/chip"
	echo "$2" >"$dir/swtpm.pid"
}

# DIR: stop the swtpm that bind_vtpm started there: SIGTERM, then
# SIGKILL if it is still there after a few seconds.
stop_vtpm() {
	local dir=$1 pid waited=0
	[ -r "$dir/swtpm.pid" ] || return 0
	pid=$(cat "$dir/swtpm.pid")
	kill "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 5 ]; do
		sleep 1
		waited=$((waited + 1))
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/swtpm.pid"
}

# PID: the container's securityfs instance as host root reaches it, with or
# without pivot_root done; never the host's own instance.
container_securityfs() {
	local pid=$1 dir
	for dir in "/proc/$pid/root/$SECURITYFS" \
		"/proc/$pid/root${LXC_ROOTFS_MOUNT:-/nonexistent}/$SECURITYFS"; do
		[ -e "$dir/ima/active" ] || continue
		[ "$(stat -c %d "$dir")" != "$(stat -c %d "/$SECURITYFS")" ] ||
			continue
		echo "$dir"
		return
	done
	die "no securityfs of the container's IMA namespace under /proc/$pid/root"
}

# On the host (OCI createRuntime, prestart, poststop; LXC start-host,
# post-stop): only the vTPM, and LXC's deferred activation.
host_stage() {
	local vtpm=$1 vtpm_stop=$2 state='' pid ima
	[ -n "$vtpm$vtpm_stop" ] ||
		die "not in a user namespace: refusing to configure the host's IMA"
	# An OCI runtime writes the state to every hook: read it all, or the
	# runtime may get EPIPE. LXC gives none (LXC_NAME is set instead).
	[ -n "${LXC_NAME:-}" ] || state=$(cat)
	if [ -n "$vtpm_stop" ]; then
		stop_vtpm "$vtpm_stop"
		return
	fi
	if [ -n "${LXC_PID:-}" ]; then
		pid=$LXC_PID
	else
		pid=$(state_pid "$state")
	fi
	[ -n "$pid" ] || die "no container pid (OCI state or \$LXC_PID)"
	bind_vtpm "$pid" "$vtpm"
	[ -n "${LXC_PID:-}" ] || return 0
	ima=$(container_securityfs "$pid")/ima
	[ "$(cat "$ima/active")" = 0 ] ||
		die "the container's IMA namespace was active before its vTPM"
	echo 1 >"$ima/active"
}

# Prints the serial of the new keyring.
add_ima_keyring() {
	local cert=$1 ring
	[ -r "$cert" ] || die "cannot read certificate $cert"
	ring=$(keyctl newring _ima @s) || die "cannot add keyring _ima to @s"
	keyctl padd asymmetric '' "$ring" <"$cert" >/dev/null ||
		die "keyring _ima rejects $cert"
	# Every task of the container possesses it: from now on none may add,
	# remove or revoke what the namespace trusts (view, read, search only).
	keyctl setperm "$ring" 0x0b010000 ||
		die "cannot make keyring _ima read-only"
	echo "$ring"
}

main() {
	local policy='' cert='' hash='' template='' appraise='' vtpm=''
	local vtpm_stop='' bundle root ima ring
	# LXC appends the container's name, "lxc" and the hook type.
	while [ $# -gt 0 ] && [ "${1#--}" != "$1" ]; do
		[ $# -ge 2 ] || die "option $1 needs a value"
		case $1 in
		--policy) policy=$2 ;;
		--cert) cert=$2 ;;
		--hash) hash=$2 ;;
		--template) template=$2 ;;
		--appraise) appraise=$2 ;;
		--vtpm) vtpm=$2 ;;
		--vtpm-stop) vtpm_stop=$2 ;;
		*) die "unknown option $1" ;;
		esac
		shift 2
	done
	if in_initial_user_namespace; then
		host_stage "$vtpm" "$vtpm_stop"
		return
	fi
	if [ -n "${LXC_ROOTFS_MOUNT:-}" ]; then
		root=$LXC_ROOTFS_MOUNT
	else
		bundle=$(state_bundle "$(cat)")
		[ -n "$bundle" ] || die "no \"bundle\" in the OCI state on stdin"
		root=$(container_root "$bundle")
	fi
	[ -d "$root/$SECURITYFS" ] ||
		die "no $root/$SECURITYFS: mount sysfs on /sys in the container"
	mount -t securityfs none "$root/$SECURITYFS"
	ima=$root/$SECURITYFS/ima
	[ "$(cat "$ima/active")" = 0 ] ||
		die "the IMA namespace of this user namespace is already active"
	if [ -n "$cert" ]; then
		ring=$(add_ima_keyring "$cert")
		echo "$ring" >"$ima/keyring"
	fi
	[ -z "$hash" ] || echo "$hash" >"$ima/hash"
	[ -z "$template" ] || echo "$template" >"$ima/template_name"
	[ -z "$appraise" ] || echo "$appraise" >"$ima/appraise"
	[ -z "$policy" ] || cat "$policy" >"$ima/policy"
	# LXC: start-host binds the vTPM, then activates.
	[ -z "$vtpm" ] || [ -z "${LXC_ROOTFS_MOUNT:-}" ] || return 0
	echo 1 >"$ima/active"
}

main "$@"
