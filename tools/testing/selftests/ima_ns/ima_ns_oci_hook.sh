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
set -eu

SECURITYFS=sys/kernel/security

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

# Prints the serial of the new keyring.
add_ima_keyring() {
	local cert=$1 ring
	[ -r "$cert" ] || die "cannot read certificate $cert"
	ring=$(keyctl newring _ima @s) || die "cannot add keyring _ima to @s"
	keyctl padd asymmetric '' "$ring" <"$cert" >/dev/null ||
		die "keyring _ima rejects $cert"
	echo "$ring"
}

main() {
	local policy='' cert='' hash='' template='' appraise='' bundle root ima
	local ring
	# LXC appends the container's name, "lxc" and the hook type.
	while [ $# -gt 0 ] && [ "${1#--}" != "$1" ]; do
		[ $# -ge 2 ] || die "option $1 needs a value"
		case $1 in
		--policy) policy=$2 ;;
		--cert) cert=$2 ;;
		--hash) hash=$2 ;;
		--template) template=$2 ;;
		--appraise) appraise=$2 ;;
		*) die "unknown option $1" ;;
		esac
		shift 2
	done
	! in_initial_user_namespace ||
		die "not in a user namespace: refusing to configure the host's IMA"
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
	echo 1 >"$ima/active"
}

main "$@"
