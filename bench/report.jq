# SPDX-License-Identifier: GPL-2.0-only
# Turn the ima-bench lines of every run into bench results (jq -s).
# Input: the guest's JSON lines, each tagged with .kernel ("base" is the
# pristine 6.12, "patched" the overlay) and .run (1..N).
# Output: {kernels, runs, rows, depth, results}; see bench/README.md.

def median: sort | .[((length - 1) / 2 | floor)];

# One metric over all runs: the median of the runs, their relative spread
# ((max - min) / min) and, when no run measured it, why.
def metric($all; $k; $w; $c; $d):
	[$all[] | select(.kernel == $k and .workload == $w and .config == $c
		and .depth == $d)] as $m
	| [$m[] | select(.status == "ok")] as $ok
	| [$ok[] | .value] as $v
	| if ($v | length) > 0 then
		{value: ($v | median), unit: $ok[0].unit,
		 spread: (if ($v | length) > 1 and ($v | min) > 0
			  then (($v | max) - ($v | min)) / ($v | min) else null end)}
	  else
		{value: null, unit: null, spread: null,
		 reason: ([$m[] | .reason // empty] | first // "not run")}
	  end;

def constant($v; $unit): {value: $v, unit: $unit, spread: null};

# Cost added per nesting level from depth 1 to depth $d.
def per_level($md; $m1; $d):
	if $md.value != null and $m1.value != null then
		{value: (($md.value - $m1.value) / ($d - 1)), unit: ($md.unit + "/level"),
		 spread: null}
	else
		{value: null, unit: null, spread: null,
		 reason: ($md.reason // $m1.reason)}
	end;

# A table row: $m against $ref; $op is "<=", ">=" or "info".
def row($workload; $config; $m; $refname; $ref; $op; $target):
	(if $m.value != null and $ref.value != null and $ref.value != 0
	 then $m.value / $ref.value else null end) as $ratio
	| {workload: $workload, config: $config,
	   value: $m.value, unit: $m.unit, spread: $m.spread,
	   reference: $refname, reference_value: $ref.value,
	   reference_unit: $ref.unit, ratio: $ratio,
	   target: (if $op == "info" then null else "\($op) \($target)" end),
	   verdict: (if $ratio == null then "n/a"
		     elif $op == "info" then "info"
		     elif $op == "<=" and $ratio <= $target then "PASS"
		     elif $op == ">=" and $ratio >= $target then "PASS"
		     else "MISS" end),
	   reason: (if $ratio == null then ($m.reason // $ref.reason) else null end)};

def rows($all):
	def m($k; $w; $c; $d): metric($all; $k; $w; $c; $d);
	def cache_hit_rows($w; $title):
		m("patched"; $w; "host"; 0) as $host
		| row($title; "patched, no namespace"; $host; "unpatched";
		      m("base"; $w; "host"; 0); "<="; 1.01),
		  row($title; "1 active IMA-ns"; m("patched"; $w; "ima-ns"; 1);
		      "patched host-only"; $host; "<="; 1.15),
		  (8, 32 | . as $d
		   | row($title; "IMA-ns depth \($d), per extra level";
			 per_level(m("patched"; $w; "ima-ns"; $d);
				   m("patched"; $w; "ima-ns"; 1); $d);
			 "patched host-only"; $host; "<="; 0.03)),
		  (1, 32 | . as $d
		   | row($title; "user ns depth \($d), no IMA-ns";
			 m("patched"; $w; "userns"; $d);
			 "unpatched, same"; m("base"; $w; "userns"; $d);
			 "<="; 1.01),
		     row($title; "control: user ns depth \($d), no IMA-ns";
			 m("patched"; $w; "userns"; $d);
			 "patched host-only"; $host; "info"; null));
	m("patched"; "open_read"; "host"; 0) as $open_host
	| m("patched"; "mem_per_1000_entries"; "host-global"; 0) as $entry_host
	| [cache_hit_rows("open_read"; "1 open+read+close"),
	   cache_hit_rows("fork_exec"; "2 fork+exec"),
	   row("3 first measurement"; "unpatched, host";
	       m("base"; "first_measure"; "host"; 0);
	       "raw sha256"; m("base"; "raw_sha256"; "host"; 0); ">="; 0.9),
	   row("3 first measurement"; "patched, host";
	       m("patched"; "first_measure"; "host"; 0);
	       "raw sha256"; m("patched"; "raw_sha256"; "host"; 0); ">="; 0.9),
	   row("3 first measurement"; "1 active IMA-ns (+ host)";
	       m("patched"; "first_measure"; "ima-ns"; 1);
	       "raw sha256"; m("patched"; "raw_sha256"; "host"; 0); ">="; 0.9),
	   row("4 ns lifecycle"; "active + 1 rule";
	       m("patched"; "ns_lifecycle"; "active"; 1);
	       "same, not activated"; m("patched"; "ns_lifecycle"; "inactive"; 1);
	       "<="; 2),
	   row("4 ns lifecycle"; "control: user+mount ns only";
	       m("patched"; "ns_lifecycle"; "userns"; 1);
	       "unpatched, same"; m("base"; "ns_lifecycle"; "userns"; 1);
	       "info"; null),
	   row("5 1024 rules"; "1 IMA-ns, 1024 non-matching";
	       m("patched"; "open_read_rules"; "ima-ns"; 1);
	       "patched host-only"; $open_host; "info"; null),
	   row("6 memory"; "per empty active ns (memcg)";
	       m("patched"; "mem_per_ns"; "memcg"; 1);
	       "4 KiB"; constant(4096; "bytes"); "<="; 1),
	   row("6 memory"; "per empty active ns (global)";
	       m("patched"; "mem_per_ns"; "global"; 1);
	       "4 KiB"; constant(4096; "bytes"); "<="; 1),
	   row("6 memory"; "1000 host entries (global)"; $entry_host;
	       "unpatched, same";
	       m("base"; "mem_per_1000_entries"; "host-global"; 0);
	       "info"; null),
	   row("6 memory"; "1000 IMA-ns entries (memcg)";
	       m("patched"; "mem_per_1000_entries"; "ima-ns-memcg"; 1);
	       "1000 host entries"; $entry_host; "<="; 1),
	   row("6 memory"; "1000 IMA-ns entries (global)";
	       m("patched"; "mem_per_1000_entries"; "ima-ns-global"; 1);
	       "1000 host entries"; $entry_host; "<="; 1)];

# Cost against nesting depth, relative to host-only, for the plot.
def depth($all):
	[("open_read", "fork_exec") as $w
	 | metric($all; "patched"; $w; "host"; 0).value as $host
	 | (0, 1, 2, 4, 8, 16, 32) as $d
	 | {workload: $w, depth: $d}
	 + if $d == 0 then {ima_ns: 1, userns: 1}
	   else {ima_ns: (metric($all; "patched"; $w; "ima-ns"; $d).value
			  | if . != null and $host != null then . / $host
			    else null end),
		 userns: (metric($all; "patched"; $w; "userns"; $d).value
			  | if . != null and $host != null then . / $host
			    else null end)}
	   end];

. as $all
| {kernels: ([$all[] | select(.kernel_release) | {(.kernel): .kernel_release}]
	     | add),
   runs: ([$all[] | select(.kernel_release) | {(.kernel): .run}] | add),
   rows: rows($all),
   depth: depth($all),
   results: [$all[] | select(.workload)]}
