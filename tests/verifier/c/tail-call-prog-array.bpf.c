/* expect: accept */
/* why: bpf_tail_call through a BTF-defined prog array */
#include "corpus.h"
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } jt SEC(".maps");
SEC("xdp") int prog(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jt, 1);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
