#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Generate OBJ/.config from allnoconfig plus config fragments, and stop when
# a requested option did not make it (a missing dependency would otherwise
# silently drop, say, CONFIG_IMA_NS from the test kernel).
set -euo pipefail

usage() {
	echo "usage: $0 [--without SYM]... KSRC OBJ FRAGMENT... [-- CONFIG_X=v ...]" >&2
	exit 2
}

# SYMBOL=value for each symbol the fragments set; a later fragment wins.
requested_values() {
	sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)$/\1=\2/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' "$@" |
		tac | awk -F= '!seen[$1]++'
}

actual_value() {
	local sym=$1 config=$2 line
	line=$(grep -E "^($sym=|# $sym is not set)" "$config" || true)
	case $line in
	"") echo n ;;
	"# "*) echo n ;;
	*) echo "${line#*=}" ;;
	esac
}

main() {
	local ksrc obj frags=() extra=() without=() missing=0 want sym val
	while [[ ${1:-} == --without ]]; do
		(($# >= 2)) || usage
		without+=("$2")
		shift 2
	done
	(($# >= 3)) || usage
	ksrc=$1 obj=$2
	shift 2
	while (($#)) && [[ $1 != -- ]]; do frags+=("$(realpath "$1")"); shift; done
	(($#)) && shift
	extra=("$@")
	mkdir -p "$obj"
	merged=$(mktemp)
	trap 'rm -f "$merged"' EXIT
	cat "${frags[@]}" >"$merged"
	# --without SYM: CONFIG_SYM=n, and what the fragments ask of
	# CONFIG_SYM and CONFIG_SYM_* is no longer asked.
	for sym in "${without[@]}"; do
		sed -i -E "/^(# )?CONFIG_${sym}(_[A-Za-z0-9_]*)?[= ]/d" "$merged"
		extra+=("CONFIG_$sym=n")
	done
	printf '%s\n' "${extra[@]}" >>"$merged"
	# Fragments may repeat a symbol; the check below is what matters.
	make -s -C "$ksrc" O="$(realpath "$obj")" KCONFIG_ALLCONFIG="$merged" \
		allnoconfig 2>&1 | { grep -v 'override: reassigning to symbol' || true; } >&2
	while IFS= read -r want; do
		sym=${want%%=*}
		val=$(actual_value "$sym" "$obj/.config")
		if [[ $val != "${want#*=}" ]]; then
			echo "make-config: $sym: requested ${want#*=}, got $val" >&2
			missing=1
		fi
	done < <(requested_values "$merged")
	((missing == 0)) || { echo "make-config: fix the fragments above" >&2; exit 1; }
}

main "$@"
