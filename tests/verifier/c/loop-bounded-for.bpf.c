/* expect: accept */
/* why: a bounded for loop over a packet-sized buffer on the stack */
#include "corpus.h"
SEC("xdp") int prog(struct xdp_md *ctx)
{
	volatile __u8 buf[64] = {};
	__u32 sum = 0;
	for (int i = 0; i < 64; i++)
		sum += buf[i];
	return sum ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
