/* usdt_trace.bpf.c — a USDT program with its target in the section, as
 * libbpf auto-attaches it: bpfrt_test:tick(int a, long b) of uprobe_target,
 * arguments through bpf_usdt_arg (BPF_USDT); st[0] counts calls with the
 * right arguments, st[1] the others.  For tests/hooks/test_uprobe_cli.sh. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } st SEC(".maps");
SEC("usdt//proc/self/exe:bpfrt_test:tick")
int BPF_USDT(tick, int a, long b)
{
	__u32 k = b == (long)a * 1000 ? 0 : 1;
	__u64 *v = bpf_map_lookup_elem(&st, &k);
	if (v) __sync_fetch_and_add(v, 1);
	return 0;
}
