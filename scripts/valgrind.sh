#!/bin/sh
# valgrind.sh [BUILD_DIR] - valgrind memcheck over the plain build's unit
# tests and one full non-interactive run of opsmgr-enroll against a lab
# (the lab itself runs natively).  Options: --leak-check=full
# --errors-for-leak-kinds=definite --error-exitcode=99, suppressions from
# tests/valgrind.supp (library-internal caches only, each justified there).
# Prints one line per program (exit status, errors, definitely lost) and a
# total; exit status 1 when any program has a memcheck error, a definite
# leak, or fails its own tests under valgrind.  `make test` runs it on the
# plain build after that build's suite (VALGRIND=build in
# scripts/run-tests.sh), so the suite's cached test keys are reused.
# BUILD_DIR defaults to build-valgrind, built plain (no sanitizers:
# valgrind and ASan do not mix) when missing.
# Logs: $VG_LOG_DIR (default: a new temporary directory, printed).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
b=${1:-build-valgrind}
if ! command -v valgrind >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "installing valgrind"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind \
			</dev/null >/dev/null || { apt-get update -qq </dev/null >/dev/null &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind \
			</dev/null >/dev/null; } || { echo "cannot install valgrind" >&2; exit 1; }
	else
		echo "valgrind is missing: run as root: apt-get install -y valgrind" >&2
		exit 1
	fi
fi
if [ ! -x "$b/opsmgr-enroll" ] || [ ! -d "$b/tests/unit" ]; then
	make --no-print-directory B="$b" SAN=0 all tests >/dev/null || {
		echo "build of $b failed" >&2; exit 1; }
fi
if nm "$b/opsmgr-enroll" 2>/dev/null | grep -q __asan_init; then
	echo "$b is a sanitizer build: valgrind needs a plain one" >&2
	exit 1
fi
vg_t0=$(date +%s)
logs=${VG_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/opsmgr-valgrind.XXXXXX")}
mkdir -p "$logs"
export OPSMGR_BUILD_DIR="$here/$b"
VG="valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
--error-exitcode=99 --show-leak-kinds=definite --num-callers=30 \
--suppressions=$here/tests/valgrind.supp --trace-children=no"
VG_TIMEOUT=${VG_TIMEOUT:-900}

bad=0
nok=0
nbad=0
total_err=0
total_lost=0
printf '%-34s %6s %6s %7s %22s\n' "program" "exit" "secs" "errors" "definitely lost"

# Sum "ERROR SUMMARY" and "definitely lost" over a program's logs (one per
# process: tests that fork without exec leave one each).
summarise() {
	name=$1 rc=$2 secs=$3 label=${4:-$1}
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$logs/$name".*.log 2>/dev/null |
		tr -d , | awk '{s+=$1} END {print s+0}')
	lostb=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\1/p' \
		"$logs/$name".*.log 2>/dev/null | tr -d , | awk '{s+=$1} END {print s+0}')
	lostn=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\2/p' \
		"$logs/$name".*.log 2>/dev/null | tr -d , | awk '{s+=$1} END {print s+0}')
	printf '%-34s %6s %6s %7s %22s\n' "$label" "$rc" "$secs" "$errs" "$lostb bytes in $lostn blocks"
	total_err=$((total_err + errs))
	total_lost=$((total_lost + lostb))
	if [ "$errs" -ne 0 ] || [ "$lostb" -ne 0 ] || [ "$rc" -ne 0 ]; then
		bad=1
		nbad=$((nbad + 1))
	else
		nok=$((nok + 1))
	fi
}

for t in "$b"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout -k 10 "$VG_TIMEOUT" $VG --log-file="$logs/$name.%p.log" "$t" \
		</dev/null >"$logs/$name.out" 2>&1
	summarise "$name" $? $(($(date +%s) - t0))
done

# One full non-interactive run against a lab.
lab_dir=$(mktemp -d "${TMPDIR:-/tmp}/opsmgr-vglab.XXXXXX") || exit 1
"$b/opsmgr-enroll-lab" --dir "$lab_dir" --auto-approve 0 >"$lab_dir/lab.out" 2>&1 &
lab_pid=$!
i=0
while [ ! -f "$lab_dir/lab.ini" ] && kill -0 "$lab_pid" 2>/dev/null && [ "$i" -lt 1200 ]; do
	i=$((i + 1))
	sleep 0.1
done
if [ -f "$lab_dir/lab.ini" ]; then
	t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout -k 10 "$VG_TIMEOUT" $VG --log-file="$logs/opsmgr-enroll.%p.log" \
		"$b/opsmgr-enroll" --answers "$lab_dir/answers.ini" \
		--state-dir "$lab_dir/wizard-state" --non-interactive \
		</dev/null >"$logs/opsmgr-enroll.out" 2>&1
	summarise opsmgr-enroll $? $(($(date +%s) - t0)) "opsmgr-enroll (full run, lab)"
	grep -q "done: stages 1-7 complete" "$logs/opsmgr-enroll.out" || {
		echo "  the full run did not complete: see $logs/opsmgr-enroll.out"
		bad=1; nok=$((nok - 1)); nbad=$((nbad + 1)); }
else
	echo "the lab did not start:" >&2
	cat "$lab_dir/lab.out" >&2
	bad=1
	nbad=$((nbad + 1))
fi
kill "$lab_pid" 2>/dev/null && wait "$lab_pid" 2>/dev/null
rm -rf "$lab_dir"

echo "valgrind: $total_err errors, $total_lost bytes definitely lost; logs in $logs"
echo "valgrind: $nok programs clean, $nbad not (total $(($(date +%s) - vg_t0)) s)"
[ "$bad" -eq 0 ] || echo "(exit status 99: memcheck found errors or definite leaks; other non-zero: the program itself failed or was killed)"
[ "$bad" -eq 0 ]
