/* xdp_pass.bpf.c — the smallest XDP program: count every packet and its
 * bytes in an ARRAY map and pass it on unchanged. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&stats, &k);
	if (v)
		*v += 1;
	k = 1;
	v = bpf_map_lookup_elem(&stats, &k);
	if (v)
		*v += ctx->data_end - ctx->data;
	return XDP_PASS;
}
