#!/bin/sh
# test_trace_cli.sh — `bpfrt trace` end to end (tools/bpfrt/cmd_trace.c):
# opensnoop on cat and ls prints every open with its path, pid, comm and
# return value (text and -j JSON lines); the command's exit status comes
# back; pinmaps DIR leaves the maps for `bpfrt map dump pinned` and
# `trace pinned DIR` runs the same programs again; bad input (no '--',
# unknown object, a command that does not exist, a non-syscall program)
# gets an error and a non-zero exit.  Exits 77 where ptrace/seccomp are
# not permitted.
#   test_trace_cli.sh BPFRT OBJDIR
set -u
BPFRT=$1
OBJ=$2/opensnoop.bpf.o
[ -r "$OBJ" ] || { echo "SKIP: $OBJ missing (no clang-19)"; exit 77; }
T=$(mktemp -d /tmp/bpfrt-trace-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
B="$BPFRT --pin-root $T/root"
fail=0
has() { printf '%s\n' "$1" | grep -q -- "$2"; }
check() { # check DESCRIPTION COMMAND...: the command must succeed
	d=$1; shift
	if ! "$@"; then echo "FAIL: $d"; fail=1; fi
}

echo hello > "$T/file.txt"
out=$($B trace "$OBJ" -- cat "$T/file.txt" 2>"$T/err"); rc=$?
if [ $rc -ne 0 ] && grep -q -e ptrace -e seccomp "$T/err"; then
	echo "SKIP: $(cat "$T/err")"; exit 77
fi
check "cat exits 0 ($rc)" [ $rc -eq 0 ]
check "cat's output passes through" grep -qx hello <<EOF2
$out
EOF2
line=$(printf '%s\n' "$out" | grep "fname=$T/file.txt\$")
check "open of file.txt reported once: $out" [ "$(printf '%s\n' "$line" | grep -c .)" -eq 1 ]
check "comm=cat and a file descriptor in '$line'" sh -c "printf '%s' '$line' | grep -q 'comm=cat .*' && printf '%s' '$line' | grep -q ' ret=[0-9][0-9]* '"
pid=$(printf '%s' "$line" | sed -n 's/.* pid=\([0-9]*\) .*/\1/p')
check "pid in '$line'" [ -n "$pid" ]

# ls: the directory is opened (openat O_DIRECTORY), JSON lines.
mkdir "$T/dir"
out=$($B -j trace "$OBJ" -- ls "$T/dir"); rc=$?
check "ls exits 0" [ $rc -eq 0 ]
check "ls's open of the directory in JSON: $out" sh -c "printf '%s\n' '$out' | grep -q '\"comm\":\"ls\".*\"fname\":\"$T/dir\"'"
check "every JSON line is a record" sh -c "printf '%s\n' '$out' | grep -v -q '^{\"source\":\"events\"' && exit 1 || exit 0"

# A missing file: ret=-2 (ENOENT); the exit status of the command.
out=$($B trace "$OBJ" -- cat "$T/missing" 2>/dev/null); rc=$?
check "cat of a missing file exits 1 ($rc)" [ $rc -eq 1 ]
check "ENOENT reported: $out" sh -c "printf '%s\n' '$out' | grep -q 'ret=-2 .*fname=$T/missing\$'"

# pinmaps: maps stay; pinned DIR runs the programs again on them.
out=$($B trace "$OBJ" pinmaps "$T/root/snoop" -- cat "$T/file.txt"); rc=$?
check "pinmaps run exits 0" [ $rc -eq 0 ]
check "maps pinned" [ -e "$T/root/snoop/events" ] && [ -e "$T/root/snoop/start" ]
check "map dump pinned works" $B map dump pinned "$T/root/snoop/start"
out=$($B trace pinned "$T/root/snoop" -- cat "$T/file.txt"); rc=$?
check "pinned run exits 0" [ $rc -eq 0 ]
check "pinned run reports the open: $out" sh -c "printf '%s\n' '$out' | grep -q 'fname=$T/file.txt\$'"

# execsnoop (perf event array): every execve with file, argv, pid, ret.
ES=$(dirname "$OBJ")/execsnoop.bpf.o
out=$($B trace "$ES" -- /bin/sh -c "/bin/cat $T/file.txt >/dev/null; $T/no-such; exit 3" 2>/dev/null); rc=$?
check "sh's exit status 3 comes back ($rc)" [ $rc -eq 3 ]
check "sh's own exec: $out" has "$out" "ret=0 argc=3 comm=sh file=/bin/sh argv=\[/bin/sh,-c,"
check "cat's exec with its argv: $out" has "$out" "ret=0 argc=2 comm=cat file=/bin/cat argv=\[/bin/cat,$T/file.txt\]\$"
check "the failed exec with ENOENT: $out" has "$out" "ret=-2 argc=1 comm=sh file=$T/no-such "
n=$(printf '%s\n' "$out" | grep -c '^exec_events: ')
check "three execs, got $n" [ "$n" -eq 3 ]
pids=$(printf '%s\n' "$out" | sed -n 's/^exec_events: pid=\([0-9]*\) .*/\1/p' | sort -u | wc -l)
check "the children's execs have their own pids ($pids distinct)" [ "$pids" -eq 3 ]

# syscount (raw tracepoints): the hist_usecs bar chart and the counts map.
out=$($B trace "$(dirname "$OBJ")/syscount.bpf.o" pinmaps "$T/root/sc" -- /bin/cat "$T/file.txt"); rc=$?
check "syscount run exits 0" [ $rc -eq 0 ]
check "histogram printed: $out" has "$out" "^ *usecs *: count *distribution\$"
check "histogram bars: $out" has "$out" " -> .*: [0-9]* *|\*"
check "counts map holds openat (257): $($B map dump pinned "$T/root/sc/counts" 2>&1 | head -5)" sh -c "$B -j map dump pinned '$T/root/sc/counts' | grep -q '\"key\":257'"

# pid PID: a running process (and the children it starts later).  The
# process runs cat every 0.1 s until told to stop, so the check does not
# depend on how fast bpfrt attaches.
/bin/sh -c "i=0; while [ ! -e $T/stop ] && [ \$i -lt 150 ]; do /bin/cat $T/file.txt >/dev/null; sleep 0.1; i=\$((i+1)); done" &
P=$!
$B trace "$OBJ" pid $P > "$T/pid.out" 2>&1 &
TP=$!
for i in $(seq 150); do grep -q "comm=cat fname=$T/file.txt\$" "$T/pid.out" && break; sleep 0.1; done
touch "$T/stop"
wait $TP; rc=$?
wait $P 2>/dev/null
check "pid run exits 0 ($rc): $(head -3 "$T/pid.out")" [ $rc -eq 0 ]
check "the later children's opens seen by pid" grep -q "comm=cat fname=$T/file.txt\$" "$T/pid.out"

# bpf_override_return at sys_exit replaces the result: sh's $PPID is 4242.
out=$($B trace "$(dirname "$OBJ")/trace_override.bpf.o" -- /bin/sh -c 'echo $PPID'); rc=$?
check "override at sys_exit: PPID '$out' ($rc)" [ "$out" = 4242 ] && [ $rc -eq 0 ]

# Bad input: a clear error, a non-zero exit.
bad() { # bad PATTERN ARGS...
	pat=$1; shift
	err=$($B "$@" 2>&1 >/dev/null); rc=$?
	if [ $rc -eq 0 ] || ! printf '%s' "$err" | grep -q "$pat"; then
		echo "FAIL: bpfrt $* -> rc $rc, '$err' (want /$pat/)"; fail=1
	fi
}
bad "unknown or incomplete keyword 'cat' (a command goes after '--')" trace "$OBJ" cat "$T/file.txt"
bad "expected '-- COMMAND" trace "$OBJ"
bad "no COMMAND after" trace "$OBJ" --
bad "can't open object '$T/nope.o'" trace "$T/nope.o" -- true
bad "not an ELF" trace "$T/file.txt" -- true
bad "cannot run the command: No such file" trace "$OBJ" -- "$T/no-such-command"
bad "no traced programs" trace pinned "$T/dir" -- true
bad "invalid pid" trace "$OBJ" pid abc
bad "no such process" trace "$OBJ" pid 999999999
bad "no global variable 'nope'" trace "$OBJ" set nope=1 -- true

[ $fail -eq 0 ] && echo ok
exit $fail
