#!/bin/sh
# run.sh BUILD_DIR SECONDS [TARGET...] - run libFuzzer targets (all of
# BUILD_DIR/fuzz/fuzz_* unless named) for SECONDS each on their seed corpus
# (tests/fuzz/corpus/<target>/); new inputs are kept in a scratch copy
# (BUILD_DIR/fuzz/corpus-<target>/).  FUZZ_JOBS=N runs N targets at a time
# (default 1).  Prints executions and crashes per target and a total line.
# Exit 1 when a target crashed (the reproducer is left in
# BUILD_DIR/fuzz/crashes/<target>-crash-...; turn it into a regression
# input under tests/fuzz/regressions/<target>/).
set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
	exit 2
fi
b=$1
secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
jobs=${FUZZ_JOBS:-1}
mkdir -p "$b/fuzz/crashes"

if [ $# -gt 0 ]; then
	targets=$*
else
	targets=
	for t in "$b"/fuzz/fuzz_*; do
		[ -x "$t" ] && case "$t" in *.log) ;; *) targets="$targets $(basename "$t")" ;; esac
	done
fi
if [ -z "$targets" ]; then
	echo "no fuzz targets in $b/fuzz (build them with: make FUZZ=1 fuzz-build)" >&2
	exit 2
fi

# One target: fuzz, then write "<name> <rc> <execs>" to its .result file.
run_one() {
	name=$1
	t="$b/fuzz/$name"
	seed="$here/corpus/$name"
	work="$b/fuzz/corpus-$name"
	log="$b/fuzz/$name.log"
	mkdir -p "$work"
	[ -d "$seed" ] && cp -n "$seed"/* "$work"/ 2>/dev/null
	# targets whose seeds are the tests' own fixtures take them from there
	case "$name" in
	fuzz_certsrv_pages) cp -n "$here/../data/certsrv"/* "$work"/ 2>/dev/null ;;
	fuzz_evidence_reg) cp -n "$here/../data/evidence"/*/*.reg "$work"/ 2>/dev/null ;;
	fuzz_evidence_certutil) cp -n "$here/../data/evidence"/healthy/store-*.txt "$work"/ 2>/dev/null ;;
	fuzz_evidence_events) cp -n "$here/../data/evidence"/events-*/events.xml "$work"/ 2>/dev/null ;;
	esac
	extra=
	# the lab handlers log every request to stderr: keep libFuzzer's and
	# the sanitizers' own reports, drop the target's chatter
	case "$name" in fuzz_lab_*) extra=-close_fd_mask=2 ;; esac
	"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=16384 -print_final_stats=1 $extra \
		-artifact_prefix="$b/fuzz/crashes/$name-" "$work" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
	[ -z "$execs" ] && execs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	echo "$name $rc ${execs:-0}" >"$b/fuzz/$name.result"
}

running=0
for name in $targets; do
	if [ ! -x "$b/fuzz/$name" ]; then
		echo "$name: not built ($b/fuzz/$name)" >&2
		echo "$name 127 0" >"$b/fuzz/$name.result"
		continue
	fi
	rm -f "$b/fuzz/$name.result"
	run_one "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

status=0
total=0
crashed=0
for name in $targets; do
	set -- $(cat "$b/fuzz/$name.result" 2>/dev/null || echo "$name 1 0")
	rc=$2
	execs=$3
	total=$((total + execs))
	if [ "$rc" -ne 0 ]; then
		status=1
		crashed=$((crashed + 1))
		echo "$name: CRASH after $execs executions (see $b/fuzz/$name.log)"
		grep -E 'ERROR|SUMMARY|artifact' "$b/fuzz/$name.log" | head -5
	else
		cov=$(grep -Eo 'cov: [0-9]+' "$b/fuzz/$name.log" | tail -1)
		echo "$name: $execs executions in ${secs}s, no crash (${cov:-cov: ?}, corpus $(ls "$b/fuzz/corpus-$name" | wc -l) inputs)"
	fi
done
echo "fuzz: $total executions, $crashed of $(echo $targets | wc -w) targets crashed"
exit $status
