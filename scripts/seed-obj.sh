#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Start a flavor's build directory from a copy of another flavor's.
#
#   seed-obj.sh FROM TO -- MAKE [ARG...]
#
# For a flavor whose configuration is another's but for a few symbols:
# kbuild then compiles again only the objects that depend on a changed
# symbol (fixdep), and does not even preprocess the others. MAKE ARG...
# is the kernel build command for TO (O=TO, the same CC and HOSTCC).
# Nothing is done when TO is configured already (it builds incrementally
# as it is) or FROM is not.
set -euo pipefail

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$SCRIPTS/lib.sh"

OBJTOOL=tools/objtool/objtool

usage() { echo "usage: $0 FROM TO -- MAKE [ARG...]" >&2; exit 2; }

# True when executables $1 and $2 hold the same code: the same bytes
# without their debug information and build id, which hold the paths.
same_code() {
	local a b rc=0
	a=$(mktemp) b=$(mktemp)
	objcopy --strip-debug --remove-section=.note.gnu.build-id "$1" "$a" &&
		objcopy --strip-debug --remove-section=.note.gnu.build-id "$2" "$b" &&
		cmp -s "$a" "$b" || rc=1
	rm -f "$a" "$b"
	return "$rc"
}

main() {
	{ (($# >= 4)) && [[ $3 == -- ]]; } || usage
	local from=$1 to=$2
	shift 3
	[[ ! -f $to/.config && -f $from/.config ]] || return 0
	note "$to from a copy of $from"
	rm -rf "$to" "$to.seed"
	cp -a "$from" "$to.seed"
	mv "$to.seed" "$to"
	# objtool's build records its absolute output directory, so the copy
	# builds it again, and every object depends on the objtool binary.
	# When the new one has the old one's code, its files get the old
	# one's time, and the objects stay as they are.
	[[ -x $from/$OBJTOOL ]] || return 0
	"$@" tools/objtool >"$to/seed-objtool.log" 2>&1 ||
		die "building objtool in $to failed (see $to/seed-objtool.log)"
	if same_code "$from/$OBJTOOL" "$to/$OBJTOOL"; then
		find "$to/tools/objtool" -newer "$from/$OBJTOOL" \
			-exec touch -h -r "$from/$OBJTOOL" {} +
	fi
}

main "$@"
