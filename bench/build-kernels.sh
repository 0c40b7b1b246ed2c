#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the two benchmark kernels from the same base and the same config:
#
#   build-kernels.sh --ktree TREE --out DIR
#
#   DIR/src-base           pristine source: `git archive base` of TREE
#   DIR/obj/base           its build (arch/x86/boot/bzImage)
#   DIR/obj/patched        TREE (base + overlay + edits) built out of tree
#
# Config: allnoconfig + kernel/configs/ima_ns_guest.config +
# tools/testing/selftests/ima_ns/config + bench/bench.config, without the
# debug fragment; CONFIG_IMA_NS=y on the patched kernel when the symbol
# exists. A kernel is rebuilt only when a source file or its config
# fragment is newer than its bzImage. Builds run at nice 19 with -j2.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
SCRIPTS=$BENCH/../scripts
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$SCRIPTS/lib.sh"

JOBS=${BENCH_JOBS:-2}

usage() {
	sed -n '5s/^# //p' "$0" >&2
	exit 2
}

# Unpack tag "base" of the prepared tree once per base commit.
extract_base_source() {
	local ktree=$1 src=$2 commit
	commit=$(git -C "$ktree" rev-parse base)
	[[ $(cat "$src/.bench-base-commit" 2>/dev/null) == "$commit" ]] && return 0
	note "unpacking tag base of $ktree into $src"
	rm -rf "$src"
	mkdir -p "$src"
	git -C "$ktree" archive base | tar -x -C "$src"
	echo "$commit" >"$src/.bench-base-commit"
}

has_ima_ns_symbol() {
	grep -rqs --include=Kconfig '^config IMA_NS$' "$1/security" "$1/init"
}

# The merged config fragment of one variant on stdout. Only the patched
# kernel gets (or keeps) IMA_NS options: the pristine base has none.
config_fragment() {
	local ktree=$1 src=$2 variant=$3
	local frags=("$ktree/kernel/configs/ima_ns_guest.config"
		"$ktree/tools/testing/selftests/ima_ns/config"
		"$BENCH/bench.config") frag
	for frag in "${frags[@]}"; do
		[[ -f $frag ]] || die "missing config fragment $frag (run make prepare)"
	done
	if [[ $variant == patched ]] && has_ima_ns_symbol "$src"; then
		cat "${frags[@]}"
		echo CONFIG_IMA_NS=y
	else
		cat "${frags[@]}" | grep -Ev '^(# )?CONFIG_IMA_NS[A-Z0-9_]*[= ]'
	fi
}

# True when bzImage is missing or older than a source file or the config.
needs_build() {
	local src=$1 obj=$2 bz=$2/arch/x86/boot/bzImage
	[[ -f $bz && $obj/.config -ot $bz ]] || return 0
	[[ -n $(find "$src" -path "$src/.git" -prune -o -type f -newer "$bz" \
		-print -quit) ]]
}

build_kernel() {
	local ktree=$1 src=$2 obj=$3 variant=$4 frag
	mkdir -p "$obj"
	frag=$obj/bench-fragment.config
	config_fragment "$ktree" "$src" "$variant" >"$frag.new"
	if cmp -s "$frag.new" "$frag" && [[ -f $obj/.config ]]; then
		rm -f "$frag.new"
	else
		mv "$frag.new" "$frag"
		"$SCRIPTS/make-config.sh" "$src" "$obj" "$frag"
	fi
	if ! needs_build "$src" "$obj"; then
		note "$variant: $obj/arch/x86/boot/bzImage is up to date"
		return 0
	fi
	note "$variant: building in $obj (log: $obj/build.log)"
	SECONDS=0
	if ! nice -n 19 make -C "$src" O="$obj" -j"$JOBS" CC="ccache gcc" \
		HOSTCC="ccache gcc" KBUILD_BUILD_TIMESTAMP=ima-ns \
		KBUILD_BUILD_USER=ima-ns KBUILD_BUILD_HOST=ima-ns \
		bzImage >"$obj/build.log" 2>&1; then
		tail -n 40 "$obj/build.log" >&2
		die "$variant: kernel build failed"
	fi
	# Kbuild leaves bzImage alone when no input of it changed.
	touch "$obj/arch/x86/boot/bzImage"
	note "$variant: built in ${SECONDS}s"
}

main() {
	local ktree='' out=''
	while [[ $# -gt 0 ]]; do
		case $1 in
		--ktree) ktree=$(option_value "$@") || exit 2; shift 2 ;;
		--out) out=$(option_value "$@") || exit 2; shift 2 ;;
		*) usage ;;
		esac
	done
	[[ -n $ktree && -n $out ]] || usage
	git -C "$ktree" rev-parse -q --verify base >/dev/null ||
		die "$ktree is not a prepared tree (run make prepare)"
	require_commands ccache gcc git make
	ktree=$(cd "$ktree" && pwd)
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	extract_base_source "$ktree" "$out/src-base"
	build_kernel "$ktree" "$out/src-base" "$out/obj/base" base
	build_kernel "$ktree" "$ktree" "$out/obj/patched" patched
}

main "$@"
