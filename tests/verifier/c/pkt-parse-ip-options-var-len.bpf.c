/* expect: accept */
/* why: a variable-length IPv4 header (ihl * 4) re-checked before the L4 read */
#include "corpus.h"
SEC("xdp") int prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	__u32 hl = ip->ihl * 4;
	if (hl < sizeof(*ip))
		return XDP_DROP;
	__u16 *l4 = (void *)ip + hl;
	if ((void *)(l4 + 1) > end)
		return XDP_PASS;
	return *l4 == bpf_htons(53) ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
