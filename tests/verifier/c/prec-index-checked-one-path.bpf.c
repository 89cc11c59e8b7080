/* expect: reject */
/* unsafe: yes */
/* why: the index is bounded only when the packet is short; on the other path it is the raw random value, and after the join both reach the array access: pruning the second path needs the index precise */
#include "corpus.h"
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[64]);
} vals SEC(".maps");

SEC("xdp") int prog(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u8 *v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return XDP_PASS;
	__u64 idx = bpf_get_prandom_u32();
	if (ctx->data_end - ctx->data < 100)
		idx &= 63;
	else
		idx = opaque(idx);
	return v[opaque(idx)] ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
