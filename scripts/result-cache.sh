#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run a check once per set of inputs: a passing result is kept outside the
# clone and printed again, marked "cached:", while the inputs stay the same.
#
#   result-cache.sh --name NAME [--tree KTREE [--exclude PATH]...]
#                   [--input STRING]... [--files PATH]... [--lookup] -- CMD...
#
# The inputs, hashed into the key: NAME and CMD (with its make variables),
# the kernel tree KTREE as it is on disk (its git tree, edits included,
# without the --exclude paths), each --input (e.g. a commit), our tooling
# that builds and boots a kernel and the --files, the compiler and the
# versions of the Debian packages in $RESULT_CACHE_PACKAGES.
# Only a run that exits 0 with "N passed, 0 failed..." as its last summary
# line is kept, in $IMA_NS_RESULTS (default ~/.cache/ima-ns/results);
# RESULT_CACHE=0 runs CMD whatever is cached. --lookup prints the cached
# result, or exits 1 when there is none, and never runs CMD.
set -euo pipefail

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$SCRIPTS/.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$SCRIPTS/lib.sh"

RESULTS=${IMA_NS_RESULTS:-${XDG_CACHE_HOME:-$HOME/.cache}/ima-ns/results}
# Files a kernel build reads below the paths one may exclude.
KEEP=(':!Documentation/Kconfig' ':!tools/testing/selftests/*/config')
# What builds and boots a kernel, besides the kernel tree itself.
TOOLING=(Makefile scripts/make-config.sh scripts/matrix-build.config
	scripts/test-guest.config scripts/seed-obj.sh scripts/mkrootfs.sh
	scripts/qemu-test.sh scripts/tap-summary.sh scripts/lib.sh
	scripts/result-cache.sh scripts/guest)

usage() {
	sed -n '6,7s/^# //p' "$0" >&2
	exit 2
}

# The git tree of KTREE's working files, through a scratch index so that
# the tree's own index is untouched. Ignored files are not in it: the
# kernel ignores only build output, and we build out of the tree (O=).
tree_hash() {
	local ktree=$1 index tree
	shift
	index=$(mktemp)
	cp "$ktree/.git/index" "$index"
	GIT_INDEX_FILE=$index git -C "$ktree" add -A
	if (($#)); then
		GIT_INDEX_FILE=$index git -C "$ktree" rm -r -q --cached \
			--ignore-unmatch -- "$@" "${KEEP[@]}" >/dev/null
	fi
	tree=$(GIT_INDEX_FILE=$index git -C "$ktree" write-tree)
	rm -f "$index"
	echo "$tree"
}

# Everything but the kernel tree that the result depends on.
environment() {
	local pkgs
	(cd "$REPO" && find "${TOOLING[@]}" "$@" -type f -print0 |
		LC_ALL=C sort -z | xargs -0 sha256sum)
	# sed, not head: a writer cut off by a closed pipe would fail the key.
	gcc --version | sed -n 1p
	ld --version | sed -n 1p
	read -r -a pkgs <<<"${RESULT_CACHE_PACKAGES:-}"
	# A package that is missing is an input too ("no packages found").
	((${#pkgs[@]} == 0)) || dpkg-query -W "${pkgs[@]}" 2>&1 || true
	env | LC_ALL=C sort | grep -E \
		'^(KCFLAGS|KCPPFLAGS|KAFLAGS|KBUILD_[A-Z_]*|ARCH|LLVM|SERIES_[A-Z_]*)=' || true
}

# The last summary line of a log, when it says nothing failed.
passing_summary() {
	grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1 |
		grep -E '^[0-9]+ passed, 0 failed' || true
}

# The key of CMD ($@) with the inputs main() gathered.
inputs_key() {
	{ echo "$name"; printf '%q ' "$@"; echo
	  [[ -z $ktree ]] || tree_hash "$ktree" "${excludes[@]}"
	  printf '%s\n' "${inputs[@]}"; environment "${files[@]}"; } |
		sha256sum | cut -c1-16
}

main() {
	local name='' ktree='' excludes=() inputs=() files=() lookup=0
	local key entry log rc=0 summary
	while (($#)) && [[ $1 != -- ]]; do
		case $1 in
		--name) name=$(option_value "$@") || exit 2 ;;
		--tree) ktree=$(option_value "$@") || exit 2 ;;
		--exclude) excludes+=("$(option_value "$@")") || exit 2 ;;
		# An input may be empty: make's MAKEOVERRIDES, when no
		# variable is given on its command line.
		--input) (($# >= 2)) || usage; inputs+=("$2") ;;
		--files) files+=("$(option_value "$@")") || exit 2 ;;
		--lookup) lookup=1 && shift && continue ;;
		*) usage ;;
		esac
		shift 2
	done
	(($#)) && shift
	[[ -n $name && $# -gt 0 ]] || usage
	[[ -n $ktree || ${#inputs[@]} -gt 0 ]] || usage
	[[ -z $ktree || -d $ktree/.git ]] ||
		die "$ktree is not a prepared tree (run make prepare)"

	key=$(inputs_key "$@")
	entry=$RESULTS/$name-$key
	if [[ ${RESULT_CACHE:-1} != 0 && -f $entry ]]; then
		summary=$(passing_summary "$entry")
		if [[ -n $summary ]]; then
			echo "cached: $name: $summary (same inputs $key, run $(date -u -r \
				"$entry" '+%F %H:%M UTC'); RESULT_CACHE=0 reruns it)"
			echo "$summary"
			return 0
		fi
	fi
	((lookup == 0)) || return 1
	mkdir -p "$RESULTS"
	log=$(mktemp "$RESULTS/.$name.XXXXXX")
	"$@" 2>&1 | tee "$log" || rc=$?
	if ((rc == 0)) && [[ -n $(passing_summary "$log") ]]; then
		# An edit made while CMD ran may or may not be in its result.
		if [[ $(inputs_key "$@") == "$key" ]]; then
			mv "$log" "$entry"
		else
			echo "result-cache: $name: inputs changed while it ran, not kept" >&2
		fi
	fi
	rm -f "$log"
	return "$rc"
}

main "$@"
