#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Report the runs of run-bench.sh:
#
#   report.sh DIR
#
# Reads DIR/out/KERNEL/runI/results.jsonl (KERNEL: base, patched), writes
# DIR/results.json (report.jq), prints the table and plots the cost against
# IMA namespace nesting depth to DIR/depth.png when there is such data.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$BENCH/../scripts/lib.sh"

# Every guest line of every run, tagged with its kernel and run number.
tagged_results() {
	local dir=$1 file kernel run
	for file in "$dir"/out/*/run*/results.jsonl; do
		[[ -f $file ]] || continue
		run=${file%/results.jsonl}
		kernel=${run%/*}
		jq -c --arg kernel "${kernel##*/}" --argjson run "${run##*/run}" \
			'. + {kernel: $kernel, run: $run}' "$file"
	done
}

print_table() {
	local json=$1
	# shellcheck disable=SC2016 # jq program
	jq -r '
		# n with d decimals (jq 1.6 has no printf).
		def fixed($d): (. * pow(10; $d) | round) as $n
			| ($n | fabs | tostring) as $s
			| (if ($s | length) <= $d
			   then ("0" * ($d + 1 - ($s | length))) + $s else $s end) as $p
			| (if $n < 0 then "-" else "" end)
			  + $p[:($p | length) - $d]
			  + (if $d > 0 then "." + $p[($p | length) - $d:] else "" end);
		def num: if . == null then "n/a"
			elif fabs >= 100 then fixed(0) else fixed(3) end;
		def with_unit($u): if . == null then "n/a" else "\(num) \($u)" end;
		def pct: if . == null then "-" else "\(. * 100 | fixed(1))%" end;
		([.rows[] | .reason // empty] | unique) as $why
		| (["WORKLOAD", "CONFIGURATION", "METRIC", "SPREAD", "REFERENCE",
		    "RATIO", "TARGET", "RESULT"]
		   | @tsv),
		  (.rows[] | . as $r
		   | [.workload, .config, (.value | with_unit($r.unit // "")),
		      (.spread | pct),
		      "\(.reference): \(.reference_value | with_unit($r.reference_unit // ""))",
		      (if .ratio == null then "n/a" else .ratio | fixed(3) end),
		      (.target // "-"),
		      (if .reason then "n/a [\($why | index($r.reason) + 1)]"
		       else .verdict end)]
		   | @tsv)' "$json" | column -t -s $'\t'
	jq -r '[.rows[] | .reason // empty] | unique | to_entries[]
		| "[\(.key + 1)] n/a: \(.value)"' "$json"
	jq -r '"kernels: " + (.kernels | to_entries | map("\(.key)=\(.value)")
		| join(", ")) + "; runs: " + (.runs | to_entries
		| map("\(.key) \(.value)") | join(", "))' "$json"
}

plot_depth() {
	local json=$1 png=$2 data
	rm -f "$png"
	if [[ $(jq '[.depth[] | select(.depth > 0 and .ima_ns != null)] | length' "$json") == 0 ]]; then
		echo "depth plot: no IMA namespace depth data (not supported by this kernel); nothing plotted"
		return
	fi
	data=$(mktemp)
	# shellcheck disable=SC2064 # expand now: $data is local
	trap "rm -f '$data'" RETURN
	jq -r '.depth as $d | ($d | map(.depth) | unique)[] as $depth
		| [$depth] + ([("open_read", "fork_exec") as $w
			| ($d[] | select(.workload == $w and .depth == $depth)
			   | (.ima_ns, .userns))] | map(. // "NaN"))
		| @tsv' "$json" >"$data"
	gnuplot <<-GNUPLOT
		set terminal pngcairo size 900,560 noenhanced
		set output '$png'
		set title 'IMA namespaces: cache-hit cost against nesting depth (patched kernel, guest instructions)'
		set xlabel 'nesting depth (active IMA namespaces / user namespaces)'
		set ylabel 'cost / host-only cost'
		set key top left
		set xrange [0:33]
		set grid
		set datafile missing 'NaN'
		f(x) = 1.15 + 0.03 * (x - 1)
		plot '$data' using 1:2 with linespoints lw 2 title 'open+read+close, IMA-ns', \
		     '$data' using 1:4 with linespoints lw 2 title 'fork+exec, IMA-ns', \
		     '$data' using 1:3 with linespoints dt 2 title 'open+read+close, user ns only', \
		     '$data' using 1:5 with linespoints dt 2 title 'fork+exec, user ns only', \
		     [1:32] f(x) with lines dt 3 lc rgb 'red' title 'target: 1.15 + 0.03/level'
	GNUPLOT
	echo "depth plot: $png"
}

main() {
	[[ $# -eq 1 && -d $1 ]] || { echo "usage: $PROG DIR" >&2; exit 2; }
	local dir=$1 json=$1/results.json
	require_commands jq gnuplot column
	tagged_results "$dir" | jq -s -f "$BENCH/report.jq" >"$json.tmp"
	mv "$json.tmp" "$json"
	print_table "$json"
	echo "results: $json"
	plot_depth "$json" "$dir/depth.png"
}

main "$@"
