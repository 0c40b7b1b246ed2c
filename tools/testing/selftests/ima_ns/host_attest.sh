#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=dash
#
# Attest the host IMA the way a remote verifier does: evmctl replays
# binary_runtime_measurements against the TPM's PCRs and must match, must
# reject a tampered copy of the list, and must compute the boot_aggregate
# that opens the list from PCRs 0-9.
#
# Needs root, IMA's securityfs files, a TPM 2.0 with a SHA-256 PCR bank in
# sysfs and evmctl (ima-evm-utils); skips otherwise. Work files go to
# $IMA_NS_SCRATCH (default /var/tmp/ima-ns). Busybox sh compatible.
set -eu -o pipefail

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4
IMA_DIR=/sys/kernel/security/ima
TPM_DIR=/sys/class/tpm/tpm0
PCR_BANKS="sha1 sha256"
NUM_TESTS=4

test_number=0
passed=0
failed=0
skipped=0

ktap_result() {
	local status=$1 name=$2 directive=${3:-}
	test_number=$((test_number + 1))
	echo "$status $test_number $name${directive:+ # $directive}"
}

test_pass() {
	passed=$((passed + 1))
	ktap_result ok "$1"
}

test_fail() {
	failed=$((failed + 1))
	ktap_result "not ok" "$1"
}

test_skip() {
	skipped=$((skipped + 1))
	ktap_result ok "$1" "SKIP $2"
}

# Print lines of a file as TAP diagnostics.
show_file() {
	sed 's/^/# /' "$1"
}

# The reason the host cannot be attested here, or nothing.
missing_prerequisite() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "must run as root"
	elif [ ! -r "$IMA_DIR/binary_runtime_measurements" ]; then
		echo "no IMA securityfs files (CONFIG_IMA, securityfs mounted)"
	elif [ ! -r "$TPM_DIR/pcr-sha256/10" ]; then
		echo "no TPM 2.0 SHA-256 PCR bank in sysfs"
	elif ! command -v evmctl >/dev/null; then
		echo "evmctl (ima-evm-utils) not found"
	fi
}

# Write one PCR bank in the "PCR-NN: <hex>" format that evmctl reads.
read_pcr_bank() {
	local bank=$1 out=$2 i=0 value
	{
		while [ "$i" -lt 24 ]; do
			read -r value <"$TPM_DIR/pcr-$bank/$i"
			printf 'PCR-%02d: %s\n' "$i" "$value"
			i=$((i + 1))
		done
	} >"$out"
}

read_pcr_banks() {
	local dir=$1 suffix=$2 bank
	for bank in $PCR_BANKS; do
		[ -d "$TPM_DIR/pcr-$bank" ] || continue
		read_pcr_bank "$bank" "$dir/pcrs-$bank$suffix"
	done
}

same_pcr_banks() {
	local dir=$1 bank
	for bank in $PCR_BANKS; do
		[ -f "$dir/pcrs-$bank" ] || continue
		cmp -s "$dir/pcrs-$bank.before" "$dir/pcrs-$bank" || return 1
	done
}

# Copy the list and the PCRs as one consistent state: the PCRs did not
# change while the list was copied. Reading the copies later measures them,
# which changes the live list and PCR 10 but not the snapshot.
snapshot_list_and_pcrs() {
	local dir=$1 try=0
	while [ "$try" -lt 5 ]; do
		read_pcr_banks "$dir" .before
		cat "$IMA_DIR/binary_runtime_measurements" >"$dir/list"
		read_pcr_banks "$dir" ""
		same_pcr_banks "$dir" && return 0
		try=$((try + 1))
	done
	return 1
}

# Succeeds when evmctl replays LIST to the snapshot PCRs in DIR without
# error. evmctl exits 0 even when it could read no PCR: check its words.
replay_matches() {
	local dir=$1 list=$2 bank rc=0
	set --
	for bank in $PCR_BANKS; do
		[ -f "$dir/pcrs-$bank" ] && set -- "$@" --pcrs "$bank,$dir/pcrs-$bank"
	done
	evmctl ima_measurement --ignore-violations "$@" "$list" \
		>"$dir/evmctl.out" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] &&
		grep -q "Matched per TPM bank" "$dir/evmctl.out" &&
		! grep -q "Failed" "$dir/evmctl.out"
}

# Invert all bits of the byte at OFFSET of FILE, in place.
flip_byte() {
	local file=$1 offset=$2 byte
	byte=$(od -An -tu1 -j "$offset" -N1 "$file" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the escaped byte
	printf "$(printf '\\%03o' $((byte ^ 255)))" |
		dd of="$file" bs=1 seek="$offset" count=1 conv=notrunc 2>/dev/null
}

test_replay_matches_tpm() {
	local dir=$1
	if replay_matches "$dir" "$dir/list"; then
		test_pass replay_matches_tpm
	else
		show_file "$dir/evmctl.out"
		test_fail replay_matches_tpm
	fi
}

# NAME OFFSET: a copy of the list with the byte at OFFSET flipped must not
# replay to the TPM PCRs.
test_tampered_list_rejected() {
	local dir=$1 name=$2 offset=$3
	if ! replay_matches "$dir" "$dir/list"; then
		test_skip "$name" "the untampered list does not match either"
		return
	fi
	cp "$dir/list" "$dir/tampered"
	flip_byte "$dir/tampered" "$offset"
	if cmp -s "$dir/list" "$dir/tampered"; then
		test_fail "$name"
		echo "# could not tamper with the list copy"
	elif replay_matches "$dir" "$dir/tampered"; then
		show_file "$dir/evmctl.out"
		test_fail "$name"
	else
		test_pass "$name"
	fi
}

# evmctl computes from PCRs 0-9 the boot_aggregate that opens the list.
test_boot_aggregate_matches_evmctl() {
	local dir=$1 pcr digest template boot_aggregate name computed
	read -r pcr digest template boot_aggregate name \
		<"$IMA_DIR/ascii_runtime_measurements"
	if [ "$name" != boot_aggregate ] || [ "$pcr" != 10 ]; then
		echo "# first entry: $pcr $digest $template $boot_aggregate $name"
		test_fail boot_aggregate_matches_evmctl
		return
	fi
	case $boot_aggregate in
	sha256:*) ;;
	*)
		test_skip boot_aggregate_matches_evmctl \
			"boot_aggregate is not sha256 (ima_hash=sha256)"
		return
		;;
	esac
	computed=$(evmctl ima_boot_aggregate --pcrs "sha256,$dir/pcrs-sha256" \
		2>"$dir/evmctl.err") || true
	if [ "$computed" = "$boot_aggregate" ]; then
		test_pass boot_aggregate_matches_evmctl
	else
		echo "# list: $boot_aggregate"
		echo "# evmctl: $computed"
		show_file "$dir/evmctl.err"
		test_fail boot_aggregate_matches_evmctl
	fi
}

main() {
	local reason scratch dir
	echo "TAP version 13"
	reason=$(missing_prerequisite)
	if [ -n "$reason" ]; then
		echo "1..0 # SKIP $reason"
		exit "$KSFT_SKIP"
	fi
	scratch=${IMA_NS_SCRATCH:-/var/tmp/ima-ns}
	mkdir -p "$scratch"
	dir=$(mktemp -d "$scratch/attest.XXXXXX")
	# shellcheck disable=SC2064 # expand now: $dir is local
	trap "rm -rf '$dir'" EXIT

	echo "1..$NUM_TESTS"
	if ! snapshot_list_and_pcrs "$dir"; then
		echo "# PCRs kept changing while the list was copied"
		exit "$KSFT_FAIL"
	fi
	test_replay_matches_tpm "$dir"
	# The first record's template digest follows its 4-byte PCR index.
	test_tampered_list_rejected "$dir" tampered_template_digest_rejected 4
	# The last byte of the list is template data (the last file name).
	test_tampered_list_rejected "$dir" tampered_template_data_rejected \
		$(($(wc -c <"$dir/list") - 1))
	test_boot_aggregate_matches_evmctl "$dir"

	echo "# Totals: pass:$passed fail:$failed xfail:0 xpass:0 skip:$skipped error:0"
	[ "$failed" -eq 0 ] || exit "$KSFT_FAIL"
	[ "$passed" -gt 0 ] || exit "$KSFT_SKIP"
	exit "$KSFT_PASS"
}

main "$@"
