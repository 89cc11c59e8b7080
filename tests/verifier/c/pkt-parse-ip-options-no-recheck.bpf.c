/* expect: reject */
/* unsafe: yes */
/* why: the L4 port read after a variable-length IP header without a new check */
#include "corpus.h"
SEC("xdp") int prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) + 4 > end)
		return XDP_PASS;
	__u32 hl = (ip->ihl & 0xf) * 4;
	__u16 *l4 = (void *)ip + hl;
	return *l4 == bpf_htons(53) ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
