/* expect: reject */
/* unsafe: yes */
/* why: the IPv4 header is read after checking only the Ethernet header */
#include "corpus.h"
SEC("xdp") int prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	return ip->ttl > 1 ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
