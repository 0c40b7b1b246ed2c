#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=dash
#
# A remote verifier attests containers' IMA namespaces with ima_ns_verify,
# from real TPM quotes (tpm2-tools on the host TPM and on a vTPM):
#   - host root anchors a container without a vTPM (user and mount
#     namespace of uid 1000) through ima/namespaces/<id>/anchor; one quote
#     of the host's PCR 10 then vouches for its whole list, and entries
#     after its latest anchor are shown as not vouched;
#   - the verifier rejects, each on a FAIL line saying where: a tampered
#     namespace list, a tampered host list, an old anchor replayed at the
#     end of the host list, and the anchor of another namespace;
#   - an anchor request without new entries adds no host entry; teardown
#     records the final anchor of a grown list, and none for a namespace
#     never anchored; an unprivileged tenant cannot anchor itself;
#   - a container whose vTPM the host bound (ima_ns_vtpm bind) is
#     attested from the quote of its vTPM, and a tampered list rejected.
# Needs root, IMA namespaces with anchors, a TPM 2.0 at /dev/tpmrm0 and
# tpm2-tools; skips otherwise (the vTPM tests without a vTPM proxy, swtpm
# or ima_ns_vtpm bind). Binaries the containers run go to $IMA_NS_SCRATCH
# (default /var/tmp/ima-ns), on a block filesystem; quotes and lists to
# /tmp. Busybox sh compatible.
# shellcheck disable=SC2317 # the tests are functions called by result()
set -eu
# busybox sh has pipefail, dash (Debian's /bin/sh) has not.
if (set -o pipefail) 2>/dev/null; then
	set -o pipefail
fi

DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../kselftest/ktap_helpers.sh
. "$DIR/ktap_helpers.sh"

VERIFY=$DIR/ima_ns_verify
VTPM_HELPER=$DIR/ima_ns_vtpm
HOST_IMA=/sys/kernel/security/ima
HOST_TCTI=device:/dev/tpmrm0
BANK=sha256
# The containers' root: an unprivileged host user.
CTR_USER=user1000
CTR_UID=1000
# Seconds; TCG on a busy host stalls the guest for tens of them.
READY_TIMEOUT=120
TEARDOWN_TIMEOUT=120
VTPM_CATCH_UP=120
SNAPSHOT_TRIES=5

TESTS="attest_from_host_quote tampered_namespace_list_rejected
	tampered_host_list_rejected replayed_old_anchor_rejected
	other_namespace_anchor_rejected repeated_anchor_adds_no_entry
	entries_after_anchor_unvouched teardown_records_final_anchor
	teardown_without_new_entries_adds_no_anchor tenant_anchor_refused
	teardown_of_unanchored_namespace_adds_no_anchor"
VTPM_TESTS="vtpm_attested_from_its_quote vtpm_tampered_list_rejected"

# Work files: lists and quotes (not measured on tmpfs), and on the block
# filesystem the binaries the containers run.
WORK=''
BIN=''
CONTAINERS=''
SWTPM_PID=''
ID_U=''

# The reason these tests cannot run here, or nothing.
missing_prerequisite() {
	local cmd
	if [ "$(id -u)" -ne 0 ]; then
		echo "must run as root"
	elif [ ! -e /proc/sys/user/max_ima_namespaces ]; then
		echo "no IMA namespaces (CONFIG_IMA_NS)"
	elif [ ! -r "$HOST_IMA/binary_runtime_measurements" ]; then
		echo "no IMA securityfs files"
	elif [ ! -c /dev/tpmrm0 ]; then
		echo "no TPM at /dev/tpmrm0"
	elif [ ! -x "$VERIFY" ]; then
		echo "no $VERIFY"
	else
		for cmd in tpm2_createek tpm2_createak tpm2_quote \
			tpm2_checkquote unshare nsenter su od awk; do
			if ! command -v "$cmd" >/dev/null; then
				echo "$cmd not found"
				return
			fi
		done
	fi
}

# Why the vTPM tests cannot run here, or nothing.
missing_vtpm_prerequisite() {
	local usage
	# Its usage text names what it can do.
	usage=$("$VTPM_HELPER" 2>&1) || true
	if [ ! -c /dev/vtpmx ]; then
		echo "no /dev/vtpmx (CONFIG_TCG_VTPM_PROXY)"
	elif ! command -v swtpm >/dev/null; then
		echo "swtpm not found"
	elif ! echo "$usage" | grep -q 'bind PID'; then
		echo "$VTPM_HELPER cannot bind a vTPM from the host"
	fi
}

fresh_nonce() {
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n'
}

# Print a file as TAP diagnostics.
show() {
	sed 's/^/# /' "$@"
}

# TCTI KEYDIR: an attestation key of that TPM, its public part in
# KEYDIR/ak.pem. The resource manager flushes what the tools leave loaded.
make_ak() {
	local tcti=$1 dir=$2
	mkdir -p "$dir"
	if ! TPM2TOOLS_TCTI=$tcti tpm2_createek -c "$dir/ek.ctx" -G rsa \
		>"$dir/log" 2>&1 ||
		! TPM2TOOLS_TCTI=$tcti tpm2_createak -C "$dir/ek.ctx" \
			-c "$dir/ak.ctx" -G rsa -g sha256 -s rsassa \
			-u "$dir/ak.pem" -f pem >>"$dir/log" 2>&1; then
		show "$dir/log"
		return 1
	fi
}

# TCTI KEYDIR DIR: DIR/{msg,sig,pcrs} quote PCR 10 with the nonce DIR/nonce.
quote() {
	local tcti=$1 keydir=$2 dir=$3
	TPM2TOOLS_TCTI=$tcti tpm2_quote -c "$keydir/ak.ctx" -l "$BANK:10" \
		-q "$(cat "$dir/nonce")" -m "$dir/msg" -s "$dir/sig" \
		-o "$dir/pcrs" -g sha256 >"$dir/quote.log" 2>&1 ||
		{ show "$dir/quote.log"; return 1; }
}

# DIR NS_LIST: a fresh host quote in DIR, with DIR/host the host list as
# it was at the quote (it did not change from before the quote to after
# it) and DIR/ns a copy of NS_LIST (a file, or a namespace's host view).
snapshot_host() {
	local dir=$1 ns_list=$2 try=0
	rm -rf "$dir"
	mkdir -p "$dir"
	cat "$ns_list" >"$dir/ns"
	while [ "$try" -lt "$SNAPSHOT_TRIES" ]; do
		fresh_nonce >"$dir/nonce"
		cat "$HOST_IMA/binary_runtime_measurements" >"$dir/host.before"
		quote "$HOST_TCTI" "$WORK/host-ak" "$dir" || return 1
		cat "$HOST_IMA/binary_runtime_measurements" >"$dir/host"
		cmp -s "$dir/host.before" "$dir/host" && return 0
		try=$((try + 1))
	done
	echo "# the host list kept growing around the quote"
	return 1
}

# MODE KEYDIR DIR [ARG...]: run the verifier on the quote in DIR; its
# output in DIR/out.
verify() {
	local mode=$1 keydir=$2 dir=$3
	shift 3
	"$VERIFY" "$mode" --ak "$keydir/ak.pem" --quote-msg "$dir/msg" \
		--quote-sig "$dir/sig" --quote-pcrs "$dir/pcrs" \
		--nonce "$(cat "$dir/nonce")" --bank "$BANK" "$@" \
		>"$dir/out" 2>&1
}

# DIR ID [NS_LIST [HOST_LIST]]: host mode on the snapshot in DIR.
verify_host() {
	local dir=$1 id=$2
	verify host "$WORK/host-ak" "$dir" --host-list "${4:-$dir/host}" \
		--ns-list "${3:-$dir/ns}" --ns-id "$id"
}

# DIR PATTERN: the verifier accepted, with PATTERN on its last line.
accepted() {
	if tail -n 1 "$1/out" | grep -q "^OK: $2"; then
		return 0
	fi
	show "$1/out"
	return 1
}

# RC DIR PATTERN: the verifier rejected (exit 1) with a FAIL line
# starting with PATTERN.
rejected() {
	local rc=$1 dir=$2 pattern=$3
	if [ "$rc" -eq 1 ] && [ "$(grep -c '^FAIL: ' "$dir/out")" -eq 1 ] &&
		grep -q "^FAIL: $pattern" "$dir/out"; then
		echo "# $(grep '^FAIL: ' "$dir/out")"
		return 0
	fi
	echo "# exit $rc, expected a FAIL line: $pattern"
	show "$dir/out"
	return 1
}

# One line per record of binary list FILE: "INDEX OFFSET LENGTH TEMPLATE
# NSID", NSID the namespace id of an ima-ns-anchor record, else "-".
# Records: le32 pcr, sha1[20], le32 name length, name, le32 data length,
# data; an anchor's data: d-ng, n-ng, then the u64 nsid (fields with a
# le32 length each).
list_records() {
	od -An -v -tu1 "$1" | awk '
	function le32(o) {
		return b[o] + 256 * (b[o + 1] + 256 * (b[o + 2] + 256 * b[o + 3]))
	}
	{ for (i = 1; i <= NF; i++) b[n++] = $i }
	END {
		for (off = 0; off + 32 <= n; off += len) {
			nlen = le32(off + 24)
			name = ""
			for (i = 0; i < nlen; i++)
				name = name sprintf("%c", b[off + 28 + i])
			data = off + 32 + nlen
			len = 32 + nlen + le32(data - 4)
			nsid = "-"
			if (name == "ima-ns-anchor") {
				f = data + 4 + le32(data)
				f += 4 + le32(f)
				nsid = sprintf("%d", le32(f + 4) + 4294967296 * le32(f + 8))
			}
			printf "%d %d %d %s %s\n", idx++, off, len, name, nsid
		}
	}'
}

count_records() {
	list_records "$1" | wc -l
}

# FILE ID: the anchors of namespace ID in host list FILE.
anchors_of() {
	list_records "$1" | awk -v id="$2" '$4 == "ima-ns-anchor" && $5 == id'
}

count_anchors() {
	anchors_of "$@" | wc -l
}

# FILE: a fresh copy of the host's list.
read_host_list() {
	cat "$HOST_IMA/binary_runtime_measurements" >"$1"
}

# Invert the lowest bit of the byte at OFFSET of FILE, in place.
flip_byte() {
	local file=$1 offset=$2 byte
	byte=$(od -An -tu1 -j "$offset" -N1 "$file" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the escaped byte
	printf "$(printf '\\%03o' $((byte ^ 1)))" |
		dd of="$file" bs=1 seek="$offset" count=1 conv=notrunc 2>/dev/null
}

# ---- containers -------------------------------------------------------
#
# A container is uid 1000's user and mount namespace (unshare -Urm) whose
# first process mounts securityfs, waits for "go" (so that a vTPM can be
# bound first), activates its IMA namespace, loads a policy measuring
# every exec, writes its id and waits for "stop" without running
# anything.
# Its root runs programs in it through nsenter, as a runtime's exec does.

# Control directory of container NAME.
ctr_dir() {
	echo "$WORK/ctr-$1"
}

write_container_init() {
	cat >"$1" <<-'EOF'
	#!/bin/sh
	set -eu
	dir=$1
	echo $$ >"$dir/pid"
	mount -t securityfs none /sys/kernel/security
	read -r go <"$dir/go"
	echo 1 >/sys/kernel/security/ima/active
	echo 'measure func=BPRM_CHECK' >/sys/kernel/security/ima/policy
	read -r id </sys/kernel/security/ima/ns_id
	echo "$id" >"$dir/id.new"
	mv "$dir/id.new" "$dir/id"
	read -r stop <"$dir/stop"
	EOF
	chmod 0755 "$1"
}

# FILE: wait until it exists.
wait_file() {
	local file=$1 waited=0
	while [ ! -s "$file" ]; do
		[ "$waited" -lt "$READY_TIMEOUT" ] || return 1
		sleep 1
		waited=$((waited + 1))
	done
}

# NAME: start it, up to its wait for "go".
start_container() {
	local name=$1 dir
	dir=$(ctr_dir "$name")
	mkdir -p "$dir"
	mkfifo "$dir/go" "$dir/stop"
	chown "$CTR_UID:$CTR_UID" "$dir" "$dir/go" "$dir/stop"
	su -s /bin/sh "$CTR_USER" -c \
		"exec unshare -Urm /bin/sh $WORK/container-init.sh $dir" \
		>"$dir/log" 2>&1 &
	CONTAINERS="$CONTAINERS $name"
	wait_file "$dir/pid" || { show "$dir/log"; return 1; }
}

container_pid() {
	cat "$(ctr_dir "$1")/pid"
}

container_id() {
	cat "$(ctr_dir "$1")/id"
}

# NAME WORD: write WORD to its fifo "go" or "stop"; the container may be
# gone already.
tell_container() {
	timeout 10 sh -c "echo $2 >'$(ctr_dir "$1")/$2'" 2>/dev/null
}

# NAME: let it activate its namespace; wait for its id.
activate_container() {
	local dir
	dir=$(ctr_dir "$1")
	if ! tell_container "$1" go || ! wait_file "$dir/id"; then
		show "$dir/log"
		return 1
	fi
}

# NAME COMMAND...: run COMMAND as the container's root.
ctr_exec() {
	local pid
	pid=$(container_pid "$1")
	shift
	nsenter -t "$pid" -U -m "$@"
}

# NAME N: the container runs binary N (each a different file, measured
# once).
ctr_run() {
	ctr_exec "$1" "$BIN/$2/true"
}

# NAME FILE: a file of its namespace in the host's view.
host_view() {
	echo "$HOST_IMA/namespaces/$(container_id "$1")/$2"
}

ns_list_of() {
	host_view "$1" binary_runtime_measurements
}

# Host root anchors the container's list in its own, as before a quote.
host_anchor() {
	echo 1 >"$(host_view "$1" anchor)"
}

# NAME KEY: a value of its `anchor` file (entries, anchored, tpm_errors).
anchor_value() {
	awk -v key="$2" '$1 == key { print $2 }' "$(host_view "$1" anchor)"
}

# NAME: stop it; its user namespace, and thereby its IMA namespace, ends.
stop_container() {
	local name=$1 pid left='' other
	pid=$(container_pid "$name" 2>/dev/null) || pid=''
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		tell_container "$name" stop || kill "$pid" 2>/dev/null || true
	fi
	for other in $CONTAINERS; do
		[ "$other" = "$name" ] || left="$left $other"
	done
	CONTAINERS=$left
}

wait_namespace_gone() {
	local id=$1 waited=0
	while [ -e "$HOST_IMA/namespaces/$id" ]; do
		[ "$waited" -lt "$TEARDOWN_TIMEOUT" ] || return 1
		sleep 1
		waited=$((waited + 1))
	done
}

cleanup() {
	local name
	for name in $CONTAINERS; do
		stop_container "$name"
	done
	[ -z "$SWTPM_PID" ] || kill "$SWTPM_PID" 2>/dev/null || true
	[ -z "$WORK" ] || rm -rf "$WORK"
	[ -z "$BIN" ] || rm -rf "$BIN"
}

# Binaries 1..N, each a busybox named true in a directory of its own.
make_binaries() {
	local i
	for i in 1 2 3 4 5 6; do
		mkdir -p "$BIN/$i"
		cp /bin/busybox "$BIN/$i/true"
	done
	chmod -R a+rX "$BIN"
}

# ---- tests without a vTPM ------------------------------------------------
#
# Container A: runs 1, is anchored (the old anchor), runs 2 and 3, is
# anchored (the latest), and again without new entries. Container B: runs
# 4, is anchored. S1: a host quote with A's list.

start_containers() {
	start_container A && activate_container A &&
		start_container B && activate_container B || return 1
	ID_A=$(container_id A)
	ID_B=$(container_id B)
	ktap_print_msg "IMA namespaces: A $ID_A, B $ID_B"
}

anchor_containers() {
	ctr_run A 1 && host_anchor A && ctr_run A 2 && ctr_run A 3 &&
		host_anchor A || return 1
	read_host_list "$WORK/host.anchored"
	host_anchor A || return 1
	read_host_list "$WORK/host.reanchored"
	ctr_run B 4 && host_anchor B || return 1
	snapshot_host "$WORK/s1" "$(ns_list_of A)"
}

attest_from_host_quote() {
	local n
	n=$(count_records "$WORK/s1/ns")
	# Every entry is anchored: the anchor file says so, and the verifier.
	if [ "$(anchor_value A entries)" != "$n" ] ||
		[ "$(anchor_value A anchored)" != "$n" ]; then
		show "$(host_view A anchor)"
		return 1
	fi
	[ "$(count_anchors "$WORK/s1/host" "$ID_A")" -eq 2 ] || return 1
	verify_host "$WORK/s1" "$ID_A" || { show "$WORK/s1/out"; return 1; }
	show "$WORK/s1/out"
	accepted "$WORK/s1" "$n of $n entries vouched" &&
		[ "$(grep -c '^vouched ' "$WORK/s1/out")" -eq "$n" ]
}

# The last byte of the list is the name of its last entry; byte 4 is
# the first entry's digest.
tampered_namespace_list_rejected() {
	local dir=$WORK/s1 rc=0 offset
	for offset in 4 $(($(wc -c <"$dir/ns") - 1)); do
		cp "$dir/ns" "$dir/ns.tampered"
		flip_byte "$dir/ns.tampered" "$offset"
		rc=0
		verify_host "$dir" "$ID_A" "$dir/ns.tampered" || rc=$?
		rejected "$rc" "$dir" "namespace list broken at entry" ||
			return 1
	done
}

tampered_host_list_rejected() {
	local dir=$WORK/s1 rc=0 offset
	for offset in 4 $(($(wc -c <"$dir/host") - 1)); do
		cp "$dir/host" "$dir/host.tampered"
		flip_byte "$dir/host.tampered" "$offset"
		rc=0
		verify_host "$dir" "$ID_A" "$dir/ns" "$dir/host.tampered" ||
			rc=$?
		rejected "$rc" "$dir" "host list broken at entry" || return 1
	done
}

# A's first anchor, copied to the end of the host list, would make the
# verifier vouch for its first entries only: the quote does not cover it.
replayed_old_anchor_rejected() {
	local dir=$WORK/s1 rc=0 index offset len _ n
	read -r index offset len _ <<-EOF
	$(anchors_of "$dir/host" "$ID_A" | sed -n 1p)
	EOF
	[ -n "$len" ] || return 1
	n=$(count_records "$dir/host")
	cp "$dir/host" "$dir/host.replayed"
	dd if="$dir/host" bs=1 skip="$offset" count="$len" 2>/dev/null \
		>>"$dir/host.replayed"
	echo "# anchor at host list entry $index replayed as entry $n"
	verify_host "$dir" "$ID_A" "$dir/ns" "$dir/host.replayed" || rc=$?
	rejected "$rc" "$dir" "host list broken at entry $n (ima-ns-anchor "
}

# B's anchor does not vouch for A's list, nor A's for B's.
other_namespace_anchor_rejected() {
	local dir=$WORK/s1 rc=0
	cat "$(ns_list_of B)" >"$dir/ns.b"
	verify_host "$dir" "$ID_B" || rc=$?
	rejected "$rc" "$dir" "namespace list broken in entries 0\\.\\." ||
		return 1
	rc=0
	verify_host "$dir" "$ID_A" "$dir/ns.b" || rc=$?
	rejected "$rc" "$dir" "namespace list "
}

repeated_anchor_adds_no_entry() {
	local before after
	before=$(count_anchors "$WORK/host.anchored" "$ID_A")
	after=$(count_anchors "$WORK/host.reanchored" "$ID_A")
	echo "# anchors of A: $before, after a second write $after"
	[ "$before" -eq 2 ] && [ "$after" -eq "$before" ]
}

# A runs 5 and does not anchor it: the verifier shows it as not vouched.
entries_after_anchor_unvouched() {
	local dir=$WORK/s2 n
	ctr_run A 5 && snapshot_host "$dir" "$(ns_list_of A)" || return 1
	n=$(count_records "$dir/ns")
	[ "$(anchor_value A anchored)" -eq $((n - 1)) ] || return 1
	verify_host "$dir" "$ID_A" || { show "$dir/out"; return 1; }
	accepted "$dir" "$((n - 1)) of $n entries vouched" || return 1
	grep -q "^unvouched $((n - 1)) .*/5/true (after the latest anchor)$" \
		"$dir/out" || { show "$dir/out"; return 1; }
}

# A ends with 5 not anchored: its teardown anchors it, and the list as it
# was at the end is vouched in full.
teardown_records_final_anchor() {
	local dir=$WORK/s3 n before after
	cat "$(ns_list_of A)" >"$WORK/ns-a.final"
	n=$(count_records "$WORK/ns-a.final")
	read_host_list "$WORK/host.before-teardown"
	before=$(count_anchors "$WORK/host.before-teardown" "$ID_A")
	stop_container A
	wait_namespace_gone "$ID_A" || return 1
	snapshot_host "$dir" "$WORK/ns-a.final" || return 1
	after=$(count_anchors "$dir/host" "$ID_A")
	echo "# anchors of A: $before before its teardown, $after after"
	[ "$after" -eq $((before + 1)) ] || return 1
	verify_host "$dir" "$ID_A" || { show "$dir/out"; return 1; }
	accepted "$dir" "$n of $n entries vouched"
}

# B's list did not grow since its anchor: its teardown adds none.
teardown_without_new_entries_adds_no_anchor() {
	local before after
	read_host_list "$WORK/host.b"
	before=$(count_anchors "$WORK/host.b" "$ID_B")
	stop_container B
	wait_namespace_gone "$ID_B" || return 1
	read_host_list "$WORK/host.b"
	after=$(count_anchors "$WORK/host.b" "$ID_B")
	echo "# anchors of B: $before before its teardown, $after after"
	[ "$before" -eq 1 ] && [ "$after" -eq 1 ]
}

# Only the host may grow its own list: the root of an unprivileged
# user namespace cannot anchor its namespace (EPERM), here container U.
tenant_anchor_refused() {
	local rc=0
	start_container U && activate_container U || return 1
	ID_U=$(container_id U)
	ctr_exec U /bin/sh -c 'echo 1 >/sys/kernel/security/ima/anchor' \
		2>"$WORK/tenant-anchor.err" || rc=$?
	show "$WORK/tenant-anchor.err"
	read_host_list "$WORK/host.u"
	[ "$rc" -ne 0 ] &&
		grep -q "Operation not permitted" "$WORK/tenant-anchor.err" &&
		[ "$(count_anchors "$WORK/host.u" "$ID_U")" -eq 0 ]
}

# U's list grew (its shell's exec), but nobody anchored it: its teardown
# must not grow the host's list either.
teardown_of_unanchored_namespace_adds_no_anchor() {
	[ -n "$ID_U" ] && [ "$(anchor_value U entries)" -gt 1 ] || return 1
	stop_container U
	wait_namespace_gone "$ID_U" || return 1
	read_host_list "$WORK/host.u"
	[ "$(count_anchors "$WORK/host.u" "$ID_U")" -eq 0 ]
}

# ---- tests with a vTPM -------------------------------------------------
#
# Container V: the host binds a vTPM to its namespace before it is
# activated; V runs 6. S4: a quote of the vTPM with V's list.

setup_vtpm_container() {
	local out tpm
	start_container V || return 1
	out=$("$VTPM_HELPER" bind "$(container_pid V)" "$WORK/vtpm" \
		2>"$WORK/vtpm.err") || { show "$WORK/vtpm.err"; return 1; }
	read -r tpm SWTPM_PID <<-EOF
	$out
	EOF
	VTPM_TCTI=device:/dev/tpmrm${tpm#tpm}
	activate_container V && ctr_run V 6 || return 1
	ktap_print_msg "IMA namespace V $(container_id V):" \
		"vTPM $tpm (swtpm $SWTPM_PID)"
	make_ak "$VTPM_TCTI" "$WORK/vtpm-ak"
}

# The vTPM's extends are queued after the list: quote until it caught up.
vtpm_attested_from_its_quote() {
	local dir=$WORK/s4 waited=0 n
	mkdir -p "$dir"
	while :; do
		fresh_nonce >"$dir/nonce"
		cat "$(ns_list_of V)" >"$dir/ns.before"
		quote "$VTPM_TCTI" "$WORK/vtpm-ak" "$dir" || return 1
		cat "$(ns_list_of V)" >"$dir/ns"
		if cmp -s "$dir/ns.before" "$dir/ns" &&
			verify vtpm "$WORK/vtpm-ak" "$dir" --ns-list "$dir/ns"; then
			break
		fi
		if [ "$waited" -ge "$VTPM_CATCH_UP" ]; then
			show "$dir/out"
			return 1
		fi
		sleep 1
		waited=$((waited + 1))
	done
	n=$(count_records "$dir/ns")
	show "$dir/out"
	[ "$(anchor_value V tpm_errors)" = 0 ] &&
		accepted "$dir" "$n of $n entries vouched" &&
		grep -q "^vouched   [0-9]* .*/6/true$" "$dir/out"
}

vtpm_tampered_list_rejected() {
	local dir=$WORK/s4 rc=0
	[ -s "$dir/ns" ] || return 1
	cp "$dir/ns" "$dir/ns.tampered"
	flip_byte "$dir/ns.tampered" $(($(wc -c <"$dir/ns") - 1))
	verify vtpm "$WORK/vtpm-ak" "$dir" --ns-list "$dir/ns.tampered" ||
		rc=$?
	rejected "$rc" "$dir" "namespace list broken at entry"
}

# ---- main --------------------------------------------------------------

count_words() {
	echo $#
}

# TEST...: run each test function.
result() {
	local test
	for test in "$@"; do
		if "$test"; then
			ktap_test_pass "$test"
		else
			ktap_test_fail "$test"
		fi
	done
}

skip_all_of() {
	local reason=$1 test
	shift
	for test in "$@"; do
		ktap_test_skip "$test"
	done
	ktap_print_msg "skipped: $reason"
}

main() {
	local reason scratch test
	ktap_print_header
	reason=$(missing_prerequisite)
	if [ -n "$reason" ]; then
		ktap_skip_all "$reason"
		exit "$KSFT_SKIP"
	fi
	scratch=${IMA_NS_SCRATCH:-/var/tmp/ima-ns}
	mkdir -p "$scratch"
	WORK=$(mktemp -d /tmp/ns-attest.XXXXXX)
	BIN=$(mktemp -d "$scratch/attest-bin.XXXXXX")
	# The containers' roots reach their control directories and binaries.
	chmod 0755 "$WORK" "$BIN"
	trap cleanup EXIT
	write_container_init "$WORK/container-init.sh"
	make_binaries

	start_containers || ktap_exit_fail_msg "cannot start containers A and B"
	if [ ! -e "$(host_view A anchor)" ]; then
		ktap_skip_all "no host anchors (ima/namespaces/<id>/anchor)"
		exit "$KSFT_SKIP"
	fi
	# shellcheck disable=SC2086 # lists of names
	ktap_set_plan "$(count_words $TESTS $VTPM_TESTS)"
	make_ak "$HOST_TCTI" "$WORK/host-ak" ||
		ktap_exit_fail_msg "cannot make an attestation key on the host TPM"
	anchor_containers ||
		ktap_exit_fail_msg "cannot anchor containers A and B"
	# shellcheck disable=SC2086 # lists of names
	result $TESTS

	reason=$(missing_vtpm_prerequisite)
	if [ -n "$reason" ]; then
		# shellcheck disable=SC2086 # lists of names
		skip_all_of "$reason" $VTPM_TESTS
	elif ! setup_vtpm_container; then
		ktap_print_msg "cannot set up container V with a vTPM"
		# shellcheck disable=SC2086 # lists of names
		for test in $VTPM_TESTS; do
			ktap_test_fail "$test"
		done
	else
		# shellcheck disable=SC2086 # lists of names
		result $VTPM_TESTS
	fi
	ktap_finished
}

main "$@"
