/* expect: reject */
/* why: a loop whose bound comes from the packet length and is never capped */
#include "corpus.h"
SEC("xdp") int prog(struct xdp_md *ctx)
{
	__u64 n = opaque((__u64)ctx->ingress_ifindex) * 1000, sum = 0;
	for (__u64 i = 0; i < n; i++)
		sum += opaque(i);
	return sum & 1;
}
char LICENSE[] SEC("license") = "GPL";
