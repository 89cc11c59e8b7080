/* expect: accept */
/* why: a hash lookup checked for NULL, then incremented */
#include "corpus.h"
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } m SEC(".maps");
SEC("xdp") int prog(struct xdp_md *ctx)
{
	__u32 k = ctx->ingress_ifindex;
	__u64 *v = bpf_map_lookup_elem(&m, &k);
	if (!v)
		return XDP_PASS;
	__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
