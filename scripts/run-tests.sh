#!/bin/sh
# run-tests.sh BUILD_DIR... - run every test program of each build directory
# (unit, integration, ui), with a time limit each, sum cmocka's counts and
# print one closing line: "N passed, N failed".  Exit status 1 on any
# failure, including a test program that crashed or printed no summary.
#
# The build directories run side by side (the plain and the sanitizer
# suites spend most of their time waiting on labs, timeouts and keys, not
# on the CPU); each one's programs run in order, and the reports are
# printed one directory after the other.
set -u
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$here/tests/lsan.supp" ] && export LSAN_OPTIONS="suppressions=$here/tests/lsan.supp:print_suppressions=0"
work=$(mktemp -d "${TMPDIR:-/tmp}/opsmgr-tests.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# run_dir DIR N: runs DIR's programs; report in $work/N.log, counts in
# $work/N.count ("passed failed failed-programs...").
run_dir() {
	b=$1
	n=$2
	pass=0
	fail=0
	names=""
	export OPSMGR_BUILD_DIR="$here/$b"
	for kind in unit integration ui; do
		[ -d "$b/tests/$kind" ] || continue
		for t in "$b/tests/$kind"/test_*; do
			[ -x "$t" ] || continue
			log="$work/$n.one"
			t0=$(date +%s)
			timeout -k 10 "$TEST_TIMEOUT" "$t" </dev/null >"$log" 2>&1
			rc=$?
			echo "== $t ($(( $(date +%s) - t0 )) s)"
			p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
			f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
			if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
				f=1   # crashed, timed out, or failed outside a test
				echo "   exit status $rc without a failed test: counted as one failure"
			fi
			if [ "$f" -gt 0 ]; then
				cat "$log"
				names="$names $t"
			else
				grep -E '^\[ +(SKIPPED|PASSED) +\]' "$log" | sed 's/^/   /'
			fi
			pass=$((pass + p))
			fail=$((fail + f))
		done
	done >"$work/$n.log"
	echo "$pass $fail$names" >"$work/$n.count"
}

# VALGRIND=DIR (one of the build directories, a plain one): after DIR's
# suite, valgrind memcheck over DIR's unit tests and one full enrollment
# (scripts/valgrind.sh); each program counts as one test, failed when it
# had a memcheck error, a definite leak, or failed under valgrind.  It runs
# after the suite so that the suite's test keys (tests/common/certgen.h,
# cached in DIR/testkeys) are reused instead of generated under valgrind.
valgrind_run() {
	VG_LOG_DIR="$work/vg" "$here/scripts/valgrind.sh" "$1" >"$work/vg.log" 2>&1
	vp=$(sed -n 's/^valgrind: \([0-9]*\) programs clean, \([0-9]*\) not.*/\1/p' "$work/vg.log")
	vf=$(sed -n 's/^valgrind: \([0-9]*\) programs clean, \([0-9]*\) not.*/\2/p' "$work/vg.log")
	[ -n "$vp" ] || { vp=0; vf=1; }   # no summary: it did not run
	echo "$vp $vf" >"$work/vg.count"
}

# FUZZ_SMOKE=DIR: also run each libFuzzer target of DIR (make FUZZ=1
# fuzz-build) for FUZZ_SMOKE_SECONDS on its corpus, side by side with the
# suites; a target counts as one test, failed when it crashed.
fuzz_smoke() {
	FUZZ_JOBS=${FUZZ_JOBS:-1} "$here/tests/fuzz/run.sh" "$FUZZ_SMOKE" \
		"${FUZZ_SMOKE_SECONDS:-5}" >"$work/fuzz.log" 2>&1
	fp=$(grep -c ': .* no crash' "$work/fuzz.log")
	ff=$(grep -c -E ': (CRASH|not built)' "$work/fuzz.log")
	[ "$fp" -eq 0 ] && [ "$ff" -eq 0 ] && ff=1   # nothing ran
	echo "$fp $ff" >"$work/fuzz.count"
}

i=0
for b in "$@"; do
	i=$((i + 1))
	if [ "$b" = "${VALGRIND:-}" ]; then
		{ run_dir "$b" "$i"; valgrind_run "$b"; } &
	else
		run_dir "$b" "$i" &
	fi
done
[ -n "${FUZZ_SMOKE:-}" ] && fuzz_smoke &
wait

total_pass=0
total_fail=0
failed_names=""
i=0
for b in "$@"; do
	i=$((i + 1))
	cat "$work/$i.log"
	if [ -f "$work/$i.count" ]; then
		read -r p f names <"$work/$i.count"
	else
		p=0 f=1 names="$b (no report)"
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ -n "${names:-}" ] && failed_names="$failed_names $names"
	names=""
done
if [ -n "${FUZZ_SMOKE:-}" ]; then
	echo "== fuzz smoke ($FUZZ_SMOKE, ${FUZZ_SMOKE_SECONDS:-5} s per target)"
	sed 's/^/   /' "$work/fuzz.log"
	read -r fp ff <"$work/fuzz.count" || { fp=0; ff=1; }
	total_pass=$((total_pass + fp))
	total_fail=$((total_fail + ff))
	[ "$ff" -gt 0 ] && failed_names="$failed_names fuzz"
fi
if [ -n "${VALGRIND:-}" ]; then
	echo "== valgrind memcheck ($VALGRIND: unit tests and one full enrollment)"
	sed 's/^/   /' "$work/vg.log"
	read -r vp vf <"$work/vg.count" || { vp=0; vf=1; }
	total_pass=$((total_pass + vp))
	total_fail=$((total_fail + vf))
	[ "$vf" -gt 0 ] && failed_names="$failed_names valgrind"
fi
[ -n "$failed_names" ] && echo "failed programs:$failed_names"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
