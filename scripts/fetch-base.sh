#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch Debian's linux-source-6.12, verify it and cache the kernel tarball
# outside the repository. Prints the path of the cached tarball.
#
# The pinned version is the one the overlay was last tested on. When the
# registry no longer serves it, the newest 6.12 it serves is used with a
# warning; apt verifies that package against the signed archive index.
set -euo pipefail

PIN_VERSION=${PIN_VERSION:-6.12.117-1~deb12u1}
PIN_SHA256=${PIN_SHA256:-e849faf31ca3555757f3a8877cb01af92122f744f75d1f3102734651c4e14703}
PACKAGE=linux-source-6.12
CACHE=${IMA_NS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ima-ns}

die() { echo "fetch-base: $*" >&2; exit 1; }
warn() { echo "fetch-base: WARNING: $*" >&2; }

deb_name() { echo "${PACKAGE}_${1//:/%3a}_all.deb"; }

download_deb() {
	local version=$1
	(cd "$CACHE" && apt-get download -q "$PACKAGE=$version" >&2) 2>/dev/null
}

newest_served_version() {
	apt-cache madison "$PACKAGE" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
		sort -V | tail -n 1
}

extract_tarball() {
	local deb=$1 tarball=$2
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$PACKAGE.tar.xz" >"$tarball.tmp"
	xz -t "$tarball.tmp" || die "corrupt tarball inside $deb"
	mv "$tarball.tmp" "$tarball"
}

main() {
	mkdir -p "$CACHE"
	local version=$PIN_VERSION deb
	deb="$CACHE/$(deb_name "$version")"
	if [[ ! -f $deb ]] && ! download_deb "$version"; then
		apt-get update -q >&2 || true
		if ! download_deb "$version"; then
			version=$(newest_served_version)
			[[ -n $version ]] || die "the registry serves no $PACKAGE"
			warn "pinned $PACKAGE $PIN_VERSION is not served; falling back to $version"
			deb="$CACHE/$(deb_name "$version")"
			[[ -f $deb ]] || download_deb "$version" || die "cannot download $PACKAGE=$version"
		fi
	fi
	if [[ $version == "$PIN_VERSION" ]]; then
		echo "$PIN_SHA256  $deb" | sha256sum -c --quiet - >&2 ||
			die "$deb does not match the pinned sha256"
	fi
	local tarball="$CACHE/linux-source-$version.tar.xz"
	[[ -f $tarball ]] || extract_tarball "$deb" "$tarball"
	echo "$version" >"$CACHE/last-version"
	echo "$tarball"
}

main "$@"
