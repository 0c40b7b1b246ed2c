#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The upstream series: the overlay's history as a git-format-patch series
# against the pristine base, and its check.
#
#   series.sh generate KTREE OUT    write OUT/0000-cover-letter.patch and
#                                   one patch per step of the history, by
#                                   $SERIES_IDENTITY ("Name <email>") if set
#   series.sh check KTREE SERIES WORK [all|last|none]
#                                   git am SERIES onto a pristine tree in
#                                   WORK, checkpatch.pl --strict each patch,
#                                   build the kernel after every patch
#                                   (all), after the last one (last) or not
#
# KTREE is the prepared tree (make prepare): its tag "base" is the pristine
# kernel, and its object store receives the materialised trees. A step is a
# first-parent commit of this repository that changes the kernel tree; the
# work merged from a branch is replayed commit by commit when its commits
# apply in order, else it is one step. A step's kernel tree is the base
# with the overlay of that commit applied (scripts/overlay.sh).
#
# What the history cannot say is in scripts/, by commit (short sha):
#   series-fixes/     a change made where it belongs rather than later
#   series-rebased/   a branch commit's change as it applies in the series
#   series-splits/    a step's changes to some paths, as a patch before it
#   series-messages/  a rewritten message; series-bodies/ a missing body
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
# The overlay roots are defined once, in overlay.sh.
mapfile -t OVERLAY_ROOTS < <(sed -n 's/^OVERLAY_ROOTS=(\(.*\))$/\1/p' \
	"$REPO/scripts/overlay.sh" | tr ' ' '\n')
COVER=$REPO/scripts/series-cover.txt
BODIES=$REPO/scripts/series-bodies
MESSAGES=$REPO/scripts/series-messages
FIXES=$REPO/scripts/series-fixes
REBASED=$REPO/scripts/series-rebased
SPLITS=$REPO/scripts/series-splits
# The Makefile's ccache setting, also when the script runs on its own:
# paths relative to the checkout, so the builds share the cache.
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$REPO}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

die() { echo "series: $*" >&2; exit 1; }

kgit() { git -C "$KTREE" "$@"; }

# Print the kernel tree (a tree object in KTREE) of the overlay at commit
# $1, or fail if one of its patches does not apply to the base. Every
# write of the scratch index rewrites all 80000 entries: the new files go
# in with one update-index (their blobs copied over in one pack) and the
# patches, one file each, with one git apply.
materialise() {
	local commit=$1 index mode type hash path rc=0 patches=() added=()
	index=$(mktemp)
	cp "$BASE_INDEX" "$index"
	while IFS=$' \t' read -r mode type hash path; do
		[[ $type == blob ]] || continue
		if [[ $path == *.patch ]]; then
			patches+=("$hash")
		else
			added+=("$mode $hash"$'\t'"$path")
		fi
	done < <(git -C "$REPO" ls-tree -r "$commit" -- "${OVERLAY_ROOTS[@]}")
	if ((${#added[@]})); then
		printf '%s\n' "${added[@]}" | cut -d' ' -f2 | cut -f1 |
			git -C "$REPO" pack-objects -q --stdout | kgit unpack-objects -q
		printf '%s\n' "${added[@]}" | sed 's/ / blob /' |
			GIT_INDEX_FILE=$index kgit update-index --add --index-info
	fi
	if ((${#patches[@]})); then
		for hash in "${patches[@]}"; do
			git -C "$REPO" cat-file blob "$hash"
		done | GIT_INDEX_FILE=$index kgit apply --cached - 2>/dev/null || rc=1
	fi
	((rc == 0)) && GIT_INDEX_FILE=$index kgit write-tree
	rm -f "$index"
	return "$rc"
}

# Materialised trees by commit, computed once (a commit never changes):
# cached in KTREE's git directory, empty when the overlay does not apply.
tree_of() {
	local commit cache
	commit=$(git -C "$REPO" rev-parse "$1")
	cache=$(kgit rev-parse --absolute-git-dir)/series-trees
	mkdir -p "$cache"
	if [[ ! -f $cache/$commit ]]; then
		materialise "$commit" >"$cache/$commit.tmp" || : >"$cache/$commit.tmp"
		mv "$cache/$commit.tmp" "$cache/$commit"
	fi
	cat "$cache/$commit"
}

# The commits of HEAD's history by the commit of a fix's name they descend
# from or are, filled once by index_descendants: a rev-list per such
# commit, not a merge-base per fix and step.
declare -A DESCENDANTS=()
index_descendants() {
	local fix range start commit
	for fix in "$FIXES"/*.patch; do
		[[ -f $fix ]] || continue
		range=${fix##*/}
		range=${range%%[-.]*}
		for start in "${range%_*}" "${range#*_}"; do
			[[ -z ${DESCENDANTS[$start]:-} ]] || continue
			DESCENDANTS[$start]=1
			while read -r commit; do
				DESCENDANTS["$start $commit"]=1
			done < <(git -C "$REPO" rev-list --ancestry-path "$start..HEAD"
				git -C "$REPO" rev-parse "$start^{commit}")
		done
	done
}

# True when commit $2 (a full id in HEAD's history) is commit $1 (as a
# fix names it) or descends from it.
descends_from() {
	[[ -n ${DESCENDANTS["$1 $2"]:-} ]]
}

# Tree $1 of commit $2 with the fixes of scripts/series-fixes, one hunk
# each: <sha>-<n>.patch applies from commit <sha> on, until a later commit
# of the overlay has made the same change (the fix no longer applies);
# <sha>_<end>-<n>.patch only before commit <end>, which makes the step
# whole (e.g. the build rule of a file that <end> adds). This fixes in the
# series what was fixed later in the history, where it was introduced.
# The fixes go into one scratch index, each applied whole or not at all,
# which is written once; a result is kept by tree and commit for the run.
fixed_tree() {
	local tree=$1 commit=$2 fix index range memo applied=0 sha
	[[ -n $tree ]] || return 0
	sha=$(git -C "$REPO" rev-parse "$commit")
	memo=$FIXED_MEMO/$tree-$sha
	if [[ -f $memo ]]; then
		cat "$memo"
		return
	fi
	index=$(mktemp)
	for fix in "$FIXES"/*.patch; do
		[[ -f $fix ]] || continue
		range=${fix##*/}
		range=${range%%[-.]*}
		descends_from "${range%_*}" "$sha" || continue
		if [[ $range == *_* ]] && descends_from "${range#*_}" "$sha"; then
			continue
		fi
		# Read only for a commit that some fix is for.
		[[ -s $index ]] || GIT_INDEX_FILE=$index kgit read-tree "$tree"
		GIT_INDEX_FILE=$index kgit apply --cached "$fix" 2>/dev/null &&
			applied=1
	done
	((applied == 0)) || tree=$(GIT_INDEX_FILE=$index kgit write-tree)
	rm -f "$index"
	printf '%s\n' "$tree" | tee "$memo"
}

# The author of commit $1 in the series: SERIES_IDENTITY ("Name <email>",
# the person who signs the series off) when set, else the commit's.
author_of() {
	if [[ -n ${SERIES_IDENTITY:-} ]]; then
		printf '%s\n' "$SERIES_IDENTITY"
	else
		git -C "$REPO" log -1 --format='%an <%ae>' "$1"
	fi
}

# The message of commit $1 for the series: a merge's subject loses its
# "Merge the ... work: " and gets the subsystem prefix; a Signed-off-by
# of the author is added when missing.
message_of() {
	local commit=$1 subject body author short
	subject=$(git -C "$REPO" log -1 --format=%s "$commit")
	body=$(git -C "$REPO" log -1 --format=%b "$commit")
	short=$(git -C "$REPO" rev-parse --short=7 "$commit")
	# A message rewritten for the series: its subject, and its body if it
	# has one, replace the commit's.
	if [[ -f $MESSAGES/$short ]]; then
		subject=$(head -n 1 "$MESSAGES/$short")
		if (($(wc -l <"$MESSAGES/$short") > 1)); then
			body=$(sed '1,2d' "$MESSAGES/$short")
		fi
	fi
	# A commit without a description gets the one written for the series.
	if [[ -z $body && -f $BODIES/$short ]]; then
		body=$(cat "$BODIES/$short")
	fi
	author=$(author_of "$commit")
	# The identity signs off in place of the history's placeholders.
	if [[ -n ${SERIES_IDENTITY:-} ]]; then
		body=$(grep -v '^Signed-off-by: ' <<<"$body" || true)
	fi
	if [[ $subject == Merge\ * ]]; then
		subject="ima: ${subject#Merge the *work: }"
		body="$body${body:+$'\n\n'}$(git -C "$REPO" log --reverse \
			--format='  %s' "$commit^1..$commit^2")"
	fi
	printf '%s\n' "$subject"
	[[ -n $body ]] && printf '\n%s\n' "$body"
	grep -qxF "Signed-off-by: $author" <<<"$body" ||
		printf '\nSigned-off-by: %s\n' "$author"
}

# Commit tree $2 on parent $1 with the author of commit $3 and the
# message on stdin.
commit_as() {
	local parent=$1 tree=$2 commit=$3
	local author name email
	author=$(author_of "$commit")
	name=${author% <*}
	email=${author##*<}
	email=${email%>}
	GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email \
	GIT_AUTHOR_DATE=$(git -C "$REPO" log -1 --format=%aD "$commit") \
	GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
		kgit commit-tree "$tree" -p "$parent" -F -
}

# Commit tree $2 on parent $1 as commit $3. A step that mixes subsystems
# is split first: scripts/series-splits/<sha>-<n> takes out, in the order
# of n, the step's changes to the paths on its first line, with the
# message that follows a blank line; the rest of the step keeps the
# commit's message.
commit_step() {
	local parent=$1 tree=$2 commit=$3 split paths index part author
	author=$(author_of "$commit")
	for split in "$SPLITS/$(git -C "$REPO" rev-parse --short=7 "$commit")"-*; do
		[[ -f $split ]] || continue
		read -r -a paths < <(head -n 1 "$split")
		index=$(mktemp)
		GIT_INDEX_FILE=$index kgit read-tree "$parent"
		kgit diff --binary "$parent" "$tree" -- "${paths[@]}" |
			GIT_INDEX_FILE=$index kgit apply --cached --allow-empty - ||
			die "$split does not apply"
		part=$(GIT_INDEX_FILE=$index kgit write-tree)
		rm -f "$index"
		[[ $part != "$(kgit rev-parse "$parent^{tree}")" ]] ||
			die "$split takes out nothing"
		parent=$( { sed '1,2d' "$split"
			    printf '\nSigned-off-by: %s\n' "$author"; } |
			commit_as "$parent" "$part" "$commit")
	done
	if [[ $tree == "$(kgit rev-parse "$parent^{tree}")" ]]; then
		printf '%s\n' "$parent"
	else
		message_of "$commit" | commit_as "$parent" "$tree" "$commit"
	fi
}

# Replay the commits merge $2 brought in onto $1, one commit each; print
# the new head, or fail if one of them does not apply (or is a merge
# itself). A path that conflicts with what the first parent changed since
# the branch began is taken from scripts/series-rebased/<sha>.patch (the
# commit's change to it, as it applies in the series), or else from the
# merge's resolution, with the changes of the branch's later commits to it
# taken out again.
replay_branch() {
	local head=$1 merge=$2 commit index from to tree merged tip path rebased
	local excluded
	index=$(mktemp)
	merged=$(fixed_tree "$(tree_of "$merge")" "$merge")
	tip=$(fixed_tree "$(tree_of "$merge^2")" "$merge^2")
	while read -r commit; do
		if git -C "$REPO" rev-parse -q --verify "$commit^2" >/dev/null; then
			rm -f "$index"
			return 1
		fi
		from=$(fixed_tree "$(tree_of "$commit^")" "$commit^")
		to=$(fixed_tree "$(tree_of "$commit")" "$commit")
		[[ -n $from && -n $to && -n $merged && -n $tip ]] ||
			{ rm -f "$index"; return 1; }
		[[ $from == "$to" ]] && continue
		GIT_INDEX_FILE=$index kgit read-tree "$head"
		rebased=$REBASED/$(git -C "$REPO" rev-parse --short=7 "$commit").patch
		excluded=()
		if [[ -f $rebased ]]; then
			GIT_INDEX_FILE=$index kgit apply --cached "$rebased" ||
				{ rm -f "$index"; return 1; }
			mapfile -t excluded < <(sed -n 's|^+++ b/\(.*\)|:!\1|p' "$rebased")
		fi
		if ! kgit diff --binary "$from" "$to" -- . "${excluded[@]}" |
			GIT_INDEX_FILE=$index kgit apply --cached --3way --allow-empty - \
				>/dev/null 2>&1; then
			while read -r path; do
				resolve_path "$index" "$path" "$merged" "$to" "$tip" ||
					{ rm -f "$index"; return 1; }
			done < <(GIT_INDEX_FILE=$index kgit ls-files -u |
				cut -f 2 | sort -u)
		fi
		tree=$(GIT_INDEX_FILE=$index kgit write-tree)
		head=$(commit_step "$head" "$tree" "$commit")
	done < <(git -C "$REPO" rev-list --reverse --topo-order "$merge^1..$merge^2")
	rm -f "$index"
	printf '%s\n' "$head"
}

# Put path $2 into index $1 as it is in tree $3 (the merge's resolution)
# without the changes from tree $4 (this commit's) to tree $5 (the
# branch's tip).
resolve_path() {
	local index=$1 path=$2 merged=$3 to=$4 tip=$5 scratch rc=0
	scratch=$(mktemp)
	GIT_INDEX_FILE=$scratch kgit read-tree "$merged"
	if ! kgit diff --quiet "$to" "$tip" -- "$path"; then
		kgit diff --binary "$to" "$tip" -- "$path" |
			GIT_INDEX_FILE=$scratch kgit apply --cached --3way -R - \
				>/dev/null 2>&1 || rc=1
	fi
	if ((rc == 0)); then
		GIT_INDEX_FILE=$index kgit update-index --force-remove -- "$path"
		GIT_INDEX_FILE=$scratch kgit ls-files -s -- "$path" |
			GIT_INDEX_FILE=$index kgit update-index --index-info
	fi
	rm -f "$scratch"
	return "$rc"
}

# Make the last commit $1 carry tree $2 (a merge's resolution).
amend_tree() {
	local head=$1 tree=$2
	[[ $(kgit rev-parse "$head^{tree}") == "$tree" ]] && { echo "$head"; return; }
	kgit log -1 --format=%B "$head" |
		GIT_AUTHOR_NAME=$(kgit log -1 --format=%an "$head") \
		GIT_AUTHOR_EMAIL=$(kgit log -1 --format=%ae "$head") \
		GIT_AUTHOR_DATE=$(kgit log -1 --format=%aD "$head") \
		GIT_COMMITTER_NAME=$(kgit log -1 --format=%cn "$head") \
		GIT_COMMITTER_EMAIL=$(kgit log -1 --format=%ce "$head") \
		kgit commit-tree "$tree" -p "$head^" -F -
}

cmd_generate() {
	local out head prev tree commit replayed steps=0
	KTREE=$(realpath "$1")
	FIXED_MEMO=$(mktemp -d)
	trap 'rm -rf "$FIXED_MEMO"' EXIT
	out=$(realpath -m "$2")
	kgit rev-parse -q --verify base >/dev/null || die "$KTREE has no tag base"
	[[ $(git -C "$REPO" rev-parse --is-shallow-repository) == false ]] ||
		die "a shallow clone has no history to make the series of"
	index_descendants
	# Each materialised tree starts from a copy of this, not a read-tree.
	BASE_INDEX=$FIXED_MEMO/base.index
	GIT_INDEX_FILE=$BASE_INDEX kgit read-tree base
	head=$(kgit rev-parse base)
	prev=$(kgit rev-parse "base^{tree}")
	while read -r commit; do
		tree=$(fixed_tree "$(tree_of "$commit")" "$commit")
		if [[ -z $tree ]]; then
			echo "series: $(git -C "$REPO" log -1 --format='%h %s' "$commit"): overlay does not apply, folded into the next step" >&2
			continue
		fi
		[[ $tree == "$prev" ]] && continue
		if git -C "$REPO" rev-parse -q --verify "$commit^2" >/dev/null &&
			replayed=$(replay_branch "$head" "$commit"); then
			head=$(amend_tree "$replayed" "$tree")
		else
			head=$(commit_step "$head" "$tree" "$commit")
		fi
		prev=$tree
	done < <(git -C "$REPO" rev-list --reverse --first-parent HEAD)
	[[ $(kgit rev-parse "$head^{tree}") == "$(tree_of HEAD)" ]] ||
		die "the series does not end at the overlay of HEAD"
	rm -rf "$out"
	mkdir -p "$out"
	local who=() email
	if [[ -n ${SERIES_IDENTITY:-} ]]; then
		email=${SERIES_IDENTITY##*<}
		who=(-c "user.name=${SERIES_IDENTITY% <*}" -c "user.email=${email%>}")
	fi
	kgit "${who[@]}" -c core.abbrev=12 format-patch -q --cover-letter --no-signature \
		--subject-prefix="RFC PATCH" -o "$out" "base..$head"
	fill_cover_letter "$out/0000-cover-letter.patch" "base..$head"
	steps=$(kgit rev-list --count "base..$head")
	echo "series: $steps patches in $out"
}

fill_cover_letter() {
	local letter=$1 range=$2 blurb
	blurb=$(mktemp)
	sed '1,/^$/d' "$COVER" >"$blurb"
	sed -i -e "s/\*\*\* SUBJECT HERE \*\*\*/$(head -n 1 "$COVER")/" \
		-e "/\*\*\* BLURB HERE \*\*\*/{r $blurb" -e 'd}' "$letter"
	rm -f "$blurb"
	: "$range"
}

# The files patch $1 adds.
added_files() {
	awk '/^--- \/dev\/null$/ { added = 1; next }
	     added && /^\+\+\+ b\// { print substr($0, 7) }
	     { added = 0 }' "$1"
}

# True when the MAINTAINERS of tree $1 (the series' end state) covers
# every file patch $2 adds with the entry the series adds: then the
# answer to checkpatch's "does MAINTAINERS need updating?" is no.
maintained_by_series() {
	local tree=$1 patch=$2 file
	while read -r file; do
		(cd "$tree" && perl scripts/get_maintainer.pl --no-git --no-tree \
			-f "$file" 2>/dev/null) | grep -q 'IMA NAMESPACES' || return 1
	done < <(added_files "$patch")
}

# The files patch $1 changes or adds.
changed_files() {
	sed -n 's|^+++ b/||p' "$1"
}

# The Debian python3, which make deps gives what scripts/spdxcheck.py
# imports (python3-ply, python3-git).
SPDX_PYTHON=/usr/bin/python3

# Fail unless scripts/spdxcheck.py of tree $1 runs: checkpatch.pl takes a
# license for valid when the script cannot tell.
spdxcheck_runs() {
	local tree=$1 out
	out=$(cd "$tree" && echo 'SPDX-License-Identifier: NO-SUCH-LICENSE' |
		"$SPDX_PYTHON" scripts/spdxcheck.py - 2>&1) || true
	[[ $out == *'Invalid License ID: NO-SUCH-LICENSE'* ]] ||
		die "scripts/spdxcheck.py does not run (apt-get install python3-ply python3-git): $out"
}

# The files patch $1 changes or adds, as of commit $3 of tree $2, under
# directory $4 (same paths): each patch's files as it left them, so that
# the checks of all patches can run after the series is applied.
extract_files() {
	local patch=$1 tree=$2 commit=$3 dir=$4 files=()
	mapfile -t files < <(changed_files "$patch")
	mkdir -p "$dir"
	((${#files[@]} == 0)) && return 0
	# A file the checks cannot see would pass them: fail instead.
	git -C "$tree" archive "$commit" -- "${files[@]}" | tar -x -C "$dir" ||
		die "cannot take the files of $(basename "$patch") out of $commit"
}

# True when every file of directory $1 (extract_files) has its SPDX tag
# where it belongs: on line 1, or on line 2 after a "#!" line.
# checkpatch.pl only sees the hunks, and takes line 2 of a script for line
# 1 when a hunk starts there.
spdx_placed_in() {
	local dir=$1 file line
	while IFS= read -r -d '' file; do
		line=$(grep -n -m 1 'SPDX-License-Identifier:' "$file" | cut -d: -f1)
		[[ -n $line ]] || continue
		((line == 1)) && continue
		((line == 2)) && head -n 1 "$file" | grep -q '^#!' && continue
		return 1
	done < <(find "$dir" -type f -print0)
}

# What scripts/spdxcheck.py of tree $1 finds wrong in the SPDX tags of the
# files under directory $2, one line per finding prefixed with the
# directory under $2 they are in (one per patch): a license that is not in
# LICENSES/. It is checkpatch.pl's own check, run on the files, as the one
# above ignores SPDX_LICENSE_TAG. One run for the series: python and the
# license list load once.
invalid_licenses() {
	local tree=$1 dir=$2 files=()
	mapfile -d '' -t files < <(find "$dir" -type f -print0 | LC_ALL=C sort -z)
	((${#files[@]} == 0)) && return 0
	(cd "$tree" && "$SPDX_PYTHON" scripts/spdxcheck.py "${files[@]}" 2>&1) |
		sed "s|^$dir/\([^/]*\)/|\1 |" || true
}

# Run checkpatch.pl in tree $1 with the options $2 (word-split) on the
# patches $3..., and write each patch's report to $WORK_LOGS/
# <patch>.checkpatch. One run per set of options: perl, the script and
# its get_maintainer.pl answers load once for all the patches.
checkpatch_reports() {
	local tree=$1 options=$2
	local -a opts
	shift 2
	read -r -a opts <<<"$options"
	# With more than one patch, each report follows a header: a line of
	# dashes, the patch's path, a line of dashes.
	(cd "$tree" || exit 1
	 perl scripts/checkpatch.pl --show-types "${opts[@]}" "$@" 2>&1 || true) |
		awk -v logs="$WORK_LOGS" -v one="$#" -v first="$1" '
		function logname(p) {
			sub(/.*\//, "", p)
			sub(/\.patch$/, "", p)
			return logs "/" p ".checkpatch"
		}
		BEGIN { out = one == 1 ? logname(first) : "" }
		/^-+$/ && header { header = 0; next }
		/^-+$/ && !out_next { out_next = 1; next }
		out_next { close(out); out = logname($0); out_next = 0; header = 1; next }
		out != "" { print > out }'
}

# The patches of SERIES, in order.
series_patches() {
	find "$1" -name '[0-9]*.patch' ! -name '0000-*' | LC_ALL=C sort
}

# A patch passes when it applies, checkpatch finds nothing and, if it is
# built, the build succeeds without a compiler warning; the last line
# counts the patches. The series is applied first, with one git am; each
# patch is then checked as it left its files, checkpatch.pl in the tree
# the series ends in.
cmd_check() {
	local series=$2 work=$3 builds=${4:-last} tree obj log n total applied
	local errors=0 warnings=0 summary passed=0 ok count invalid key i
	local -a patches commits paths
	local -A group
	KTREE=$(realpath "$1")
	series=$(realpath "$series")
	work=$(realpath -m "$work")
	tree=$work/linux
	obj=$work/obj/series
	WORK_LOGS=$work/logs
	rm -rf "$WORK_LOGS" "$work/files"
	mkdir -p "$WORK_LOGS"
	if [[ ! -d $tree/.git ]]; then
		git clone -q --shared --no-checkout "$KTREE" "$tree"
	fi
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	git -C "$tree" checkout -q -f --detach base
	git -C "$tree" clean -q -fdx
	spdxcheck_runs "$tree"
	mapfile -t patches < <(series_patches "$series")
	total=${#patches[@]}
	((total)) || die "no patches in $series"
	applied=$total
	if ! git -C "$tree" -c user.name=series -c user.email=series@localhost \
		am -q --committer-date-is-author-date "${patches[@]}" \
		>"$WORK_LOGS/am" 2>&1; then
		applied=$(git -C "$tree" rev-list --count base..HEAD)
		git -C "$tree" am --quit
	fi
	mapfile -t commits < <(git -C "$tree" rev-list --reverse base..HEAD)
	for ((i = 0; i < applied; i++)); do
		extract_files "${patches[i]}" "$tree" "${commits[i]}" \
			"$work/files/$((i + 1))"
		key=--strict
		maintained_by_series "$KTREE" "${patches[i]}" &&
			key+=" --ignore FILE_PATH_CHANGES"
		spdx_placed_in "$work/files/$((i + 1))" &&
			key+=" --ignore SPDX_LICENSE_TAG"
		group[$key]+="${group[$key]:+ }$i"
	done
	for key in "${!group[@]}"; do
		paths=()
		for i in ${group[$key]}; do
			paths+=("${patches[i]}")
		done
		checkpatch_reports "$tree" "$key" "${paths[@]}"
	done
	invalid=$(invalid_licenses "$tree" "$work/files")
	for ((i = 0; i < applied; i++)); do
		n=$((i + 1))
		log=$WORK_LOGS/$(basename "${patches[i]}" .patch)
		summary=$(sed -n 's/^total: \(.*\) lines checked$/\1/p' "$log.checkpatch")
		errors=$((errors + $(sed -n 's/^\([0-9]*\) errors.*/\1/p' <<<"$summary")))
		warnings=$((warnings + $(sed -n 's/.* \([0-9]*\) warnings.*/\1/p' <<<"$summary")))
		ok=1
		[[ $summary == "0 errors, 0 warnings, 0 checks, "* ]] || ok=0
		printf 'series: %d/%d %s: checkpatch %s' "$n" "$total" \
			"$(basename "${patches[i]}")" "$summary"
		if grep -q "^$n " <<<"$invalid"; then
			printf ', SPDX: %s' "$(sed -n "s/^$n //p" <<<"$invalid")"
			ok=0
		fi
		if [[ $builds == all || ($builds == last && $n == "$total") ]]; then
			git -C "$tree" checkout -q -f --detach "${commits[i]}"
			if build_tree "$tree" "$obj" "$log.build"; then
				count=$(compiler_warnings "$log.build")
				printf ', build ok (%d compiler warnings)' "$count"
				# The base builds without one: a warning is the patch's.
				((count == 0)) || ok=0
			else
				printf ', BUILD FAILED (see %s)' "$log.build"
				ok=0
			fi
		fi
		((ok)) && passed=$((passed + 1))
		((ok)) && printf '\n' || printf ' FAIL\n'
	done
	if ((applied < total)); then
		echo "series: $((applied + 1))/$total $(basename "${patches[applied]}"): git am failed" >&2
		cat "$WORK_LOGS/am" >&2
	fi
	echo "series: applied $applied patches; checkpatch: $errors errors, $warnings warnings"
	echo "$passed passed, $((total - passed)) failed"
	((passed == total))
}

# The number of compiler diagnostics in build log $1.
compiler_warnings() {
	grep -cE '(warning|error):' "$1" || true
}

# Build tree $1 in $2 with the configuration of the test kernel (the
# fragments of the last step) and its KUnit tests. The debug options are
# left out: they would double the time of a build per patch, which only
# checks that each step compiles. SERIES_TARGETS (default bzImage) may
# name fewer make targets, e.g. the directories the series touches.
build_tree() {
	local tree=$1 obj=$2 log=$3 frag frags=() targets
	read -r -a targets <<<"${SERIES_TARGETS:-bzImage}"
	mkdir -p "$obj"
	if [[ ! -f $obj/.config.series ]]; then
		for frag in kernel/configs/ima_ns_guest.config \
			tools/testing/selftests/ima_ns/config; do
			frags+=("$KTREE/$frag")
		done
		"$REPO/scripts/make-config.sh" "$KTREE" "$obj" "${frags[@]}" -- \
			CONFIG_KUNIT=y CONFIG_IMA_NS_KUNIT_TEST=y >/dev/null
		cp "$obj/.config" "$obj/.config.series"
	fi
	cp "$obj/.config.series" "$obj/.config"
	nice make -s -C "$tree" O="$(realpath "$obj")" CC="ccache gcc" \
		HOSTCC="ccache gcc" KBUILD_BUILD_TIMESTAMP=ima-ns \
		KBUILD_BUILD_USER=ima-ns KBUILD_BUILD_HOST=ima-ns \
		olddefconfig >"$log" 2>&1 &&
		nice make -C "$tree" O="$(realpath "$obj")" CC="ccache gcc" \
			HOSTCC="ccache gcc" KBUILD_BUILD_TIMESTAMP=ima-ns \
			KBUILD_BUILD_USER=ima-ns KBUILD_BUILD_HOST=ima-ns \
			-j"$(nproc)" "${targets[@]}" >>"$log" 2>&1
}

case ${1:-} in
generate) (($# == 3)) || die "usage: $0 generate KTREE OUT"; cmd_generate "$2" "$3" ;;
check) (($# >= 4)) || die "usage: $0 check KTREE SERIES WORK [all|last|none]"
	cmd_check "$2" "$3" "$4" "${5:-last}" ;;
*) die "usage: $0 generate|check ..." ;;
esac
