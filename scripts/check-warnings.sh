#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# W=1 and sparse on the kernel code the overlay adds or changes.
#
#   check-warnings.sh KTREE OBJ
#
# Recompiles, in the configured build directory OBJ, every object built
# from a file of the overlay (security/integrity/ and drivers/char/tpm/
# whole, the other files one by one) with W=1 C=2, and prints each
# warning or error in an overlay file. The last line is "N passed, N
# failed": one check, failed when any such finding exists.
set -euo pipefail

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$SCRIPTS/.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$SCRIPTS/lib.sh"

(($# == 2)) || { echo "usage: $0 KTREE OBJ" >&2; exit 2; }
ktree=$(realpath "$1")
obj=$(realpath "$2")
[[ -f $obj/.config ]] || die "$obj is not a configured build directory"

# Kernel C files of the overlay: new files and patched base files.
mapfile -t sources < <(cd "$REPO" && git ls-files -- drivers fs include \
	kernel security | sed 's/\.patch$//' | grep -E '\.[ch]$' || true)
targets=(security/integrity/ drivers/char/tpm/)
for src in "${sources[@]}"; do
	case $src in
	security/integrity/* | drivers/char/tpm/* | include/*) ;;
	*.c) targets+=("${src%.c}.o") ;;
	esac
done

log=$obj/check-warnings.log
note "W=1 C=2: ${targets[*]} (log: $log)"
rc=0
nice -n 10 make -C "$ktree" O="$obj" CC="ccache gcc" HOSTCC="ccache gcc" \
	-j"$(nproc)" W=1 C=2 "${targets[@]}" >"$log" 2>&1 || rc=$?
pattern=$(printf '%s\n' "${sources[@]}" | sed 's/[.]/[.]/g; s/^/(^|\/)/; s/$/:[0-9]+:/' |
	paste -sd'|')
# "file:line" of every line the overlay adds to a base file.
added_lines() {
	git -C "$ktree" diff -U0 base -- "$@" | awk '
		/^\+\+\+ b\// { file = substr($0, 7) }
		/^@@/ {
			split($3, a, ","); start = substr(a[1], 2)
			n = (2 in a) ? a[2] : 1
			for (i = 0; i < n; i++) print file ":" start + i
		}'
}

# A finding counts in a new file, and in a base file on a line we added.
in_our_code() {
	local added patched
	added=$(mktemp)
	patched=$(mktemp)
	added_lines "${sources[@]}" >"$added"
	(cd "$REPO" && git ls-files -- drivers fs include kernel security |
		sed -n 's/\.patch$//p') >"$patched"
	awk -v ktree="$ktree/" -v added="$added" -v patched="$patched" '
		BEGIN {
			while ((getline l < added) > 0) ours[l] = 1
			while ((getline l < patched) > 0) base[l] = 1
		}
		{
			where = $0; sub("^" ktree, "", where)
			split(where, f, ":")
			if (!(f[1] in base) || (f[1] ":" f[2]) in ours) print
		}' <<<"$1" | sort -u
	rm -f "$added" "$patched"
}

findings=$(grep -E "$pattern" "$log" | grep -E ': (warning|error):' | sort -u || true)
[[ -z $findings ]] || findings=$(in_our_code "$findings")
if ((rc != 0)); then
	tail -n 20 "$log"
	echo "FAIL warnings: the W=1 C=2 build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
if [[ -n $findings ]]; then
	echo "$findings"
	echo "FAIL warnings: $(wc -l <<<"$findings") W=1/sparse findings in overlay files"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "1 passed, 0 failed"
