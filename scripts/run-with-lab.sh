#!/bin/sh
# run-with-lab.sh BUILD_DIR - what `make run` does after building: start
# opsmgr-enroll-lab on loopback in a temporary directory, wait until it
# serves (lab.ini), open the wizard with the lab's answers file, and stop
# the lab when the wizard exits.  The lab directory is kept for a look at
# the CA's requests (path printed at the end) unless KEEP_LAB=0.
set -u
b=${1:-build}
lab_dir=$(mktemp -d "${TMPDIR:-/tmp}/opsmgr-lab.XXXXXX") || exit 1
state_dir="$lab_dir/wizard-state"
"$b/opsmgr-enroll-lab" --dir "$lab_dir" --auto-approve "${AUTO_APPROVE:-20}" \
	>"$lab_dir/lab.out" 2>&1 &
lab_pid=$!
stop_lab() {
	kill "$lab_pid" 2>/dev/null && wait "$lab_pid" 2>/dev/null
}
trap 'stop_lab' EXIT INT TERM
i=0
while [ ! -f "$lab_dir/lab.ini" ]; do
	if ! kill -0 "$lab_pid" 2>/dev/null; then
		echo "the lab did not start:" >&2
		cat "$lab_dir/lab.out" >&2
		exit 1
	fi
	i=$((i + 1))
	[ "$i" -gt 300 ] && { echo "the lab did not become ready in 30 s" >&2; exit 1; }
	sleep 0.1
done
echo "lab running in $lab_dir (pid $lab_pid); agents are approved 20 s after first contact"
"$b/opsmgr-enroll" --answers "$lab_dir/answers.ini" --state-dir "$state_dir"
rc=$?
stop_lab
trap - EXIT INT TERM
echo "wizard exited with status $rc; lab directory: $lab_dir"
exit "$rc"
