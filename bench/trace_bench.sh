#!/bin/sh
# trace_bench.sh — cost per system call of a program under `bpfrt trace`
# (make bench-trace): bench/trace_loop's getppid (a syscall no program
# watches: the seccomp filter lets it through) and openat+close of
# /dev/null (watched) untraced, under examples/opensnoop (openat stops at
# entry and exit, two programs, a ring buffer record printed), under
# examples/policy (openat stops at entry only) and under examples/syscount
# (raw tracepoints: every syscall stops twice).  Best of RUNS runs.
#   trace_bench.sh BPFRT OBJDIR [N] [RUNS]
set -eu
BPFRT=$1 OBJ=$2 N=${3:-20000} RUNS=${4:-3}
T=$(mktemp -d /tmp/bpfrt-trace-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
${CC:-cc} -O2 -o "$T/trace_loop" "$(dirname "$0")/trace_loop.c"
best() { # best KIND CMD...: the lowest ns/call of RUNS runs
	kind=$1; shift
	b=
	for r in $(seq "$RUNS"); do
		v=$("$@" "$T/trace_loop" "$kind" "$N" 2>/dev/null | awk -v k="$kind" '$1 == k { print $3 }' | tail -1)
		if [ -z "$b" ] || [ "$v" -lt "$b" ]; then b=$v; fi
	done
	echo "$b"
}
none() { "$@"; }
tr() { obj=$1; shift; "$BPFRT" trace "$OBJ/$obj" -- "$@"; }
printf '%-34s %12s %12s\n' "setup" "getppid ns" "openat+close ns"
row() {
	name=$1; shift
	g=$(best getppid "$@"); o=$(best openat "$@")
	printf '%-34s %12s %12s\n' "$name" "$g" "$o"
}
row "untraced" none
row "opensnoop (openat enter+exit)" tr opensnoop.bpf.o
row "policy (openat enter only)" tr policy.bpf.o
row "syscount (raw: every syscall)" tr syscount.bpf.o
echo "N=$N per run, best of $RUNS; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"
