#!/bin/sh
# run.sh BUILD_DIR SECONDS - run every libFuzzer target for SECONDS each on
# its seed corpus (tests/fuzz/corpus/<target>/), new inputs kept in a
# scratch copy; prints executions and crashes per target.  Exit 1 when a
# target crashed (the reproducer is left in BUILD_DIR/fuzz/crashes/).
set -u
b=$1
secs=$2
here=$(cd "$(dirname "$0")" && pwd)
status=0
mkdir -p "$b/fuzz/crashes"
for t in "$b"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	seed="$here/corpus/$name"
	work="$b/fuzz/corpus-$name"
	mkdir -p "$work"
	[ -d "$seed" ] && cp -n "$seed"/* "$work"/ 2>/dev/null
	log="$b/fuzz/$name.log"
	"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$b/fuzz/crashes/$name-" "$work" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	[ -z "$execs" ] && execs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	if [ "$rc" -ne 0 ]; then
		status=1
		echo "$name: CRASH after ${execs:-?} executions (see $log)"
		grep -E 'ERROR|SUMMARY' "$log" | head -5
	else
		echo "$name: ${execs:-?} executions in ${secs}s, no crash"
	fi
done
exit $status
