/* xdp_tcp_flags.bpf.c — read TCP flags through the bitfields of struct
 * tcphdr, keep a histogram of flag bytes, and drop SYNs to port 22 and
 * packets with both SYN and FIN set. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} flag_hist SEC(".maps");

SEC("xdp")
int xdp_tcp_flags(struct xdp_md *ctx)
{
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	struct ethhdr *eth = cursor_take(&c, sizeof(*eth));
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = cursor_take(&c, sizeof(*ip));
	if (!ip || ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return XDP_PASS;
	struct tcphdr *th = cursor_take(&c, sizeof(*th));
	if (!th)
		return XDP_DROP;
	__u32 flags = th->fin | th->syn << 1 | th->rst << 2 | th->psh << 3 | th->ack << 4 | th->urg << 5;
	__u32 *v = bpf_map_lookup_elem(&flag_hist, &flags);
	if (v)
		*v += 1;
	if (th->syn && th->fin)
		return XDP_DROP;
	if (th->syn && !th->ack && th->dest == bpf_htons(22))
		return XDP_DROP;
	return XDP_PASS;
}
