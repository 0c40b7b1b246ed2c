#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The overlay workflow: this repository holds only what differs from the
# base kernel. What is overlay is explicit: every file below OVERLAY_ROOTS.
# There, a file named <path>.patch is a unified diff of the base file <path>
# (never a new file of its own); any other file is a new file, stored whole.
# Everything else in the repository (Makefile, README.md, .ci/, bench/,
# scripts/) is our tooling and never enters a kernel tree.
#
#   overlay.sh prepare TREE TARBALL   editable tree: base commit + overlay commit
#   overlay.sh export TREE            write the tree's edits back to the overlay
#   overlay.sh export-check TREE      non-zero, listing files, if they differ
#   overlay.sh apply KSRC             apply the overlay to a pristine 6.12 tree
#   overlay.sh roots                  the overlay's top-level paths
set -euo pipefail

OVERLAY_ROOTS=(Documentation drivers fs include kernel security tools MAINTAINERS.patch)
REPO=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "overlay: $*" >&2; exit 1; }

overlay_files() {
	local root
	(cd "$REPO" && for root in "${OVERLAY_ROOTS[@]}"; do
		if [[ -e $root ]]; then
			find "$root" -type f
		fi
	done) | LC_ALL=C sort
}

# Run git apply as patch(1) would, relative to $1 even inside another repo.
git_apply_in() {
	local dir=$1
	shift
	(cd "$dir" && GIT_CEILING_DIRECTORIES=$(dirname "$PWD") git apply "$@")
}

apply_overlay() {
	local ksrc=$1 file target failed=()
	while read -r file; do
		if [[ $file == *.patch ]]; then
			git_apply_in "$ksrc" --check "$REPO/$file" 2>/dev/null ||
				failed+=("$file (does not apply without fuzz)")
		elif [[ -e $ksrc/$file ]] && ! cmp -s "$REPO/$file" "$ksrc/$file"; then
			failed+=("$file (already exists in the tree)")
		fi
	done < <(overlay_files)
	if ((${#failed[@]})); then
		printf 'overlay: conflict: %s\n' "${failed[@]}" >&2
		die "nothing was applied to $ksrc"
	fi
	while read -r file; do
		if [[ $file == *.patch ]]; then
			git_apply_in "$ksrc" "$REPO/$file"
		else
			target=$ksrc/$file
			mkdir -p "$(dirname "$target")"
			cp "$REPO/$file" "$target"
		fi
	done < <(overlay_files)
}

# Write the overlay form of TREE's edits (against tag "base") into DIR.
# The kernel's ".*" rule hides new .gitignore files: they are ours too.
# (The index is $GIT_INDEX_FILE's, if set.)
add_hidden_gitignores() {
	git -C "$1" ls-files -z --others --ignored --exclude-standard |
		{ grep -z '\(^\|/\)\.gitignore$' || true; } |
		xargs -0 -r git -C "$1" add -f --
}

export_to() {
	local tree=$1 out=$2 index status path
	index=$(mktemp)
	cp "$tree/.git/index" "$index"
	GIT_INDEX_FILE=$index git -C "$tree" add -A
	GIT_INDEX_FILE=$index add_hidden_gitignores "$tree"
	while IFS=$'\t' read -r status path; do
		mkdir -p "$out/$(dirname "$path")"
		if [[ $status == A ]]; then
			cp "$tree/$path" "$out/$path"
		else
			# No "index" line: its abbreviated hashes depend on the repo.
			GIT_INDEX_FILE=$index git -C "$tree" diff --cached --no-renames \
				--no-color --no-ext-diff base -- "$path" |
				sed -E '/^index [0-9a-f]+\.\.[0-9a-f]+( [0-7]+)?$/d' \
				>"$out/$path.patch"
		fi
	done < <(GIT_INDEX_FILE=$index git -C "$tree" diff --cached --no-renames \
		--name-status base)
	rm -f "$index"
}

# List the files where TREE's edits and the overlay differ.
overlay_diff() {
	local tree=$1 tmp
	tmp=$(mktemp -d)
	export_to "$tree" "$tmp"
	(cd "$tmp" && find . -type f | sed 's|^\./||') | LC_ALL=C sort >"$tmp.tree"
	overlay_files >"$tmp.repo"
	LC_ALL=C comm -3 "$tmp.tree" "$tmp.repo" | sed 's/^\t*//'
	LC_ALL=C comm -12 "$tmp.tree" "$tmp.repo" | while read -r f; do
		cmp -s "$tmp/$f" "$REPO/$f" || echo "$f"
	done
	rm -rf "$tmp" "$tmp.tree" "$tmp.repo"
}

# A digest of the overlay as it is in the repository, recorded in the tree
# whenever the two are made equal (prepare, export).
overlay_digest() {
	overlay_files | (cd "$REPO" && xargs -r sha256sum) | sha256sum | cut -d' ' -f1
}

record_overlay_digest() {
	overlay_digest >"$1/.git/ima-ns-overlay"
}

overlay_changed_since_recorded() {
	[[ $(cat "$1/.git/ima-ns-overlay" 2>/dev/null) != "$(overlay_digest)" ]]
}

require_tree() {
	if [[ ! -d $1/.git ]] || ! git -C "$1" rev-parse -q --verify base >/dev/null; then
		die "$1 is not a prepared tree (run make prepare)"
	fi
}

# True when the tree holds nothing beyond the overlay commit it was given.
tree_is_pristine_overlay() {
	local tree=$1
	[[ -z $(git -C "$tree" status --porcelain) ]] &&
		[[ $(git -C "$tree" rev-parse HEAD) == $(git -C "$tree" rev-parse overlay) ]]
}

commit_overlay() {
	local tree=$1
	git -C "$tree" add -A
	# Tracked, so that a later prepare's checkout of base removes them.
	add_hidden_gitignores "$tree"
	git -C "$tree" -c user.name=ima-ns -c user.email=ima-ns@localhost \
		commit -q --allow-empty -m "overlay: IMA namespaces"
	git -C "$tree" tag -f overlay >/dev/null
}

# A git tree of the pristine base at TREE (commit and tag "base").
unpack_base() {
	local tree=$1 tarball=$2
	mkdir -p "$tree"
	echo "overlay: unpacking $(basename "$tarball")"
	tar -xJf "$tarball" --strip-components=1 -C "$tree"
	# Debian's .gitignore ignores every top-level path ("/*"),
	# which would hide new files from export: drop that rule.
	sed -i -e '/^\/\*$/d' -e '/^!\/debian\/$/d' "$tree/.gitignore"
	git -C "$tree" init -q
	git -C "$tree" add -A -f
	git -C "$tree" -c user.name=ima-ns -c user.email=ima-ns@localhost \
		commit -q -m "base: $(basename "$tarball" .tar.xz)"
	git -C "$tree" tag base
}

# The same from a repository of the base kept beside the tarball, made
# from the first tree unpacked: a new clone checks it out (a tenth of the
# CPU time) instead of unpacking and hashing 80000 files again.
checkout_base() {
	local tree=$1 tarball=$2 repo scratch
	repo=${tarball%.tar.xz}.git
	if [[ ! -d $repo ]]; then
		unpack_base "$tree" "$tarball"
		scratch=$(mktemp -d "$repo.XXXXXX")
		git clone -q --bare "$tree" "$scratch/repo.git"
		mv -T "$scratch/repo.git" "$repo" 2>/dev/null || true
		rm -rf "$scratch"
		return
	fi
	echo "overlay: checking out the base from $repo"
	git clone -q "$repo" "$tree"
	git -C "$tree" remote remove origin
	git -C "$tree" rev-parse -q --verify base >/dev/null ||
		die "$repo has no tag base"
}

cmd_prepare() {
	local tree=$1 tarball=$2 changed
	if [[ ! -d $tree/.git ]]; then
		rm -rf "$tree"
		checkout_base "$tree" "$tarball"
		apply_overlay "$tree"
		commit_overlay "$tree"
		record_overlay_digest "$tree"
		echo "overlay: prepared $tree"
		return
	fi
	require_tree "$tree"
	# Edits made in the tree since the overlay last changed are work in
	# progress, not a conflict.
	overlay_changed_since_recorded "$tree" || return 0
	changed=$(overlay_diff "$tree")
	if [[ -z $changed ]]; then
		record_overlay_digest "$tree"
		return
	fi
	if ! tree_is_pristine_overlay "$tree" && [[ ${FORCE:-0} != 1 ]]; then
		printf '%s\n' "$changed" >&2
		die "$tree holds edits that are not in the overlay; run 'make export' (or FORCE=1 to discard them)"
	fi
	git -C "$tree" checkout -q -f base
	git -C "$tree" clean -q -fd
	git -C "$tree" branch -q -f main base
	git -C "$tree" checkout -q main
	apply_overlay "$tree"
	commit_overlay "$tree"
	record_overlay_digest "$tree"
	echo "overlay: re-applied the overlay to $tree"
}

cmd_export() {
	local tree=$1 root
	require_tree "$tree"
	# Into a scratch directory first: a failed export leaves the overlay
	# as it was.
	EXPORT_SCRATCH=$(mktemp -d)
	trap 'rm -rf "$EXPORT_SCRATCH"' EXIT
	export_to "$tree" "$EXPORT_SCRATCH"
	for root in "${OVERLAY_ROOTS[@]}"; do
		rm -rf "${REPO:?}/$root"
	done
	cp -a "$EXPORT_SCRATCH/." "$REPO/"
	git -C "$tree" add -A
	if [[ -n $(git -C "$tree" status --porcelain) ]]; then
		git -C "$tree" -c user.name=ima-ns -c user.email=ima-ns@localhost \
			commit -q -m "exported edits"
	fi
	git -C "$tree" tag -f overlay >/dev/null
	record_overlay_digest "$tree"
	echo "overlay: exported; review with git status"
}

cmd_export_check() {
	local tree=$1 changed
	[[ -d $tree/.git ]] || exit 0
	require_tree "$tree"
	changed=$(overlay_diff "$tree")
	[[ -z $changed ]] && exit 0
	echo "overlay: $tree and the overlay differ in:" >&2
	printf '  %s\n' "${changed//$'\n'/$'\n'  }" >&2
	exit 1
}

cmd_apply() {
	local ksrc=${1:-}
	[[ -n $ksrc && -f $ksrc/Makefile && -d $ksrc/security/integrity ]] ||
		die "KSRC=$ksrc is not a kernel source tree"
	apply_overlay "$ksrc"
	echo "overlay: applied to $ksrc"
}

case ${1:-} in
prepare) cmd_prepare "$2" "$3" ;;
export) cmd_export "$2" ;;
export-check) cmd_export_check "$2" ;;
apply) cmd_apply "${2:-}" ;;
files) overlay_files ;;
roots) printf '%s\n' "${OVERLAY_ROOTS[@]}" ;;
*) die "usage: $0 prepare|export|export-check|apply|files|roots ..." ;;
esac
