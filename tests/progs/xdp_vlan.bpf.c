/* xdp_vlan.bpf.c — walk up to two VLAN tags (802.1Q, 802.1ad), record the
 * VLAN ids seen in a HASH, and rewrite the innermost tag's id to 42 in
 * place so the packet output differs; untagged frames are passed. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u32);
} vids SEC(".maps");

SEC("xdp")
int xdp_vlan(struct xdp_md *ctx)
{
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	struct ethhdr *eth = cursor_take(&c, sizeof(*eth));
	if (!eth)
		return XDP_DROP;
	__be16 proto = eth->h_proto;
	struct vlan_tag *last = 0;
	int depth = 0;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct vlan_tag *t = cursor_take(&c, sizeof(*t));
		if (!t)
			return XDP_DROP;
		__u16 vid = bpf_ntohs(t->tci) & 0x0fff;
		__u32 one = 1, *n = bpf_map_lookup_elem(&vids, &vid);
		if (n)
			*n += 1;
		else
			bpf_map_update_elem(&vids, &vid, &one, BPF_ANY);
		proto = t->proto;
		last = t;
		depth++;
	}
	if (last)
		last->tci = bpf_htons((bpf_ntohs(last->tci) & 0xf000) | 42);
	return depth == 2 ? XDP_TX : XDP_PASS;
}
