/* expect: reject */
/* unsafe: yes */
/* why: a map value's array indexed by a packet-controlled byte without a bound */
#include "corpus.h"
struct val { __u64 slot[8]; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct val); } m SEC(".maps");
SEC("xdp") int prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 k = 0;
	if (data + 1 > end)
		return XDP_PASS;
	struct val *v = bpf_map_lookup_elem(&m, &k);
	if (!v)
		return XDP_PASS;
	__u8 i = *(__u8 *)data;
	v->slot[i] = 1;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
