#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=dash
# make demo: what IMA does in this kernel, step by step, on the console.
set -eu

SECFS=/sys/kernel/security
IMA=$SECFS/ima
WORK=/var/tmp/ima-demo
OCI_LIB=/opt/tests/ima_ns_oci.sh
OCI_HOOK=/opt/tests/ima_ns_oci_hook.sh
VTPM_HELPER=/opt/tests/ima_ns_vtpm
VERIFIER=/opt/tests/ima_ns_verify

step() { printf '\n=== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; sh -c "$*" || true; }

pcr10() { cat /sys/class/tpm/tpm0/pcr-sha256/10 2>/dev/null || echo "(no TPM)"; }

show_boot_state() {
	step "The kernel measures from boot on; boot_aggregate (PCRs 0-9) comes first"
	run "head -n 3 $IMA/ascii_runtime_measurements"
	run "cat $IMA/runtime_measurements_count"
	printf 'TPM PCR 10 (sha256): %s\n' "$(pcr10)"
}

show_measurement() {
	step "Reading a new file as root adds one entry (policy: ima_policy=tcb)"
	mkdir -p "$WORK"
	echo "hello from the demo" >"$WORK/hello.txt"
	run "cat $WORK/hello.txt"
	run "grep $WORK/hello.txt $IMA/ascii_runtime_measurements"
	run "sha256sum $WORK/hello.txt"
	step "Changing it makes IMA measure the new version; reading it again does not"
	echo "changed" >>"$WORK/hello.txt"
	run "cat $WORK/hello.txt >/dev/null; cat $WORK/hello.txt >/dev/null"
	run "grep -c $WORK/hello.txt $IMA/ascii_runtime_measurements"
	printf 'TPM PCR 10 (sha256) now: %s\n' "$(pcr10)"
}

# The PCRs of TPM $1 in the format of evmctl ima_measurement --pcrs.
tpm_pcrs() {
	local i=0
	while [ "$i" -lt 24 ]; do
		printf 'PCR-%02d: %s\n' "$i" "$(cat "/sys/class/tpm/$1/pcr-sha256/$i")"
		i=$((i + 1))
	done
}

show_attestation() {
	step "A verifier replays the list against the TPM (evmctl, PCRs from sysfs)"
	cp "$IMA/binary_runtime_measurements" "$WORK/list"
	tpm_pcrs tpm0 >"$WORK/pcrs"
	run "evmctl ima_measurement --ignore-violations --pcrs sha256,$WORK/pcrs $WORK/list 2>&1 | grep -E 'Matched|Failed'"
}

show_appraisal() {
	step "Appraisal: only files signed with a key in _ima may run (owner 4200)"
	cd "$WORK"
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj /CN=demo \
		-keyout key.pem -outform DER -out cert.der \
		-addext subjectKeyIdentifier=hash \
		-addext keyUsage=digitalSignature 2>/dev/null
	run "keyctl padd asymmetric demo %keyring:_ima <cert.der >/dev/null 2>&1 || keyctl padd asymmetric demo \$(keyctl newring _ima @u) <cert.der"
	run "echo 'appraise func=BPRM_CHECK fowner=4200 appraise_type=imasig' >$IMA/policy"
	# busybox copies named "true", so that they run the true applet.
	mkdir -p signed unsigned
	cp /bin/busybox signed/true
	cp /bin/busybox unsigned/true
	chown 4200 signed/true unsigned/true
	run "evmctl ima_sign --key key.pem -a sha256 signed/true >/dev/null && echo signed"
	run "signed/true && echo 'signed binary: ran'"
	run "unsigned/true 2>&1 || echo 'unsigned binary: refused'"
	echo x >>signed/true
	run "signed/true 2>&1 || echo 'signed binary, then modified: refused'"
	run "grep -c . $IMA/policy"
}

# Runs inside the container: its own securityfs, IMA namespace and policy.
container_script() {
	cat <<-'EOF'
	set -eu
	sec=/tmp/container-securityfs
	mkdir -p "$sec"
	mount -t securityfs securityfs "$sec"
	echo "[container] ls $sec/ima/"; ls "$sec/ima/" | tr '\n' ' '; echo
	echo ima-ns >"$sec/ima/template_name"
	echo 'measure func=BPRM_CHECK' >"$sec/ima/policy"
	echo "[container] configured before activation; policy:"
	cat "$sec/ima/policy"
	echo 1 >"$sec/ima/active"
	echo "[container] IMA namespace $(cat "$sec/ima/ns_id") active"
	"$1/app/true"
	echo "[container] its own measurement list:"
	cat "$sec/ima/ascii_runtime_measurements"
	echo ready >"$1/ready"
	read -r _ <"$1/done"
	EOF
}

show_container() {
	step "A container (new user namespace) gets its own IMA: policy, list, template"
	run "echo 'measure func=BPRM_CHECK' >$IMA/policy  # the host measures every exec"
	mkdir -p "$WORK/ctr"
	mkdir -p "$WORK/ctr/app"
	# A busybox copy named "true" runs the true applet.
	cp /bin/busybox "$WORK/ctr/app/true"
	rm -f "$WORK/ctr/ready" "$WORK/ctr/done"
	mkfifo "$WORK/ctr/ready" "$WORK/ctr/done"
	container_script >"$WORK/ctr/run.sh"
	busybox unshare -U -r -m sh "$WORK/ctr/run.sh" "$WORK/ctr" &
	read -r _ <"$WORK/ctr/ready"
	step "The host sees every active namespace under ima/namespaces/<id>/"
	run "ls $IMA/namespaces/"
	run "cat $IMA/namespaces/*/policy"
	run "cat $IMA/namespaces/*/runtime_measurements_count"
	step "The host's policy still measured the exec inside the container"
	run "grep ctr/app/true $IMA/ascii_runtime_measurements"
	echo finished >"$WORK/ctr/done"
	wait
	step "When the container is gone, so is its namespace"
	sleep 1
	run "ls $IMA/namespaces/ | wc -l"
}

# Runs inside the second container: its own key, signatures and appraisal.
appraising_container_script() {
	cat <<-'EOF'
	set -eu
	work=$1
	if [ "${2:-}" != mapped ]; then
		echo unshared >"$work/unshared"
		read -r _ <"$work/mapped"
		# Root in the namespace only once mapped: exec to get its caps.
		exec sh "$0" "$work" mapped
	fi
	sec=/tmp/container-securityfs
	mkdir -p "$sec"
	mount -t securityfs securityfs "$sec"
	cd "$work"
	echo "[container] a key of its own in a keyring of its session"
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 \
		-subj /CN=container -keyout key.pem -outform DER -out cert.der \
		-addext subjectKeyIdentifier=hash \
		-addext keyUsage=digitalSignature 2>/dev/null
	keyctl new_session >/dev/null
	ring=$(keyctl newring _ima @s)
	keyctl padd asymmetric container "$ring" <cert.der >/dev/null
	echo "[container] configures, then activates: keyring $ring, enforce, policy"
	echo "$ring" >"$sec/ima/keyring"
	echo enforce >"$sec/ima/appraise"
	echo 'appraise func=BPRM_CHECK fowner=4300 appraise_type=imasig' \
		>"$sec/ima/policy"
	echo 1 >"$sec/ima/active"
	echo "[container] keyring $(cat "$sec/ima/keyring")," \
		"appraise $(cat "$sec/ima/appraise"), policy:"
	cat "$sec/ima/policy"
	evmctl ima_sign --key key.pem -a sha256 app/true >/dev/null
	echo "[container] signed app/true with its key"
	app/true && echo "[container] signed binary: ran"
	app/other 2>/dev/null || echo "[container] unsigned binary: refused"
	echo tampered >>app/true
	app/true 2>/dev/null ||
		echo "[container] signed binary, then tampered with: refused"
	EOF
}

show_container_appraisal() {
	local dir=$WORK/ctr2 pid
	step "A container appraises with its own key: it signs a binary, runs it, and is refused once the binary is tampered with"
	mkdir -p "$dir/app"
	cp /bin/busybox "$dir/app/true"
	cp /bin/busybox "$dir/app/other"
	chown 4300:4300 "$dir/app/true" "$dir/app/other"
	rm -f "$dir/unshared" "$dir/mapped"
	mkfifo "$dir/unshared" "$dir/mapped"
	appraising_container_script >"$dir/run.sh"
	busybox unshare -U -m sh "$dir/run.sh" "$dir" &
	pid=$!
	read -r _ <"$dir/unshared"
	# As a runtime does: the container's ids 0-65535 are the host's.
	echo "0 0 65536" >"/proc/$pid/uid_map"
	echo "0 0 65536" >"/proc/$pid/gid_map"
	echo mapped >"$dir/mapped"
	wait "$pid" || echo "(the container script failed)"
}

# A verifier's view: a quote of PCR 10 of TPM device $1 (tpmrmN) by an
# attestation key made there, with a fresh nonce; files in directory $2:
# ak.pem, msg, sig, pcrs, nonce.
quote_pcr10() {
	local dev=$1 dir=$2
	export TPM2TOOLS_TCTI=device:/dev/$dev
	tpm2_createek -c "$dir/ek.ctx" -G rsa >/dev/null &&
		tpm2_createak -C "$dir/ek.ctx" -c "$dir/ak.ctx" -G rsa -g sha256 \
			-s rsassa -u "$dir/ak.pem" -f pem >/dev/null &&
		od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$dir/nonce" &&
		tpm2_quote -c "$dir/ak.ctx" -l sha256:10 -q "$(cat "$dir/nonce")" \
			-m "$dir/msg" -s "$dir/sig" -o "$dir/pcrs" -g sha256 >/dev/null
}

have_verifier() {
	if [ ! -x "$VERIFIER" ] || ! command -v tpm2_quote >/dev/null; then
		echo "(no $VERIFIER or tpm2-tools in this image)"
		return 1
	fi
}

# The quote options of ima_ns_verify for the files of quote_pcr10 in $1.
quote_args() {
	echo "--ak $1/ak.pem --quote-msg $1/msg --quote-sig $1/sig" \
		"--quote-pcrs $1/pcrs --nonce $(cat "$1/nonce")"
}

# Runs inside a container without a vTPM: measures, then measures more
# once the host has anchored its list.
anchored_container_script() {
	cat <<-'EOF'
	set -eu
	work=$1
	sec=/tmp/container-securityfs
	mkdir -p "$sec"
	mount -t securityfs securityfs "$sec"
	echo ima-ng >"$sec/ima/template_name"
	echo 1 >"$sec/ima/active"
	echo 'measure func=BPRM_CHECK' >"$sec/ima/policy"
	"$work/app/true"
	cat "$sec/ima/ns_id" >"$work/ns_id"
	echo ready >"$work/ready"
	read -r _ <"$work/anchored"
	"$work/app/later/true"
	echo "[container] ran app/later/true, after the anchor"
	echo ready >"$work/ready"
	read -r _ <"$work/done"
	EOF
}

show_container_host_anchor() {
	local dir=$WORK/ctr4 id
	step "A container without a vTPM, attested from one quote of the host TPM: the host anchors its list in the host's"
	have_verifier || return 0
	rm -rf "$dir"
	mkdir -p "$dir/app/later" "$dir/q"
	# busybox copies named "true", so that they run the true applet.
	cp /bin/busybox "$dir/app/true"
	cp /bin/busybox "$dir/app/later/true"
	mkfifo "$dir/ready" "$dir/anchored" "$dir/done"
	anchored_container_script >"$dir/run.sh"
	busybox unshare -U -r -m sh "$dir/run.sh" "$dir" &
	read -r _ <"$dir/ready"
	id=$(cat "$dir/ns_id")
	run "echo 1 >$IMA/namespaces/$id/anchor; cat $IMA/namespaces/$id/anchor"
	run "grep ima-ns-anchor $IMA/ascii_runtime_measurements | tail -n 1"
	echo go >"$dir/anchored"
	read -r _ <"$dir/ready"
	cp "$IMA/namespaces/$id/binary_runtime_measurements" "$dir/ns.list"
	quote_pcr10 tpmrm0 "$dir/q" || { echo "(tpm2_quote failed)"; return 0; }
	cp "$IMA/binary_runtime_measurements" "$dir/host.list"
	step "The verifier checks the quote, replays the host's list to it, finds namespace $id's anchor and replays the container's list to it"
	run "$VERIFIER host $(quote_args "$dir/q") --host-list $dir/host.list --ns-list $dir/ns.list --ns-id $id"
	step "A tampered copy of the container's list is rejected"
	cp "$dir/ns.list" "$dir/ns.tampered"
	printf 'X' | dd of="$dir/ns.tampered" bs=1 seek=60 conv=notrunc 2>/dev/null
	run "$VERIFIER host $(quote_args "$dir/q") --host-list $dir/host.list --ns-list $dir/ns.tampered --ns-id $id"
	echo finished >"$dir/done"
	wait
}

# Runs inside the third container, whose vTPM the host binds: it never
# sees the vTPM's server side.
vtpm_container_script() {
	cat <<-'EOF'
	set -eu
	work=$1
	echo started >"$work/started"
	read -r _ <"$work/bound"
	sec=/tmp/container-securityfs
	mkdir -p "$sec"
	mount -t securityfs securityfs "$sec"
	echo 1 >"$sec/ima/active"
	echo 'measure func=BPRM_CHECK' >"$sec/ima/policy"
	"$work/app/true"
	echo "[container] its list: boot_aggregate from the vTPM's PCRs 0-9, then its exec"
	cat "$sec/ima/ascii_runtime_measurements"
	cp "$sec/ima/binary_runtime_measurements" "$work/list"
	EOF
}

show_container_vtpm() {
	local dir=$WORK/ctr3 pid out chip swtpm_pid
	step "A container gets a vTPM of its own (swtpm), bound from the host: its boot_aggregate and PCRs are its own"
	if [ ! -c /dev/vtpmx ] || [ ! -x "$VTPM_HELPER" ] || ! command -v swtpm >/dev/null; then
		echo "(no /dev/vtpmx, $VTPM_HELPER or swtpm in this image)"
		return 0
	fi
	rm -rf "$dir"
	mkdir -p "$dir/app" "$dir/q"
	cp /bin/busybox "$dir/app/true"
	mkfifo "$dir/started" "$dir/bound"
	vtpm_container_script >"$dir/run.sh"
	busybox unshare -U -r -m sh "$dir/run.sh" "$dir" &
	pid=$!
	read -r _ <"$dir/started"
	printf '$ %s\n' "$VTPM_HELPER bind $pid $dir/swtpm"
	if ! out=$("$VTPM_HELPER" bind "$pid" "$dir/swtpm"); then
		echo "(binding failed)"
		kill "$pid"
		return 0
	fi
	chip=${out% *}
	swtpm_pid=${out#* }
	echo "$chip, served by swtpm $swtpm_pid on the host, bound before activation"
	echo bound >"$dir/bound"
	wait "$pid" || { echo "(the container script failed)"; return 0; }
	step "The chip is the container's: another user namespace cannot open it"
	run "busybox unshare -U -r sh -c 'exec 3<>/dev/tpmrm${chip#tpm}' 2>&1 || echo 'refused'"
	step "A verifier checks a quote of the vTPM's PCR 10 and replays the container's list to it"
	if have_verifier && quote_pcr10 "tpmrm${chip#tpm}" "$dir/q"; then
		run "$VERIFIER vtpm $(quote_args "$dir/q") --ns-list $dir/list"
	fi
	step "The host measured the same exec into its own list and TPM"
	run "grep ctr3/app/true $IMA/ascii_runtime_measurements"
	kill "$swtpm_pid" 2>/dev/null || true
}

# A container as in show_container(), made by an unmodified OCI runtime
# through the selftests' createContainer hook (see "Container runtimes" in
# ima-namespaces.rst).
show_runtime_container() {
	local bundle=$WORK/crun-demo log=$WORK/crun-demo.log id waited=0
	step "An unmodified crun runs the same recipe from an OCI createContainer hook"
	if ! command -v crun >/dev/null || [ ! -r "$OCI_LIB" ]; then
		echo "(no crun or no $OCI_LIB in this image)"
		return 0
	fi
	# shellcheck source=SCRIPTDIR/../../tools/testing/selftests/ima_ns/ima_ns_oci.sh
	. "$OCI_LIB"
	rm -rf "$bundle"
	oci_make_rootfs "$bundle/rootfs" 100000
	echo 'measure func=BPRM_CHECK' >"$bundle/policy"
	chmod 0644 "$bundle/policy"
	oci_write_config "$bundle" 100000 \
		'"/bin/sh", "-c", "cat /sys/kernel/security/ima/ascii_runtime_measurements"' \
		"$OCI_HOOK" "\"--policy\", \"$bundle/policy\", \"--template\", \"ima-ng\""
	run "sed -n '/\"hooks\"/,/^  },/p' $bundle/config.json"
	id=$(oci_create demo "$bundle" "$log") || return 0
	echo "crun create ran the hook: IMA namespace $id is active, the process has not run yet"
	run "ls $IMA/namespaces/"
	oci_runtime start demo
	while ! oci_runtime state demo | grep -q '"stopped"' && [ "$waited" -lt 60 ]; do
		sleep 1
		waited=$((waited + 1))
	done
	step "The container's list: its first exec (/bin/sh) follows boot_aggregate"
	run "cat $log"
	oci_runtime delete -f demo
	sleep 2
	step "crun delete: the namespace goes with the container"
	run "ls $IMA/namespaces/"
}

main() {
	grep -q " $SECFS " /proc/mounts || mount -t securityfs securityfs "$SECFS"
	show_boot_state
	show_measurement
	show_attestation
	show_appraisal
	show_container
	show_container_appraisal
	show_container_host_anchor
	show_container_vtpm
	show_runtime_container
	step "Done"
}

main "$@"
