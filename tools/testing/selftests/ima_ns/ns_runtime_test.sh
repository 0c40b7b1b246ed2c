#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=dash
#
# Containers started by an unmodified OCI runtime get their own IMA
# namespace through its standard extension point: the createContainer
# hook ima_ns_oci_hook.sh mounts securityfs, adds the container's _ima
# keyring and binds it by serial, writes the appraise mode and the policy,
# then activates the namespace, before the container's first process
# runs. Two user-namespace containers, A and B, each with its own key, run
# at the same time; each execs a binary signed with its key, one signed
# with the other's key, an unsigned one and one that only it has. Then:
#   - the namespace is active and seen by the host after "create", before
#     the container's process starts (LXC: after lxc-start), with the
#     keyring and appraise mode the hook configured, and the
#     container's first exec is the first entry of its own list;
#   - the host sees that list and the policy under ima/namespaces/<id>/;
#   - the container's appraise rule lets only binaries signed with its own
#     key run;
#   - neither container's list or keyring counts for the other, and the
#     host's policy is unchanged;
#   - deleting a container removes its namespace, and only its.
# Container A also has a vTPM, which the same hook binds from the host
# (OCI createRuntime, LXC start-host) before activation:
#   - swtpm, on the host, holds the vTPM's server side; no process of the
#     container does;
#   - A's boot_aggregate comes from the vTPM (B's, without one, is zero)
#     and evmctl replays A's list to the vTPM's PCRs;
#   - deleting A stops its emulator (OCI poststop, LXC post-stop).
# All of it runs once per runtime: crun and runc from an OCI bundle with a
# createContainer hook, LXC with the same hook as lxc.hook.mount
# (IMA_NS_OCI_RUNTIMES overrides the list); the tests of a runtime that is
# not installed skip, and so do the vTPM's without swtpm or /dev/vtpmx.
# Skips when evmctl, keyctl, openssl, cgroup2 or IMA namespaces are
# missing. Work files go to $IMA_NS_SCRATCH (default /var/tmp/ima-ns), on
# a block filesystem.
# shellcheck disable=SC2317 # the tests are functions called by result()
set -eu
# busybox sh has pipefail, dash (Debian's /bin/sh) has not.
if (set -o pipefail) 2>/dev/null; then
	set -o pipefail
fi

DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../kselftest/ktap_helpers.sh
. "$DIR/ktap_helpers.sh"
# shellcheck source=SCRIPTDIR/ima_ns_oci.sh
. "$DIR/ima_ns_oci.sh"

HOOK=$DIR/ima_ns_oci_hook.sh
HOST_IMA=/sys/kernel/security/ima
CGROUP_DIR=/sys/fs/cgroup
# Host uids that uid 0 of container A and B map to; 65536 ids each.
HOST_BASE_A=100000
HOST_BASE_B=200000
# The container's uid that owns the binaries its policy appraises.
APP_UID=1000
READY_TIMEOUT=120
TEARDOWN_TIMEOUT=30

# Each runtime in turn; the tests of one that is not installed skip.
RUNTIMES=${IMA_NS_OCI_RUNTIMES:-crun runc lxc}
# Run after the containers were created, then after they ran.
TESTS_CREATED="namespaces_active_after_create configured_by_hook
	vtpm_server_side_on_host"
TESTS_RAN="first_exec_in_own_list host_sees_list_and_policy
	signed_binary_runs unsigned_binary_denied other_containers_key_rejected
	distinct_namespaces host_policy_unchanged vtpm_boot_aggregate
	vtpm_list_replays delete_removes_namespace vtpm_emulator_stopped
	other_namespace_stays delete_removes_second_namespace"
# Why container A gets no vTPM here, or nothing.
VTPM_MISSING=''
VTPM_HELPER=$DIR/ima_ns_vtpm
# Its swtpm's pid, read once A was created.
VTPM_SWTPM=''

WORK=''
# The runtime under test, and the directory of its bundles and logs.
RUNTIME=''
SUITE=''
CONTAINERS=''

# The reason these tests cannot run here, or nothing.
missing_prerequisite() {
	local cmd
	if [ "$(id -u)" -ne 0 ]; then
		echo "must run as root"
		return
	fi
	if [ ! -e /proc/sys/user/max_ima_namespaces ]; then
		echo "no IMA namespaces (CONFIG_IMA_NS)"
		return
	fi
	if [ ! -d "$HOST_IMA" ]; then
		echo "no IMA securityfs files"
		return
	fi
	for cmd in evmctl keyctl openssl busybox; do
		if ! command -v "$cmd" >/dev/null; then
			echo "$cmd not found"
			return
		fi
	done
	if [ ! -e "$CGROUP_DIR/cgroup.controllers" ]; then
		echo "no cgroup2 on $CGROUP_DIR (the runtime wants one)"
	fi
}

# The reason container A cannot have a vTPM here, or nothing.
missing_vtpm_prerequisite() {
	if [ ! -c /dev/vtpmx ]; then
		echo "no /dev/vtpmx (CONFIG_TCG_VTPM_PROXY)"
	elif ! command -v swtpm >/dev/null; then
		echo "swtpm not found"
	elif [ ! -x "$VTPM_HELPER" ]; then
		echo "no $VTPM_HELPER"
	fi
}

make_key() {
	local dir=$1
	mkdir -p "$dir"
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 \
		-subj "/CN=ima-ns container $(basename "$dir")" \
		-keyout "$dir/key.pem" -outform DER -out "$dir/cert.der" \
		-addext subjectKeyIdentifier=hash \
		-addext keyUsage=digitalSignature 2>/dev/null
	chmod 0644 "$dir/cert.der"
}

# A busybox copy named "true" runs the true applet.
add_app() {
	local rootfs=$1 name=$2 owner=$3
	mkdir -p "$rootfs/app/$name"
	cp /bin/busybox "$rootfs/app/$name/true"
	chown "$owner:$owner" "$rootfs/app/$name" "$rootfs/app/$name/true"
}

sign_app() {
	local rootfs=$1 name=$2 key=$3
	evmctl ima_sign --key "$key" -a sha256 "$rootfs/app/$name/true" \
		>/dev/null 2>&1
}

# The container's process: exec each binary, write the exit codes and the
# container's own list to /app/out, then wait to be stopped.
write_workload() {
	cat >"$1" <<-'EOF'
	#!/bin/sh
	exec >/app/out 2>&1
	for app in /app/*/true; do
		rc=0
		"$app" 2>/dev/null || rc=$?
		echo "result ${app#/app/} $rc"
	done
	echo list-begin
	cat /sys/kernel/security/ima/ascii_runtime_measurements
	echo list-end
	echo ready
	exec sleep 1000
	EOF
}

# The container's policy: measure every exec, and appraise APP_UID's.
write_policy() {
	cat >"$1" <<-EOF
	measure func=BPRM_CHECK
	appraise func=BPRM_CHECK fowner=$APP_UID appraise_type=imasig
	EOF
	chmod 0644 "$1"
}

# NAME HOST_BASE OTHER: a bundle with binaries of APP_UID signed with
# NAME's key (signed/), OTHER's key (foreign/), none (unsigned/, only-NAME/).
make_bundle() {
	local name=$1 host_base=$2 other=$3 bundle=$SUITE/$1 rootfs app
	rootfs=$bundle/rootfs
	oci_make_rootfs "$rootfs" "$host_base"
	mkdir -p "$rootfs/app"
	write_workload "$rootfs/app/workload.sh"
	chown -R "$host_base:$host_base" "$rootfs/app"
	for app in signed foreign unsigned "only-$name"; do
		add_app "$rootfs" "$app" $((host_base + APP_UID))
	done
	sign_app "$rootfs" signed "$WORK/key-$name/key.pem"
	sign_app "$rootfs" foreign "$WORK/key-$other/key.pem"
	write_policy "$bundle/policy"
	if [ "$RUNTIME" = lxc ]; then
		lxc_write_config "$bundle" "$host_base" "/bin/sh /app/workload.sh" \
			"$HOOK" "--policy $bundle/policy \
			--cert $WORK/key-$name/cert.der --hash sha256 --template ima-ng \
			--appraise enforce" \
			"$(vtpm_dir_of "$name")"
		return
	fi
	oci_write_config "$bundle" "$host_base" '"/bin/sh", "/app/workload.sh"' \
		"$HOOK" "\"--policy\", \"$bundle/policy\",
		\"--cert\", \"$WORK/key-$name/cert.der\",
		\"--hash\", \"sha256\", \"--template\", \"ima-ng\",
		\"--appraise\", \"enforce\"" \
		"$(vtpm_dir_of "$name")"
}

# NAME: the state directory of the container's vTPM; none but for A.
vtpm_dir_of() {
	[ "$1" = A ] && [ -z "$VTPM_MISSING" ] || return 0
	echo "$SUITE/vtpm-$1"
}

# The command that runs containers of runtime RT.
runtime_command() {
	case $1 in
	lxc) echo lxc-start ;;
	*) echo "$1" ;;
	esac
}

# NAME: create the container of $RUNTIME in $SUITE/NAME; print its IMA
# namespace's id. LXC has no separate start: its process runs already.
create_container() {
	case $RUNTIME in
	lxc) lxc_create "$1" "$SUITE/$1.out" ;;
	*) oci_create "$1" "$SUITE/$1" "$SUITE/$1.out" ;;
	esac
}

start_container() {
	case $RUNTIME in
	lxc) ;;
	*) oci_runtime start "$1" ;;
	esac
}

stop_container() {
	case $RUNTIME in
	lxc) lxc-stop -P "$LXC_PATH" -n "$1" -k ;;
	*) oci_runtime delete -f "$1" ;;
	esac
}

container_pid() {
	case $RUNTIME in
	lxc) lxc_pid "$1" ;;
	*) oci_pid "$1" ;;
	esac
}

container_active() {
	[ "$(ima_file_of_pid "$(container_pid "$1")" active)" = 1 ]
}

# What the process of container NAME wrote.
workload_out() {
	echo "$SUITE/$1/rootfs/app/out"
}

wait_ready() {
	local name=$1 waited=0
	while ! grep -qx ready "$(workload_out "$name")" 2>/dev/null; do
		if [ "$waited" -ge "$READY_TIMEOUT" ]; then
			sed 's/^/# /' "$(workload_out "$name")" "$SUITE/$name.out"
			return 1
		fi
		sleep 1
		waited=$((waited + 1))
	done
}

# Exit code of binary DIR/true in container NAME.
app_result() {
	sed -n "s|^result $2/true \\([0-9]*\\)$|\\1|p" "$(workload_out "$1")"
}

# The container's list as its process printed it.
inside_list() {
	sed -n '/^list-begin$/,/^list-end$/p' "$(workload_out "$1")"
}

host_list() {
	cat "$HOST_IMA/namespaces/$1/ascii_runtime_measurements"
}

# A list (on stdin) has an entry for file PATH.
list_has() {
	grep -q " $1\$"
}

wait_namespace_gone() {
	local id=$1 waited=0
	while [ -e "$HOST_IMA/namespaces/$id" ]; do
		[ "$waited" -lt "$TEARDOWN_TIMEOUT" ] || return 1
		sleep 1
		waited=$((waited + 1))
	done
}

delete_container() {
	local name=$1 left='' other
	if ! stop_container "$name" >"$SUITE/$name.delete" 2>&1; then
		sed 's/^/# /' "$SUITE/$name.delete"
		return 1
	fi
	for other in $CONTAINERS; do
		[ "$other" = "$name" ] || left="$left $other"
	done
	CONTAINERS=$left
}

cleanup_containers() {
	local name
	for name in $CONTAINERS; do
		stop_container "$name" >/dev/null 2>&1 || true
	done
	CONTAINERS=''
}

# Emulators whose container's stop hook did not run.
kill_vtpms() {
	local pidfile
	for pidfile in "$WORK"/*/vtpm-*/swtpm.pid; do
		[ -r "$pidfile" ] || continue
		kill "$(cat "$pidfile")" 2>/dev/null || true
	done
}

cleanup() {
	cleanup_containers
	[ -z "$WORK" ] || kill_vtpms
	[ -z "$WORK" ] || rm -rf "$WORK"
}

# runc limits device access through the cgroup: with cgroup2 by a BPF
# program (CONFIG_CGROUP_BPF, which the test kernel lacks), with cgroup v1
# by the devices controller. The test runs in a mount namespace of its own.
use_cgroup_v1_devices() {
	mount -t tmpfs cgroup "$CGROUP_DIR"
	mkdir "$CGROUP_DIR/devices"
	mount -t cgroup -o devices cgroup "$CGROUP_DIR/devices"
}

count_words() {
	echo $#
}

# RUNTIME TEST...: run each test function, named after the runtime.
result() {
	local rt=$1 test
	shift
	for test in "$@"; do
		if [ "${test#vtpm_}" != "$test" ] && [ -n "$VTPM_MISSING" ]; then
			ktap_test_skip "${rt}_$test"
		elif "$test"; then
			ktap_test_pass "${rt}_$test"
		else
			ktap_test_fail "${rt}_$test"
		fi
	done
}

skip_all_of() {
	local rt=$1 test
	for test in $TESTS_CREATED $TESTS_RAN; do
		ktap_test_skip "${rt}_$test"
	done
}

# Tests, on containers A and B with ids $id_a and $id_b (of run_suite).

namespaces_active_after_create() {
	[ -n "$id_a" ] && [ "$id_a" -gt 0 ] && [ -n "$id_b" ] &&
		[ "$id_b" -gt 0 ] && container_active A && container_active B &&
		[ -d "$HOST_IMA/namespaces/$id_a" ] &&
		[ -d "$HOST_IMA/namespaces/$id_b" ]
}

# The hook bound a keyring by serial and wrote the appraise mode, and both
# containers have keyrings of their own.
configured_by_hook() {
	local ring_a ring_b
	ring_a=$(ima_file_of_pid "$(container_pid A)" keyring)
	ring_b=$(ima_file_of_pid "$(container_pid B)" keyring)
	[ "$ring_a" -gt 0 ] && [ "$ring_b" -gt 0 ] && [ "$ring_a" != "$ring_b" ] &&
		[ "$(ima_file_of_pid "$(container_pid A)" appraise)" = enforce ]
}

# The container's process (/bin/sh, i.e. busybox) is the first exec its
# namespace measures: its entry follows boot_aggregate.
first_exec_in_own_list() {
	inside_list A | sed -n 3p | list_has /bin/busybox &&
		inside_list B | sed -n 3p | list_has /bin/busybox &&
		inside_list A | sed -n 2p | list_has boot_aggregate &&
		inside_list A | list_has /app/only-A/true &&
		inside_list B | list_has /app/only-B/true
}

# The host reads the container's fowner= as the host uid it maps to.
host_sees_list_and_policy() {
	host_list "$id_a" | list_has /app/only-A/true &&
		host_list "$id_b" | list_has /app/only-B/true &&
		grep -q "^appraise func=BPRM_CHECK fowner=$((HOST_BASE_A + APP_UID)) " \
			"$HOST_IMA/namespaces/$id_a/policy" &&
		[ "$(grep -c . "$HOST_IMA/namespaces/$id_a/policy")" = 2 ]
}

signed_binary_runs() {
	[ "$(app_result A signed)" = 0 ] && [ "$(app_result B signed)" = 0 ]
}

# busybox sh: 126 when execve fails with EACCES.
unsigned_binary_denied() {
	[ "$(app_result A unsigned)" = 126 ] &&
		[ "$(app_result B unsigned)" = 126 ] &&
		[ "$(app_result A only-A)" = 126 ]
}

other_containers_key_rejected() {
	[ "$(app_result A foreign)" = 126 ] &&
		[ "$(app_result B foreign)" = 126 ]
}

distinct_namespaces() {
	[ "$id_a" != "$id_b" ] &&
		! inside_list A | list_has /app/only-B/true &&
		! inside_list B | list_has /app/only-A/true &&
		! host_list "$id_a" | list_has /app/only-B/true &&
		! host_list "$id_b" | list_has /app/only-A/true
}

host_policy_unchanged() {
	! grep -q -e "fowner=$APP_UID" -e "fowner=$((HOST_BASE_A + APP_UID))" \
		"$HOST_IMA/policy"
}

# PID: a live process (a zombie is not).
process_alive() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" \
		2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# PID: the process holds a vTPM proxy's server side ("anon_inode:[vtpms]").
holds_server_side() {
	local fd
	for fd in "/proc/$1/fd/"*; do
		case $(readlink "$fd" 2>/dev/null) in
		*vtpms*) return 0 ;;
		esac
	done
	return 1
}

# The PCRs of TPM CHIP in the format of evmctl ima_measurement --pcrs.
tpm_pcrs() {
	local i=0
	while [ "$i" -lt 24 ]; do
		printf 'PCR-%02d: %s\n' "$i" \
			"$(cat "/sys/class/tpm/$1/pcr-sha256/$i")"
		i=$((i + 1))
	done
}

# A's vTPM was bound from the host: its swtpm holds the server side, the
# container's process does not.
vtpm_server_side_on_host() {
	[ -n "$VTPM_SWTPM" ] && process_alive "$VTPM_SWTPM" &&
		holds_server_side "$VTPM_SWTPM" &&
		! holds_server_side "$(container_pid A)"
}

# A's boot_aggregate comes from its vTPM; B has none: zero.
vtpm_boot_aggregate() {
	local zero
	zero=:$(printf '%064d' 0)
	inside_list A | sed -n 2p | grep -q ' boot_aggregate$' &&
		! inside_list A | sed -n 2p | grep -q "$zero boot_aggregate\$" &&
		inside_list B | sed -n 2p | grep -q "$zero boot_aggregate\$"
}

# evmctl replays A's list (the host's copy) to its vTPM's PCRs; the
# extends are queued, so they may lag a little.
vtpm_list_replays() {
	local chip tries=0 out
	chip=$(cat "$(vtpm_dir_of A)/chip") || return 1
	while [ "$tries" -lt 20 ]; do
		cp "$HOST_IMA/namespaces/$id_a/binary_runtime_measurements" \
			"$SUITE/A.list"
		tpm_pcrs "$chip" >"$SUITE/A.pcrs"
		out=$(evmctl ima_measurement --ignore-violations \
			--pcrs "sha256,$SUITE/A.pcrs" "$SUITE/A.list" 2>&1) || true
		case $out in
		*Failed*) ;;
		*"Matched per TPM bank"*) return 0 ;;
		esac
		sleep 1
		tries=$((tries + 1))
	done
	printf '%s\n' "$out" | tail -n 5 | sed 's/^/# /'
	return 1
}

# Deleting A ran its stop hook, which stopped the emulator.
vtpm_emulator_stopped() {
	local waited=0
	while process_alive "$VTPM_SWTPM"; do
		if [ "$waited" -ge "$TEARDOWN_TIMEOUT" ]; then
			[ ! -e "$(vtpm_dir_of A)/swtpm.pid" ] ||
				echo "# the stop hook did not run"
			grep -E '^(State|SigBlk|SigIgn)' \
				"/proc/$VTPM_SWTPM/status" | sed 's/^/# swtpm /'
			return 1
		fi
		sleep 1
		waited=$((waited + 1))
	done
}

delete_removes_namespace() {
	delete_container A && wait_namespace_gone "$id_a"
}

other_namespace_stays() {
	[ -d "$HOST_IMA/namespaces/$id_b" ] && container_active B
}

delete_removes_second_namespace() {
	delete_container B && wait_namespace_gone "$id_b"
}

# Containers A and B by runtime RT: create, check, start, check, delete.
run_suite() {
	local rt=$1 id_a id_b start
	start=$(date +%s)
	SUITE=$WORK/$rt
	LXC_PATH=$SUITE
	mkdir -p "$SUITE"
	ktap_print_msg "runtime: $rt $("$(runtime_command "$rt")" --version | head -n 1)"
	make_bundle A "$HOST_BASE_A" B
	make_bundle B "$HOST_BASE_B" A
	CONTAINERS="A B"
	id_a=$(create_container A) || ktap_exit_fail_msg "$rt cannot create A"
	id_b=$(create_container B) || ktap_exit_fail_msg "$rt cannot create B"
	ktap_print_msg "$rt: IMA namespaces: A $id_a, B $id_b"
	VTPM_SWTPM=''
	if [ -z "$VTPM_MISSING" ]; then
		VTPM_SWTPM=$(cat "$(vtpm_dir_of A)/swtpm.pid" 2>/dev/null) || true
		ktap_print_msg "$rt: A's vTPM: $(cat "$(vtpm_dir_of A)/chip" \
			2>/dev/null), swtpm $VTPM_SWTPM"
	fi
	# shellcheck disable=SC2086 # lists of names
	result "$rt" $TESTS_CREATED
	if ! start_container A || ! start_container B; then
		ktap_exit_fail_msg "$rt cannot start the containers"
	fi
	if ! wait_ready A || ! wait_ready B; then
		ktap_exit_fail_msg "$rt: the containers' processes did not finish"
	fi
	# shellcheck disable=SC2086 # lists of names
	result "$rt" $TESTS_RAN
	cleanup_containers
	ktap_print_msg "$rt: $(($(date +%s) - start)) s"
}

main() {
	local reason scratch rt
	if [ -z "${IMA_NS_RUNTIME_MNTNS:-}" ]; then
		IMA_NS_RUNTIME_MNTNS=1 exec unshare -m --propagation private \
			"$0" "$@"
	fi
	ktap_print_header
	reason=$(missing_prerequisite)
	if [ -n "$reason" ]; then
		ktap_skip_all "$reason"
		exit "$KSFT_SKIP"
	fi
	scratch=${IMA_NS_SCRATCH:-/var/tmp/ima-ns}
	mkdir -p "$scratch"
	WORK=$(mktemp -d "$scratch/runtime.XXXXXX")
	# The containers' roots reach their bundles.
	chmod 0755 "$WORK"
	trap cleanup EXIT

	# shellcheck disable=SC2086 # lists of names
	ktap_set_plan $(($(count_words $RUNTIMES) *
		$(count_words $TESTS_CREATED $TESTS_RAN)))
	make_key "$WORK/key-A"
	make_key "$WORK/key-B"
	VTPM_MISSING=$(missing_vtpm_prerequisite)
	[ -z "$VTPM_MISSING" ] ||
		ktap_print_msg "container A gets no vTPM: $VTPM_MISSING"
	for rt in $RUNTIMES; do
		if ! command -v "$(runtime_command "$rt")" >/dev/null; then
			ktap_print_msg "$rt not found: its tests skip"
			skip_all_of "$rt"
			continue
		fi
		RUNTIME=$rt
		OCI_RUNTIME=$rt
		[ "$rt" != runc ] || use_cgroup_v1_devices
		run_suite "$rt"
	done
	[ "$KTAP_CNT_PASS" -gt 0 ] || [ "$KTAP_CNT_FAIL" -gt 0 ] ||
		exit "$KSFT_SKIP"
	ktap_finished
}

main "$@"
