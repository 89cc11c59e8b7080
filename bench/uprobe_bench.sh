#!/bin/sh
# uprobe_bench.sh BUILD_DIR [N] — cost per uprobe hit, the two mechanisms
# side by side on one machine: the in-process agent (libbpfrt_agent.so,
# in the traced process) and ptrace breakpoints (bpfrt
# trace); the agent both ways: a jump to a generated trampoline, and int3.
# The traced program is tests/hooks/uprobe_target, which calls
# uprobe_target_add N times in a timed loop and prints ns per iteration;
# the probe program counts the calls in an array map.  Cost per hit = the
# loop's time per iteration with the probe minus without (best of 3 runs
# each); the count is checked to be exactly N.  Needs clang-19.
set -eu
B=${1:?usage: uprobe_bench.sh BUILD_DIR [N]}
N=${2:-20000}
BPFRT=$B/bpfrt
TARGET=$B/tests/hooks/uprobe_target
AGENT=$B/libbpfrt_agent.so
for f in "$BPFRT" "$TARGET" "$AGENT"; do
	[ -e "$f" ] || { echo "uprobe_bench: $f is missing (build bpfrt_tool, uprobe_target, bpfrt_agent)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/uprobe-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat > "$T/count.bpf.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } hits SEC(".maps");
SEC("uprobe//proc/self/exe:uprobe_target_add")
int count(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}
#ifdef RET
SEC("uretprobe//proc/self/exe:uprobe_target_add")
int count_ret(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}
#endif
C
clang-19 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$T/count.bpf.c" -o "$T/count.o"
clang-19 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -DRET -c "$T/count.bpf.c" -o "$T/count_ret.o"

best() { sort -n | head -1; }
base=$(for i in 1 2 3; do "$TARGET" "$N" time; done | best)

# Agent: programs pinned where the runtime keeps shared maps.  $1 = extra
# environment (BPFRT_AGENT_INT3=1: breakpoints instead of trampolines).
ROOT=${BPFRT_PIN_ROOT:-/run/bpfrt}
P=$ROOT/uprobe-bench-$$
run_agent() {
	for i in 1 2 3; do
		rm -rf "$P"
		"$BPFRT" prog loadall "$T/${4:-count}.o" "$P" pinmaps "$P/maps" >/dev/null
		env $1 BPFRT_AGENT_STRICT=1 BPFRT_AGENT_PROBES="$P/$2|${3:-uprobe}//proc/self/exe:uprobe_target_add" \
			LD_PRELOAD="$AGENT" "$TARGET" "$N" time
	done | best
}
tramp=$(run_agent BPFRT_AGENT_TRAMP=1 count)
hits=$("$BPFRT" -j map lookup pinned "$P/maps/hits" key 0 0 0 0 | sed -n 's/.*"value": *\([0-9]*\).*/\1/p')
uret=$(run_agent BPFRT_AGENT_TRAMP=1 count_ret uretprobe count_ret)
int3=$(run_agent BPFRT_AGENT_INT3=1 count)
rm -rf "$P"

# ptrace: bpfrt trace runs the uprobe programs of an object on a command.
if "$BPFRT" trace "$T/count.o" -- "$TARGET" 1 time >/dev/null 2>"$T/err"; then
	ptr=$(for i in 1 2 3; do "$BPFRT" trace "$T/count.o" -- "$TARGET" "$N" time | head -1; done | best)
else
	ptr=""
	echo "ptrace: skipped ($(head -1 "$T/err"))" >&2
fi

echo "uprobe cost per hit, N=$N calls (best of 3), $(date -u +%Y-%m-%d) $(uname -r) $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
printf '%-34s %12s %14s\n' "mechanism" "ns/iteration" "ns/hit"
printf '%-34s %12s %14s\n' "no probe" "$base" "-"
awk -v a="$tramp" -v b="$base" 'BEGIN { printf "%-34s %12s %14.0f\n", "agent, trampoline (jmp, no trap)", a, a - b }'
awk -v a="$uret" -v b="$base" 'BEGIN { printf "%-34s %12s %14.0f\n", "agent, uretprobe (tramp + stub)", a, a - b }'
awk -v a="$int3" -v b="$base" 'BEGIN { printf "%-34s %12s %14.0f\n", "agent, int3 + SIGTRAP", a, a - b }'
[ -n "$ptr" ] && awk -v a="$ptr" -v b="$base" 'BEGIN { printf "%-34s %12s %14.0f\n", "ptrace (bpfrt trace)", a, a - b }'
echo "hits counted by the trampoline runs' map: ${hits:-?} (want $N)"
