#!/bin/bash
# run.sh BUILD_DIR - `make bench` (issue 9): every figure measured side by
# side in one run, printed as a table (figure, median, min, max, target,
# ratio) with the machine it ran on.  Never asserts timing: exits non-zero
# only when a figure could not be measured.
#
#   1 full enrollment: opsmgr-enroll stages 1-7 (--non-interactive) and
#     bench/baseline.sh (openssl + curl) against the same lab
#     (--auto-approve 0), interleaved A B, wall and CPU (wait4 rusage,
#     children included), with the crypto floor run in the same rounds
#   2 crypto floor: RSA-2048 keygen + PKCS#12 (bench/crypto_floor.c), also
#     with the keygen raced on every core the way stage 2 does it
#   3 first screen in an 80x24 pty and the TUI's peak RSS (first_screen.c)
#   4 waiting: CPU during BENCH_WAIT_SECONDS of stage 7 against a lab that
#     does not approve (from the first contact to just before the timeout,
#     and for the whole process), and the delay from the start of
#     `opsmgr-enroll-lab approve` to the wizard exiting 0
#   5 check over BENCH_CHECK_CERTS generated certificates: the command
#     (fork to exit) and verify_certificate() in-process (check_cost.c)
#   6 lab enrollments per second with 8 parallel clients (lab_load.c)
#   7 fleet (issue 20): BENCH_FLEET_HOSTS hosts through the Ansible role's
#     step 1 (ansible/site.yml, ansible_connection: local, forks
#     BENCH_FLEET_FORKS) against one lab, then the same enrollments as
#     headless runs in a plain sequential shell loop (the answers files the
#     role wrote, new state directories: the same work), then both again
#     with nothing due; the role's overhead per host is
#     (role - loop) / hosts, of the wall and of the CPU
#
# Settings (environment):
#   BENCH_RUNS=10            rounds of figures 1-3 (medians of these)
#   BENCH_FLOOR_PER_ROUND=3  crypto-floor samples per round
#   BENCH_STAGE_RUNS=5       runs of the per-stage CPU breakdown (0: none)
#   BENCH_WAIT_SECONDS=60    length of the idle approval wait (figure 4)
#   BENCH_IDLE_RUNS=10       idle waits (figure 4; they run side by side)
#   BENCH_APPROVAL_RUNS=10   approvals timed (figure 4; side by side too)
#   BENCH_APPROVE_SPREAD=30  approvals come 1..N s after the wait began,
#                            evenly spread over the runs
#   BENCH_CHECK_CERTS=1000   certificates for figure 5
#   BENCH_LAB_SECONDS=10     length of the lab load (figure 6)
#   BENCH_FLEET_HOSTS=100    inventory hosts of figure 7
#   BENCH_FLEET_FORKS=10     ansible-playbook -f (ansible/ansible.cfg's forks)
#   BENCH_ONLY="1 4 5 6 7"   run only these figures (1 includes 2 and 3,
#                            measured in the same rounds); default all; a
#                            partial run is never recorded
#   BENCH_OUT=DIR            keep the work files there (default: a temp dir,
#                            removed at the end unless BENCH_KEEP=1)
#   BENCH_RECORD=auto        write the table into bench/RESULTS.md: "auto"
#                            only with the full settings above, 1 always, 0 never
# Quick run: BENCH_RUNS=3 BENCH_WAIT_SECONDS=5 BENCH_IDLE_RUNS=3 BENCH_APPROVAL_RUNS=3
#            BENCH_APPROVE_SPREAD=4 BENCH_CHECK_CERTS=100 BENCH_LAB_SECONDS=3
#            BENCH_FLEET_HOSTS=20; the fleet alone: BENCH_ONLY=7
set -u
export LC_ALL=C

B=${1:-build}
RUNS=${BENCH_RUNS:-10}
FLOOR_PER_ROUND=${BENCH_FLOOR_PER_ROUND:-3}
STAGE_RUNS=${BENCH_STAGE_RUNS:-5}
WAIT_S=${BENCH_WAIT_SECONDS:-60}
IDLE_RUNS=${BENCH_IDLE_RUNS:-10}
APPR_RUNS=${BENCH_APPROVAL_RUNS:-10}
APPR_SPREAD=${BENCH_APPROVE_SPREAD:-30}
CHECK_N=${BENCH_CHECK_CERTS:-1000}
LAB_S=${BENCH_LAB_SECONDS:-10}
LAB_CLIENTS=8
FLEET_N=${BENCH_FLEET_HOSTS:-100}
FLEET_FORKS=${BENCH_FLEET_FORKS:-10}
ONLY=${BENCH_ONLY:-}
RECORD=${BENCH_RECORD:-auto}

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
case $B in /*) ;; *) B="$here/$B" ;; esac
WIZ="$B/opsmgr-enroll"
LAB="$B/opsmgr-enroll-lab"
for f in "$WIZ" "$LAB"; do
	[ -x "$f" ] || { echo "bench: '$f' is missing: run 'make B=${B#"$here"/} all' first" >&2; exit 1; }
done
for pair in RUNS:BENCH_RUNS FLOOR_PER_ROUND:BENCH_FLOOR_PER_ROUND STAGE_RUNS:BENCH_STAGE_RUNS \
	WAIT_S:BENCH_WAIT_SECONDS IDLE_RUNS:BENCH_IDLE_RUNS APPR_RUNS:BENCH_APPROVAL_RUNS \
	APPR_SPREAD:BENCH_APPROVE_SPREAD CHECK_N:BENCH_CHECK_CERTS LAB_S:BENCH_LAB_SECONDS \
	FLEET_N:BENCH_FLEET_HOSTS FLEET_FORKS:BENCH_FLEET_FORKS; do
	v=${pair%%:*}; name=${pair#*:}
	case ${!v} in
	''|*[!0-9]*) echo "bench: $name must be a whole number (got '${!v}')" >&2; exit 2 ;;
	0) [ "$v" = STAGE_RUNS ] || { echo "bench: $name must be at least 1" >&2; exit 2; } ;;
	esac
done
for s in ${ONLY//,/ }; do
	case $s in 1|4|5|6|7) ;; *) echo "bench: BENCH_ONLY takes figures 1 4 5 6 7 (got '$s')" >&2; exit 2 ;; esac
done
# only N: figure N is to be measured (BENCH_ONLY); 2 and 3 go with 1
only() {
	[ -z "$ONLY" ] && return 0
	local n=$1
	case $n in 2|3) n=1 ;; esac
	case " ${ONLY//,/ } " in *" $n "*) return 0 ;; esac
	return 1
}

if [ -n "${BENCH_OUT:-}" ]; then
	OUT=$BENCH_OUT
	mkdir -p "$OUT" || exit 1
else
	OUT=$(mktemp -d /tmp/opsmgr-bench.XXXXXX) || exit 1
fi
BIN="$B/bench"
mkdir -p "$BIN" "$OUT/home" "$OUT/xdg"
# the programs read no configuration of the person running the bench
export HOME="$OUT/home" XDG_CONFIG_HOME="$OUT/xdg"
export OPSMGR_ENROLL_SYSTEM_CONFIG=/nonexistent/opsmgr-enroll.ini
unset NO_COLOR CURL_HOME SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF

failed=0
cleanup() {
	# our own background jobs only (labs, stage-7 runs still going)
	local p
	for p in $(jobs -p); do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ -z "${BENCH_OUT:-}" ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
		rm -rf "$OUT"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf 'bench: %s\n' "$*" >&2; }
miss() { say "NOT MEASURED: $*"; failed=1; }
now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

# ---- the bench programs, with the Makefile's flags ------------------------
PKGS="ncursesw formw menuw panelw libcrypto libssl libcurl libmicrohttpd gnutls vterm libzip libxml-2.0"
if [ ! -f "$B/libtestcommon.a" ]; then
	make --no-print-directory -C "$here" B="${B#"$here"/}" "${B#"$here"/}/libtestcommon.a" >&2 ||
		{ say "cannot build $B/libtestcommon.a"; exit 1; }
fi
CFL="-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter
	-Ibackend -Itests/common -I/usr/include/iniparser $(pkg-config --cflags $PKGS)"
LIBS="$B/libtestcommon.a $B/libapp.a $B/libbackend.a $(pkg-config --libs $PKGS) -liniparser -lutil -lm -lpthread"
# a SAN=1 build directory: the programs need the same sanitizers to link
if nm "$B/libbackend.a" 2>/dev/null | grep -q '__asan_'; then
	CFL="$CFL -fsanitize=address,undefined -fno-omit-frame-pointer"
	say "note: $B is a sanitizer build; its timings are not representative"
fi
for p in bench_exec crypto_floor check_cost first_screen lab_load evidence_cost; do
	if [ ! -x "$BIN/$p" ] || [ "bench/$p.c" -nt "$BIN/$p" ] || [ "$B/libbackend.a" -nt "$BIN/$p" ]; then
		# shellcheck disable=SC2086
		${CC:-cc} $CFL -Iwizard -o "$BIN/$p" "bench/$p.c" $LIBS || { say "cannot build bench/$p.c"; exit 1; }
	fi
done

# ---- helpers ----------------------------------------------------------------
# stats FILE COLUMN [SCALE]: "median min max n" of a column (times SCALE)
stats() {
	awk -v c="$2" -v s="${3:-1}" '{print $c * s}' "$1" 2>/dev/null | sort -g | awk '
		{ v[NR] = $1 }
		END { if (NR == 0) { print "n/a n/a n/a 0"; exit }
		      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.6g %.6g %.6g %d\n", m, v[1], v[NR], NR }'
}
# sumcols FILE A B > FILE2: a column that is the sum of two (user + sys)
sumcols() { awk -v a="$2" -v b="$3" '{print $a + $b}' "$1" 2>/dev/null; }

# start_lab DIR [ARGS...]: a lab in the background, waits for lab.ini
start_lab() {
	local d=$1; shift
	"$LAB" --dir "$d" "$@" >"$d.out" 2>&1 &
	local pid=$!
	for _ in $(seq 300); do
		[ -f "$d/lab.ini" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	say "the lab in $d did not start:"; cat "$d.out" >&2
	return 1
}
stop_lab() {  # stop_lab DIR: the lab started on DIR, by its pid
	local pid
	pid=$(sed -n 's/^pid *= *//p' "$1/lab.ini" 2>/dev/null)
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
}
labval() { sed -n "s/^$2 *= *//p" "$1/lab.ini" | head -1; }

# set_ini SRC DST SECTION KEY VALUE: SRC with section.key set to VALUE
set_ini() {
	awk -v sec="$3" -v key="$4" -v val="$5" '
		function flush() { if (insec && !done) { print key " = " val; done = 1 } }
		/^\[/ { flush(); insec = ($0 == "[" sec "]") }
		insec && $1 == key && $2 == "=" { if (!done) print key " = " val; done = 1; next }
		{ print }
		END { if (!done) { if (!insec) print "[" sec "]"; print key " = " val } }' "$1" >"$2.tmp" &&
		mv "$2.tmp" "$2"
}

# ---- machine -------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1)
cores=$(nproc)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "machine: ${cpu:-unknown CPU}, $cores cores; load $load0; work files in $OUT"

# ---- 1 + 2 + 3: interleaved rounds ---------------------------------------
if ! only 1; then
	:
elif start_lab "$OUT/lab" --auto-approve 0; then
	ans="$OUT/lab/answers.ini"
	mkdir -p "$OUT/a" "$OUT/b" "$OUT/fs"
	: >"$OUT/a.txt"; : >"$OUT/b.txt"; : >"$OUT/floor.txt"; : >"$OUT/fs.txt"
	for r in $(seq "$RUNS"); do
		say "round $r of $RUNS: opsmgr-enroll, baseline.sh, crypto floor, first screen"
		"$BIN/bench_exec" "$OUT/a.txt" -o "$OUT/a/$r.log" "$WIZ" --answers "$ans" \
			--state-dir "$OUT/a/$r" --non-interactive
		"$BIN/bench_exec" "$OUT/b.txt" -o "$OUT/b/$r.log" sh bench/baseline.sh "$OUT/lab" "$OUT/b/$r"
		"$BIN/crypto_floor" "$FLOOR_PER_ROUND" >>"$OUT/floor.txt" || miss "crypto floor"
		"$BIN/first_screen" "$WIZ" "$ans" "$OUT/fs/$r" >>"$OUT/fs.txt" 2>"$OUT/fs/$r.err" ||
			{ miss "first screen (round $r): $(head -c 2000 "$OUT/fs/$r.err")"; }
		rm -rf "$OUT/b/$r" "$OUT/a/$r" "$OUT/fs/$r"
	done
	bad=$(awk '$5 != 0' "$OUT/a.txt" | wc -l)
	[ "$bad" -eq 0 ] || { miss "opsmgr-enroll failed in $bad rounds; last output:"; tail -20 "$OUT"/a/*.log >&2; }
	bad=$(awk '$5 != 0' "$OUT/b.txt" | wc -l)
	[ "$bad" -eq 0 ] || { miss "baseline.sh failed in $bad rounds:"; tail -5 "$OUT"/b/*.log >&2; }
	# where the CPU goes: each stage as its own process (every row includes
	# the process start, which the --version row shows alone)
	mkdir -p "$OUT/st"
	for r in $(seq "$STAGE_RUNS"); do
		"$BIN/bench_exec" "$OUT/st/version.txt" "$WIZ" --version
		for s in 1-1 2-2 3-3 4-4 5-6 7-7; do
			"$BIN/bench_exec" "$OUT/st/$s.txt" -o "$OUT/st/$r.log" "$WIZ" --answers "$ans" \
				--state-dir "$OUT/st/$r" --non-interactive --stages "$s"
		done
		rm -rf "$OUT/st/$r"
	done
	stop_lab "$OUT/lab"
else
	miss "full enrollment (no lab)"
fi

# ---- 4: waiting -------------------------------------------------------------
# Every sample is its own agent (own FQDN, state and files) with stages 1-6
# done first; then all the stage-7 runs go at once: IDLE_RUNS that are never
# approved (CPU per process is its own, so running them side by side does
# not change it) and APPR_RUNS approved at offsets spread evenly over
# 1..APPR_SPREAD s after they began.
: >"$OUT/idle.txt"; : >"$OUT/appr.txt"; : >"$OUT/idle_window.txt"
if ! only 4; then
	:
elif start_lab "$OUT/lab2"; then
	ans2="$OUT/lab2/answers.ini"
	# wizard_for NAME FQDN TIMEOUT: answers + state for one agent, stages 1-6 done
	wizard_for() {
		local a="$OUT/w/$1.ini"
		mkdir -p "$OUT/w/$1"
		cp "$ans2" "$a"
		set_ini "$a" "$a" computer fqdn "$2"
		set_ini "$a" "$a" export pfx "$OUT/w/$1/agent.pfx"
		set_ini "$a" "$a" agent config "$OUT/w/$1/agent.ini"
		set_ini "$a" "$a" approval timeout "$3"
		"$WIZ" --answers "$a" --state-dir "$OUT/w/$1/state" --non-interactive \
			--stages 1-6 >"$OUT/w/$1.log" 2>&1 ||
			{ say "stages 1-6 for $2 failed:"; tail -20 "$OUT/w/$1.log" >&2; return 1; }
	}
	stage7() {  # stage7 NAME: run its stage 7
		"$WIZ" --answers "$OUT/w/$1.ini" --state-dir "$OUT/w/$1/state" --non-interactive --stages 7-7
	}
	# CPU time of a live process in ns: the sum of its threads' run time
	# (/proc/PID/task/*/schedstat, exact; /proc/PID/stat counts 10 ms ticks)
	cpu_ns() {
		[ -d "/proc/$1/task" ] || return 1
		cat "/proc/$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
	}
	say "waiting: stages 1-6 for $IDLE_RUNS idle and $APPR_RUNS approved agents"
	idle_ids=(); appr_ids=()
	for i in $(seq "$IDLE_RUNS"); do
		if wizard_for "idle$i" "idle$i.lab.test" "$WAIT_S"; then idle_ids+=("$i"); else miss "idle wait $i"; fi
	done
	declare -A off
	for i in $(seq "$APPR_RUNS"); do
		if [ "$APPR_RUNS" -gt 1 ]; then
			off[$i]=$(( 1000 + (i - 1) * (APPR_SPREAD * 1000 - 1000) / (APPR_RUNS - 1) ))
		else
			off[$i]=1000
		fi
		if wizard_for "appr$i" "appr$i.lab.test" $(( APPR_SPREAD + 180 )); then appr_ids+=("$i"); else miss "approval run $i"; fi
	done
	say "waiting: ${#idle_ids[@]} stage-7 runs left unapproved for $WAIT_S s, ${#appr_ids[@]} approved 1-$APPR_SPREAD s after they began"
	declare -A bpid apid wpid c0 w0 c1 w1 ts t0
	t_start=$(now_ms)
	for i in "${idle_ids[@]}"; do
		# bench_exec itself is the job (no subshell between), so the wizard
		# is its child
		"$BIN/bench_exec" "$OUT/w/idle$i.res" -o "$OUT/w/idle$i-7.log" "$WIZ" --answers "$OUT/w/idle$i.ini" \
			--state-dir "$OUT/w/idle$i/state" --non-interactive --stages 7-7 &
		bpid[$i]=$!
	done
	for i in "${appr_ids[@]}"; do
		ts[$i]=$(now_ms)
		( stage7 "appr$i" >"$OUT/w/appr$i-7.log" 2>&1; echo "$? $(now_ms)" >"$OUT/w/appr$i.end" ) &
		apid[$i]=$!
	done
	# the wizards themselves: bench_exec's only child
	for i in "${idle_ids[@]}"; do
		for _ in $(seq 500); do
			wpid[$i]=$(awk '{ print $1 }' "/proc/${bpid[$i]}/task/${bpid[$i]}/children" 2>/dev/null)
			[ -n "${wpid[$i]}" ] && break
			sleep 0.01
		done
	done
	# one loop: sample each idle wizard's CPU when it has made contact
	# (pending at the lab) and again just before its timeout; approve each
	# approval run at its offset (the time the approve command started is
	# what the delay is measured from)
	idle_end=$(( t_start + WAIT_S * 1000 - 500 ))
	give_up=$(( t_start + (WAIT_S + APPR_SPREAD + 120) * 1000 ))
	while :; do
		now=$(now_ms)
		list=$("$LAB" list --dir "$OUT/lab2" 2>/dev/null)
		todo=0
		for i in "${idle_ids[@]}"; do
			if [ -z "${c1[$i]:-}" ] && [ ! -d "/proc/${wpid[$i]:-0}/task" ]; then
				c0[$i]=${c0[$i]:-gone}; c1[$i]=gone   # it ended early
				continue
			fi
			if [ -z "${c0[$i]:-}" ]; then
				todo=1
				if grep -q "^agent idle$i.lab.test pending" <<<"$list"; then
					c0[$i]=$(cpu_ns "${wpid[$i]}"); w0[$i]=$(now_ms)
				fi
			elif [ -z "${c1[$i]:-}" ]; then
				todo=1
				if [ "$now" -ge "$idle_end" ]; then
					c1[$i]=$(cpu_ns "${wpid[$i]}"); w1[$i]=$(now_ms)
				fi
			fi
		done
		for i in "${appr_ids[@]}"; do
			[ -n "${t0[$i]:-}" ] && continue
			todo=1
			if [ "$now" -ge $(( ts[$i] + off[$i] )) ] && grep -q "^agent appr$i.lab.test pending" <<<"$list"; then
				t0[$i]=$(now_ms)
				"$LAB" approve --dir "$OUT/lab2" "appr$i.lab.test" >/dev/null 2>&1 ||
					miss "approve appr$i.lab.test failed"
			fi
		done
		[ "$todo" -eq 0 ] && break
		[ "$now" -ge "$give_up" ] && { miss "figure 4 did not finish in time"; break; }
		sleep 0.05
	done
	# these runs only: the lab is a background job too
	for p in "${bpid[@]}" "${apid[@]}"; do wait "$p"; done
	for i in "${idle_ids[@]}"; do
		read -r _ _ _ _ rc <"$OUT/w/idle$i.res" 2>/dev/null || rc=none
		if [ "$rc" != 75 ]; then   # 75: no approval before the timeout, as expected
			miss "idle wait $i ended with '$rc', not 75"; tail -20 "$OUT/w/idle$i-7.log" >&2
			continue
		fi
		cat "$OUT/w/idle$i.res" >>"$OUT/idle.txt"
		if [ "${c0[$i]:-gone}" != gone ] && [ "${c1[$i]:-gone}" != gone ] && [ "${w1[$i]}" -gt "${w0[$i]}" ]; then
			echo "$(( w1[$i] - w0[$i] )) $(awk -v a="${c0[$i]}" -v b="${c1[$i]}" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')" >>"$OUT/idle_window.txt"
		else
			miss "idle wait $i: no CPU window (wizard pid '${wpid[$i]}')"
		fi
	done
	for i in "${appr_ids[@]}"; do
		read -r rc end <"$OUT/w/appr$i.end" 2>/dev/null || rc=none
		if [ "$rc" = 0 ] && [ -n "${t0[$i]:-}" ]; then
			echo "$(( end - t0[$i] )) ${off[$i]}" >>"$OUT/appr.txt"
		else
			miss "approval run $i: the wizard exited '$rc'"; tail -20 "$OUT/w/appr$i-7.log" >&2
		fi
	done
	stop_lab "$OUT/lab2"
else
	miss "waiting (no lab)"
fi

# ---- 5: check ---------------------------------------------------------------
: >"$OUT/check_exec.txt"; : >"$OUT/check_inproc.txt"
mkdir -p "$OUT/certs"
if ! only 5; then
	:
elif say "check: generating $CHECK_N certificates" && "$BIN/check_cost" gen "$OUT/certs" "$CHECK_N"; then
	say "check: verify_certificate() in-process, then '$WIZ check' per certificate"
	"$BIN/check_cost" inproc "$OUT/certs" "$CHECK_N" >"$OUT/check_inproc.txt" ||
		{ miss "in-process verify"; : >"$OUT/check_inproc.txt"; }
	"$BIN/check_cost" exec "$OUT/certs" "$CHECK_N" "$WIZ" >"$OUT/check_exec.txt" ||
		{ miss "check command"; : >"$OUT/check_exec.txt"; }
else
	miss "check (certificates not generated)"
fi
rm -rf "$OUT/certs"

# ---- 5b: check --evidence (issue 17) -------------------------------------------
: >"$OUT/evid_exec.txt"; : >"$OUT/evid_inproc.txt"
mkdir -p "$OUT/evid"
i=0
only 5 || i=$CHECK_N
while [ "$i" -lt "$CHECK_N" ]; do
	for f in "$here"/tests/data/evidence/*/; do
		[ "$i" -lt "$CHECK_N" ] && cp -r "$f" "$OUT/evid/e-$i"
		i=$((i + 1))
	done
done
if only 5; then
	say "check --evidence: $CHECK_N folders (every fixture of tests/data/evidence in turn)"
	"$BIN/evidence_cost" inproc "$OUT/evid" "$CHECK_N" >"$OUT/evid_inproc.txt" ||
		{ miss "in-process evidence check"; : >"$OUT/evid_inproc.txt"; }
	"$BIN/evidence_cost" exec "$OUT/evid" "$CHECK_N" "$WIZ" >"$OUT/evid_exec.txt" ||
		{ miss "check --evidence command"; : >"$OUT/evid_exec.txt"; }
fi
rm -rf "$OUT/evid"

# ---- 6: lab load ------------------------------------------------------------
: >"$OUT/load.txt"
if ! only 6; then
	:
elif start_lab "$OUT/lab3"; then
	say "lab: $LAB_CLIENTS clients enrolling for $LAB_S s"
	"$BIN/lab_load" "$(labval "$OUT/lab3" ca_url)" "$(labval "$OUT/lab3" user)" \
		"$(labval "$OUT/lab3" password_file)" "$(labval "$OUT/lab3" root)" \
		"$LAB_CLIENTS" "$LAB_S" >"$OUT/load.txt" || { miss "lab load"; : >"$OUT/load.txt"; }
	stop_lab "$OUT/lab3"
else
	miss "lab load (no lab)"
fi

# ---- 7: fleet (issue 20) ------------------------------------------------------
# FLEET_N hosts fleet001.bench.test... with the host variables of
# tests/integration/test_ansible_lab.c, against one lab (auto-approve):
#   a  ansible-playbook -f FLEET_FORKS ansible/site.yml: the role's step 1
#      (answers file, password files 0600 from the lab's own 0600 files
#      through lookup('file'), opsmgr-enroll --non-interactive, per-host
#      state directory; opsmgr_enroll_windows: false)
#   b  the same enrollments in a plain sequential shell loop: the answers
#      file the role wrote for each host (paths moved to loop/, written
#      before the clock starts, password files 0600 beside them) and a new
#      state directory, so the same work (key, request, issue, verify,
#      export, bundle) against the same lab
#   c, d  both again: nothing due, nothing sent
# Every run is checked before it counts: exit 0, every host's bundle, and
# at the lab one issued request per host and run (a then b), none more.
F="$OUT/fleet"
for f in role role2 loop loop2 loop_host loop2_host; do : >"$OUT/fleet_$f.txt"; done
FLEET_HOSTS=()
for i in $(seq -f %03g "$FLEET_N"); do FLEET_HOSTS+=("fleet$i.bench.test"); done

# fleet_inventory LAB_DIR: the inventory (ansible_connection: local)
fleet_inventory() {
	cat <<-INV
	all:
	  vars:
	    ansible_connection: local
	    ansible_python_interpreter: /usr/bin/python3
	    opsmgr_enroll_windows: false
	    opsmgr_enroll_bin: $WIZ
	    opsmgr_enroll_work_dir: $F/role
	    opsmgr_enroll_ca_url: $(labval "$1" ca_url)
	    opsmgr_enroll_ca_user: $(labval "$1" user)
	    opsmgr_enroll_ca_file: $(labval "$1" root)
	    opsmgr_enroll_trust_sha256: $(labval "$1" root_sha256)
	    opsmgr_enroll_management_group: LAB
	    opsmgr_enroll_server: localhost
	    opsmgr_enroll_port: $(labval "$1" ms_port)
	    opsmgr_enroll_ca_password: "{{ lookup('file', '$1/password') }}"
	    opsmgr_enroll_pfx_password: "{{ lookup('file', '$1/pfx-password') }}"
	  children:
	    opsmgr_agents:
	      hosts:
	INV
	printf '        %s:\n' "${FLEET_HOSTS[@]}"
}
# fleet_play RESULT LOG: the playbook over the inventory, timed
fleet_play() {
	# ansible refuses a locale that is not UTF-8 (the bench runs in C)
	LC_ALL=C.UTF-8 "$BIN/bench_exec" "$1" -o "$2" -t 3600 "$PLAYBOOK" -i "$F/inventory.yml" \
		-f "$FLEET_FORKS" "$here/ansible/site.yml"
}
# fleet_loop RESULT PER_HOST_RESULT: the headless runs one after the other;
# RESULT gets "wall_ms user_ms sys_ms maxrss_kib failures" of the loop
fleet_loop() {
	local h t0 t1
	: >"$2"
	t0=$(now_ms)
	for h in "${FLEET_HOSTS[@]}"; do
		"$BIN/bench_exec" "$2" -o "$F/loop/$h.log" "$WIZ" --non-interactive \
			--answers "$F/loop/$h/answers.ini" --state-dir "$F/loop/$h/state"
	done
	t1=$(now_ms)
	awk -v w=$((t1 - t0)) '{ u += $2; s += $3; if ($4 > m) m = $4; if ($5 != 0) f++ }
		END { printf "%d %.3f %.3f %d %d\n", w, u, s, m, f }' "$2" >"$1"
}
# fleet_failed RESULT LOG WHAT RECAP: why the run does not count ("" when it
# does): its exit, and for a play the recap (RECAP "changed": every host
# changed, "ok": none changed); the play's tail goes to stderr
fleet_failed() {
	local rc n
	rc=$(awk '{ print $5 }' "$1")
	if [ "$rc" != 0 ]; then
		echo "$3 exited '$rc'"; tail -30 "$2" >&2; return
	fi
	[ -n "${4:-}" ] || return 0
	n=$(grep -Ec '^fleet[0-9]+\.bench\.test +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0 ' "$2")
	[ "$4" = changed ] && n=$(grep -Ec '^fleet[0-9]+\.bench\.test +: ok=[0-9]+ +changed=[1-9][0-9]* +unreachable=0 +failed=0 ' "$2")
	[ "$n" -eq "$FLEET_N" ] || { echo "$3: $n of $FLEET_N hosts $4 in the recap"; tail -30 "$2" >&2; }
}
# fleet_certs LAB_DIR PER_HOST: "" when the lab holds exactly PER_HOST
# issued requests for every host and no other, and every bundle is there
fleet_certs() {
	local bad
	bad=$("$LAB" list --dir "$1" 2>&1 | awk -v per="$2" -v n="$FLEET_N" '
		$1 == "request" { all++; if ($3 == "issued") c[$5]++ }
		END { for (h in c) { if (c[h] == per) good++ }
		      if (all != n * per || good != n) printf "%d requests, %d hosts with %d issued (want %d and %d)", all, good, per, n * per, n }')
	[ -n "$bad" ] && { echo "at the lab: $bad"; return; }
	local d k=0
	for d in "$F/role" "$F/loop"; do
		[ "$2" = 1 ] && [ "$d" = "$F/loop" ] && continue
		k=$((k + $(find "$d" -path '*/bundle/*-opsmgr.zip' 2>/dev/null | wc -l)))
	done
	[ "$k" -eq $((FLEET_N * $2)) ] || echo "$k bundles, want $((FLEET_N * $2))"
}

fleet_ok=0
if ! only 7; then
	:
elif ! PLAYBOOK=$(command -v ansible-playbook); then
	miss "fleet: ansible-playbook is not installed (scripts/deps.sh installs Debian's ansible)"
elif rm -rf "$F" && mkdir -p "$F" && start_lab "$F/lab" --auto-approve 0; then
	# ansible's own files inside the work folder, as test_ansible_lab does
	export ANSIBLE_HOME="$F/ansible-home" ANSIBLE_LOCAL_TEMP="$F/ansible-tmp" \
		ANSIBLE_REMOTE_TEMP="$F/ansible-tmp" XDG_CACHE_HOME="$F/cache" \
		ANSIBLE_ROLES_PATH="$here/ansible/roles" ANSIBLE_CONFIG="$here/ansible/ansible.cfg" \
		ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_DEPRECATION_WARNINGS=0
	fleet_inventory "$F/lab" >"$F/inventory.yml"
	say "fleet: $FLEET_N hosts through the role (ansible-playbook -f $FLEET_FORKS)"
	fleet_play "$OUT/fleet_role.txt" "$F/role.log"
	why=$(fleet_failed "$OUT/fleet_role.txt" "$F/role.log" "the role's first run" changed)
	[ -n "$why" ] || why=$(fleet_certs "$F/lab" 1)
	if [ -z "$why" ]; then
		say "fleet: the same $FLEET_N enrollments as headless runs in a shell loop"
		for h in "${FLEET_HOSTS[@]}"; do
			mkdir -p "$F/loop/$h/agent" "$F/loop/$h/bundle" "$F/loop/$h/secrets"
			chmod 700 "$F/loop" "$F/loop/$h" "$F/loop/$h/secrets"
			sed "s|$F/role/|$F/loop/|g" "$F/role/$h/answers.ini" >"$F/loop/$h/answers.ini"
			install -m 600 "$F/lab/password" "$F/loop/$h/secrets/ca-password"
			install -m 600 "$F/lab/pfx-password" "$F/loop/$h/secrets/pfx-password"
		done
		fleet_loop "$OUT/fleet_loop.txt" "$OUT/fleet_loop_host.txt"
		why=$(awk -v n="$FLEET_N" '$5 != 0 { printf "%d of %d headless runs failed", $5, n }' "$OUT/fleet_loop.txt")
		n=$(awk '$5 != 0 { print NR; exit }' "$OUT/fleet_loop_host.txt")
		[ -z "$n" ] || tail -20 "$F/loop/${FLEET_HOSTS[n - 1]}.log" >&2
		[ -n "$why" ] || why=$(fleet_certs "$F/lab" 2)
	fi
	if [ -z "$why" ]; then
		say "fleet: both again, nothing due"
		fleet_play "$OUT/fleet_role2.txt" "$F/role2.log"
		why=$(fleet_failed "$OUT/fleet_role2.txt" "$F/role2.log" "the role's second run" ok)
		fleet_loop "$OUT/fleet_loop2.txt" "$OUT/fleet_loop2_host.txt"
		[ -n "$why" ] || why=$(awk '$5 != 0 { printf "%d headless second runs failed", $5 }' "$OUT/fleet_loop2.txt")
		[ -n "$why" ] || why=$(fleet_certs "$F/lab" 2)
	fi
	find "$F/loop" -name secrets -type d -exec rm -rf {} + 2>/dev/null
	if [ -n "$why" ]; then
		miss "fleet: $why"
	else
		fleet_ok=1
	fi
	stop_lab "$F/lab"
else
	miss "fleet (no lab)"
fi

# ---- the table ----------------------------------------------------------------
load1=$(cut -d' ' -f1-3 /proc/loadavg)
T="$OUT/table.md"
# row NAME "median min max n" UNIT TARGET_TEXT TARGET_VALUE
row() {
	local name=$1 unit=$3 ttext=$4 tval=$5
	only "${name%% *}" || return 0
	set -- $2
	local ratio="-"
	if [ "$1" != n/a ] && [ -n "$tval" ] && [ "$tval" != - ]; then
		ratio=$(awk -v a="$1" -v b="$tval" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
	fi
	printf '| %-46s | %9s | %9s | %9s | %4s | %-5s | %-28s | %6s |\n' "$name" "$(num "$1")" "$(num "$2")" "$(num "$3")" "$4" "$unit" "$ttext" "$ratio"
}
num() { awk -v v="$1" 'BEGIN { if (v == "n/a") print v; else if (v < 1) printf "%.3f", v;
	else if (v < 10) printf "%.2f", v; else if (v < 100) printf "%.1f", v; else printf "%.0f", v }'; }
# fleet_rows: figure 7's rows (seconds for a whole fleet, ms per host); a
# run that did not count is n/a
fleet_rows() {
	local na="n/a n/a n/a 0"
	local rw=$na rc=$na lw=$na lc=$na r2=$na l2=$na ow=$na oc=$na rwh=$na r2h=$na lh=$na l2h=$na
	if [ "$fleet_ok" = 1 ]; then
		read -r frw fru frs _ <"$OUT/fleet_role.txt"
		read -r flw flu fls _ <"$OUT/fleet_loop.txt"
		read -r fr2 _ <"$OUT/fleet_role2.txt"
		read -r fl2 _ <"$OUT/fleet_loop2.txt"
		# plus A B, minus A B; per VALUE DIVISOR: one figure as "median min max n"
		plus() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }
		minus() { awk -v a="$1" -v b="$2" 'BEGIN { print a - b }'; }
		per() { awk -v v="$1" -v d="$2" 'BEGIN { v /= d; printf "%.6g %.6g %.6g 1\n", v, v, v }'; }
		frc=$(plus "$fru" "$frs"); flc=$(plus "$flu" "$fls")
		rw=$(per "$frw" 1000); rc=$(per "$frc" 1000)
		lw=$(per "$flw" 1000); lc=$(per "$flc" 1000)
		r2=$(per "$fr2" 1000); l2=$(per "$fl2" 1000)
		rwh=$(per "$frw" "$FLEET_N"); r2h=$(per "$fr2" "$FLEET_N")
		ow=$(per "$(minus "$frw" "$flw")" "$FLEET_N"); oc=$(per "$(minus "$frc" "$flc")" "$FLEET_N")
		lh=$(stats "$OUT/fleet_loop_host.txt" 1); l2h=$(stats "$OUT/fleet_loop2_host.txt" 1)
	fi
	row "7 fleet: role, $FLEET_N hosts (forks $FLEET_FORKS), wall" "$rw" s "(no target)" -
	row "7 fleet: role, CPU (ansible + opsmgr-enroll)" "$rc" s "(no target)" -
	row "7 fleet: shell loop, the same runs, wall" "$lw" s "(baseline of the role)" -
	row "7 fleet: shell loop, CPU" "$lc" s "(baseline of the role)" -
	row "7   role, wall per host (role / $FLEET_N)" "$rwh" ms "(no target)" -
	row "7   one headless run in the loop, wall" "$lh" ms "(baseline)" -
	row "7 role overhead per host, wall (role-loop)/$FLEET_N" "$ow" ms "(no target)" -
	row "7 role overhead per host, CPU (role-loop)/$FLEET_N" "$oc" ms "(no target)" -
	row "7 role second run (nothing due), wall" "$r2" s "(no target)" -
	row "7   per host (second run / $FLEET_N)" "$r2h" ms "(no target)" -
	row "7 shell loop second run (nothing due), wall" "$l2" s "(baseline)" -
	row "7   one headless run, nothing due, wall" "$l2h" ms "(baseline)" -
}
# fleet_summary: the role against its baseline, the shell loop, in words
fleet_summary() {
	[ "$fleet_ok" = 1 ] || return 0
	awk -v rw="$frw" -v lw="$flw" -v rc="$frc" -v lc="$flc" -v r2="$fr2" -v l2="$fl2" \
		-v n="$FLEET_N" -v k="$FLEET_FORKS" -v c="$cores" 'BEGIN {
		printf "Fleet: the role (forks %d, %d cores) / the shell loop (one at a time): wall %.2fx, CPU %.2fx; overhead per host %.0f ms of wall, %.0f ms of CPU; nothing due: wall %.2fx (%.0f ms per host against %.0f ms).\n",
			k, c, rw / lw, rc / lc, (rw - lw) / n, (rc - lc) / n, r2 / l2, r2 / n, l2 / n }'
}
{
	echo "Machine: ${cpu:-unknown CPU}, $cores cores, $(uname -sr); load average $load0 at the start, $load1 at the end."
	echo "Settings: $RUNS rounds ($FLOOR_PER_ROUND crypto-floor samples each), $IDLE_RUNS idle waits of $WAIT_S s, $APPR_RUNS approvals spread over 1-$APPR_SPREAD s, $CHECK_N certificates, lab load $LAB_CLIENTS clients x $LAB_S s, fleet $FLEET_N hosts (forks $FLEET_FORKS)${ONLY:+; only figures $ONLY}."
	echo "Ratio = median / target (at most 1.00 meets it); for the approval delay the worst run is compared."
	echo
	printf '| %-46s | %9s | %9s | %9s | %4s | %-5s | %-28s | %6s |\n' figure median min max n unit target ratio
	echo "|------------------------------------------------|-----------|-----------|-----------|------|-------|------------------------------|--------|"

	a_wall=$(stats "$OUT/a.txt" 1); b_wall=$(stats "$OUT/b.txt" 1)
	sumcols "$OUT/a.txt" 2 3 >"$OUT/a.cpu"; sumcols "$OUT/b.txt" 2 3 >"$OUT/b.cpu"
	a_cpu=$(stats "$OUT/a.cpu" 1); b_cpu=$(stats "$OUT/b.cpu" 1)
	f_wall=$(stats "$OUT/floor.txt" 3); f_cpu=$(stats "$OUT/floor.txt" 4)
	a_med=${a_wall%% *}; b_med=${b_wall%% *}; f_med=${f_wall%% *}; fc_med=${f_cpu%% *}
	t_b=$(awk -v b="$b_med" 'BEGIN { if (b == "n/a") print "-"; else printf "%.1f", 0.7 * b }')
	t_f=$(awk -v b="$f_med" 'BEGIN { if (b == "n/a") print "-"; else printf "%.1f", 1.3 * b }')
	t_fc=$(awk -v b="$fc_med" 'BEGIN { if (b == "n/a") print "-"; else printf "%.1f", 1.3 * b }')
	row "1 opsmgr-enroll stages 1-7, wall" "$a_wall" ms "<= 0.7 x baseline = $(num "$t_b")" "$t_b"
	row "1 opsmgr-enroll stages 1-7, wall vs floor" "$a_wall" ms "<= 1.3 x floor = $(num "$t_f")" "$t_f"
	row "1 opsmgr-enroll stages 1-7, CPU" "$a_cpu" ms "(ref.; 1.3 x floor = $(num "$t_fc"))" -
	row "1 baseline.sh (openssl + curl), wall" "$b_wall" ms "(reference)" -
	row "1 baseline.sh (openssl + curl), CPU" "$b_cpu" ms "(reference)" -
	row "2 crypto floor: RSA-2048 + PKCS#12, wall" "$f_wall" ms "(reference)" -
	row "2 crypto floor, CPU" "$f_cpu" ms "(reference)" -
	row "2   of which RSA-2048 keygen, wall" "$(stats "$OUT/floor.txt" 1)" ms "(reference)" -
	row "2   of which PKCS#12 (2048 iterations), wall" "$(stats "$OUT/floor.txt" 2)" ms "(reference)" -
	racers=$(awk 'NF >= 8 { r = $8 } END { print r + 0 }' "$OUT/floor.txt" 2>/dev/null)
	row "2 same, keygen raced as stage 2 does ($racers), wall" "$(stats "$OUT/floor.txt" 6)" ms "(reference)" -
	row "2 same, keygen raced, CPU (all racers)" "$(stats "$OUT/floor.txt" 7)" ms "(reference)" -
	row "3 first screen (exec to welcome, 80x24)" "$(stats "$OUT/fs.txt" 1)" ms "<= 50" 50
	row "3 TUI peak RSS" "$(stats "$OUT/fs.txt" 2 0.0009765625)" MiB "<= 16" 16
	awk '{ print $2 / $1 * 100, $1 / 1000, $2 }' "$OUT/idle_window.txt" >"$OUT/idle_window.pct"
	awk '{ print ($2 + $3) / $1 * 100 }' "$OUT/idle.txt" >"$OUT/idle.pct"
	iw=$(stats "$OUT/idle_window.pct" 2); iwc=$(stats "$OUT/idle_window.pct" 3)
	row "4 CPU awaiting approval ($(num "${iw%% *}") s, $(num "${iwc%% *}") ms)" "$(stats "$OUT/idle_window.pct" 1)" "%core" "<= 0.5" 0.5
	row "4   the whole stage-7 process, start included" "$(stats "$OUT/idle.pct" 1)" "%core" "<= 0.5" 0.5
	appr=$(stats "$OUT/appr.txt" 1)
	row "4 approve -> wizard exits 0" "$appr" ms "<= 2000" 2000
	set -- $appr
	row "4 approve -> wizard exits 0, worst run" "$3 $3 $3 $4" ms "<= 2000" 2000
	row "5 check command per certificate, wall" "$(stats "$OUT/check_exec.txt" 1)" ms "<= 5" 5
	row "5 check command per certificate, CPU" "$(stats "$OUT/check_exec.txt" 2)" ms "<= 5" 5
	row "5 verify_certificate() in-process, wall" "$(stats "$OUT/check_inproc.txt" 1)" ms "<= 5" 5
	row "5 check --evidence per folder, wall" "$(stats "$OUT/evid_exec.txt" 1)" ms "<= 5" 5
	row "5 evidence_check() in-process, wall" "$(stats "$OUT/evid_inproc.txt" 1)" ms "<= 5" 5
	if [ -s "$OUT/load.txt" ]; then
		read -r li _ le lr <"$OUT/load.txt"
		row "6 lab enrollments/s, $LAB_CLIENTS clients ($li in $(num "$le") s)" "$lr $lr $lr 1" "1/s" "(no target)" -
	else
		row "6 lab enrollments/s, $LAB_CLIENTS clients" "n/a n/a n/a 0" "1/s" "(no target)" -
	fi
	fleet_rows
	echo
	awk -v a="$a_med" -v b="$b_med" -v f="$f_med" -v ac="${a_cpu%% *}" -v bc="${b_cpu%% *}" -v fc="$fc_med" 'BEGIN {
		if (a == "n/a" || a == "" || b == "n/a" || f == "n/a") exit
		printf "opsmgr-enroll / baseline.sh: wall %.2fx (target 0.70x), CPU %.2fx; opsmgr-enroll / crypto floor: wall %.2fx (target 1.30x), CPU %.2fx.\n", a / b, ac / bc, a / f, ac / fc }'
	rf=$(stats "$OUT/floor.txt" 6); rfc=$(stats "$OUT/floor.txt" 7)
	awk -v a="$a_med" -v f="${rf%% *}" -v ac="${a_cpu%% *}" -v fc="${rfc%% *}" 'BEGIN {
		if (a == "n/a" || a == "" || f == "n/a" || f <= 0) exit
		printf "opsmgr-enroll / the same floor with the racing keygen stage 2 uses: wall %.2fx, CPU %.2fx (what is left above the cryptography).\n", a / f, ac / fc }'
	fleet_summary
	if only 1 && [ "$STAGE_RUNS" -gt 0 ] && [ -s "$OUT/st/version.txt" ]; then
		echo
		echo "Where opsmgr-enroll's CPU goes: each stage run as its own process, CPU ms (median of $STAGE_RUNS; every stage row includes the process start):"
		echo
		echo "| process | --version | stage 1 | stage 2 | stage 3 | stage 4 | stages 5-6 | stage 7 |"
		echo "|---------|-----------|---------|---------|---------|---------|------------|---------|"
		line="| CPU ms |"
		for f in version 1-1 2-2 3-3 4-4 5-6 7-7; do
			sumcols "$OUT/st/$f.txt" 2 3 >"$OUT/st/$f.cpu"
			bad=$(awk '$5 != 0' "$OUT/st/$f.txt" | wc -l)
			v=$(stats "$OUT/st/$f.cpu" 1)
			if [ "$bad" -ne 0 ]; then line="$line failed |"; miss "per-stage run '$f' failed $bad times"; else line="$line $(num "${v%% *}") |"; fi
		done
		echo "$line"
	fi
} >"$T"
echo
cat "$T"
[ -s "$OUT/load.txt" ] && awk '$2 > 0 { print "(" $2 " lab enrollments failed)" }' "$OUT/load.txt"

# ---- bench/RESULTS.md -----------------------------------------------------------
full=0
[ "$RUNS" -ge 10 ] && [ "$WAIT_S" -ge 60 ] && [ "$CHECK_N" -ge 1000 ] && [ "$APPR_RUNS" -ge 10 ] && [ "$IDLE_RUNS" -ge 10 ] &&
	[ "$FLEET_N" -ge 100 ] && [ -z "$ONLY" ] && full=1
[ -n "$ONLY" ] && [ "$RECORD" = 1 ] && { say "BENCH_ONLY: a partial table is not recorded"; RECORD=0; }
if [ "$RECORD" = 1 ] || { [ "$RECORD" = auto ] && [ "$full" = 1 ]; }; then
	R=bench/RESULTS.md
	if [ -f "$R" ] && grep -q '^<!-- bench:table:begin -->' "$R"; then
		{
			sed -n '1,/^<!-- bench:table:begin -->/p' "$R"
			echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`make bench\` (commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown))."
			echo
			cat "$T"
			sed -n '/^<!-- bench:table:end -->/,$p' "$R"
		} >"$R.tmp" && mv "$R.tmp" "$R" && say "table recorded in $R"
	else
		say "$R has no '<!-- bench:table:begin -->' marker: table not recorded"
	fi
fi
[ "$failed" -eq 0 ] || say "some figures could not be measured (see NOT MEASURED above)"
exit "$failed"
