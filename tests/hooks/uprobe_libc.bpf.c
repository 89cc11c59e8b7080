/* uprobe_libc.bpf.c — a uprobe and a uretprobe on a shared library function
 * (libc.so.6:strtol, which uprobe_target calls once on argv[1]): the count,
 * the argument's first character and the return value, for
 * tests/hooks/test_uprobe_cli.sh (bpfrt trace and the agent). */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } hits SEC(".maps");
SEC("uprobe/libc.so.6:strtol")
int BPF_KPROBE(on_strtol, const char *s)
{
	__u32 k = 0; char c = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &k);
	if (v) __sync_fetch_and_add(v, 1);
	bpf_probe_read_user(&c, 1, s);
	k = 1; v = bpf_map_lookup_elem(&hits, &k);
	if (v) *v = c;
	return 0;
}
SEC("uretprobe/libc.so.6:strtol")
int BPF_KRETPROBE(on_strtol_ret, long ret)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&hits, &k);
	if (v) *v += ret << 8;
	return 0;
}
