#!/bin/sh
# test_trace_policy.sh — enforcement with examples/policy.bpf.c under
# `bpfrt trace` (issue 11 item 2): writes under the protected directory
# (redirection, rm, mv, mkdir, truncate) fail with EPERM in the traced
# command and leave the file untouched, while reads and writes elsewhere
# work; an exec off the allow-list fails with EPERM (exit 126 from sh) or,
# with kill_on_deny, kills the process (SIGKILL: 137); every denial is
# reported.  Exits 77 where ptrace/seccomp are not permitted.
#   test_trace_policy.sh BPFRT OBJDIR
set -u
BPFRT=$1
OBJ=$2/policy.bpf.o
[ -r "$OBJ" ] || { echo "SKIP: $OBJ missing (no clang-19)"; exit 77; }
T=$(mktemp -d /tmp/bpfrt-trace-policy.XXXXXX)
trap 'rm -rf "$T"' EXIT
B="$BPFRT --pin-root $T/root"
fail=0
check() { d=$1; shift; if ! "$@"; then echo "FAIL: $d"; fail=1; fi; }
has() { printf '%s\n' "$1" | grep -q -- "$2"; }

mkdir "$T/prot" "$T/free"
echo original > "$T/prot/keep"
out=$($B trace "$OBJ" set protected_dir="$T/prot" -- /bin/sh -c "
	cat $T/prot/keep
	echo x > $T/prot/keep; echo write=\$?
	echo x >> $T/prot/keep; echo append=\$?
	rm $T/prot/keep; echo rm=\$?
	mv $T/prot/keep $T/free/moved; echo mv=\$?
	mkdir $T/prot/sub; echo mkdir=\$?
	truncate -s 0 $T/prot/keep; echo truncate=\$?
	echo y > $T/free/other; echo other=\$?
	echo y > $T/prot-not-under; echo sibling=\$?" 2>"$T/err"); rc=$?
if [ $rc -ne 0 ] && grep -q -e "ptrace" -e "seccomp" "$T/err"; then
	echo "SKIP: $(cat "$T/err")"; exit 77
fi
check "sh exits 0 ($rc): $(cat "$T/err")" [ $rc -eq 0 ]
check "the protected file can be read: $out" has "$out" "^original\$"
for op in write append rm mv mkdir truncate; do
	check "$op under the protected directory fails: $out" sh -c "printf '%s\n' '$out' | grep -qx '$op=[1-9][0-9]*'"
done
check "EPERM seen by the command: $(cat "$T/err")" grep -q "Operation not permitted" "$T/err"
check "file untouched" [ "$(cat "$T/prot/keep")" = original ]
check "nothing created or moved" [ ! -e "$T/prot/sub" ] && [ ! -e "$T/free/moved" ]
check "writes elsewhere work: $out" has "$out" "^other=0\$"
check "a sibling with the same prefix is not protected: $out" has "$out" "^sibling=0\$"
check "denials reported: $out" has "$out" "action=DENY_WRITE comm=sh path=$T/prot/keep\$"
check "rm's denial reported (unlinkat): $out" has "$out" "syscall=263 action=DENY_WRITE comm=rm"

# exec allow-list: EPERM, then kill_on_deny.
out=$($B trace "$OBJ" set allow_exec=/bin/sh,/bin/cat -- /bin/sh -c "/bin/cat $T/prot/keep; /bin/ls $T; echo ls=\$?" 2>"$T/err"); rc=$?
check "allowed exec runs: $out" has "$out" "^original\$"
check "exec off the list fails with 126: $out" has "$out" "^ls=126\$"
check "EPERM message: $(cat "$T/err")" grep -q "/bin/ls: Operation not permitted" "$T/err"
check "exec denial reported: $out" has "$out" "syscall=59 action=DENY_EXEC comm=sh path=/bin/ls\$"
out=$($B -j trace "$OBJ" set allow_exec=/bin/sh set kill_on_deny=1 -- /bin/sh -c "/bin/ls $T; echo ls=\$?" 2>/dev/null)
check "kill_on_deny kills the exec'ing process (137): $out" has "$out" "^ls=137\$"
check "the kill reported in JSON: $out" has "$out" '"action":"KILLED","comm":"sh","path":"/bin/ls"'
# The first command itself is checked too.
err=$($B trace "$OBJ" set allow_exec=/bin/true -- /bin/false 2>&1 >/dev/null); rc=$?
check "a command off the list does not start ($rc): $err" sh -c "[ $rc -ne 0 ] && printf '%s' '$err' | grep -q 'cannot run the command: Operation not permitted'"

[ $fail -eq 0 ] && echo ok
exit $fail
