/* xdp_meta_tail.bpf.c — XDP metadata handed from one program to the next
 * through a tail call: the entry program reserves 8 bytes in front of the
 * packet with bpf_xdp_adjust_meta, writes a tag and the IPv4 protocol into
 * them and tail-calls the classifier through a PROG_ARRAY filled by the
 * object's initialiser; the classifier reads the metadata back (data_meta
 * is bounds-checked against data), copies the tag into the source MAC and
 * drops 4 bytes of metadata again.  Test runs return the metadata in
 * data_out in front of the packet.  The helper's refusals (misaligned,
 * past data, into the frame header) are recorded in .bss. */
#include "common.h"

struct meta {
	__u32 tag;
	__u8 proto;
	__u8 pad[3];
};

__s64 err_misaligned, err_past_data, err_too_big;
__u32 classified;

int xdp_meta_classify(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(void *));
} next SEC(".maps") = {
	.values = {[1] = (void *)&xdp_meta_classify},
};

SEC("xdp")
int xdp_meta_classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct meta *m = (void *)(long)ctx->data_meta;
	struct ethhdr *eth = data;
	if ((void *)(m + 1) > data || (void *)(eth + 1) > end)
		return XDP_ABORTED;
	__u8 proto = m->proto;
	classified++;
	eth->h_source[4] = m->tag >> 8;
	eth->h_source[5] = proto;
	if (bpf_xdp_adjust_meta(ctx, 4)) /* keep only the tag */
		return XDP_ABORTED;
	return proto == IPPROTO_TCP ? XDP_TX : XDP_PASS;
}

SEC("xdp")
int xdp_meta_tail(struct xdp_md *ctx)
{
	err_misaligned = bpf_xdp_adjust_meta(ctx, -6);
	err_past_data = bpf_xdp_adjust_meta(ctx, 4);
	err_too_big = bpf_xdp_adjust_meta(ctx, -256);
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct meta)))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct meta *m = (void *)(long)ctx->data_meta;
	struct ethhdr *eth = data;
	if ((void *)(m + 1) > data || (void *)(eth + 1) > end)
		return XDP_ABORTED;
	m->tag = 0xfeed0000 | bpf_ntohs(eth->h_proto);
	m->proto = 0;
	m->pad[0] = m->pad[1] = m->pad[2] = 0;
	struct iphdr *ip = (void *)(eth + 1);
	if (eth->h_proto == bpf_htons(ETH_P_IP) && (void *)(ip + 1) <= end)
		m->proto = ip->protocol;
	bpf_tail_call(ctx, &next, 1);
	return XDP_DROP;
}
