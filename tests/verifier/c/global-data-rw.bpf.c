/* expect: accept */
/* why: .bss / .data globals (array maps with direct value access) */
#include "corpus.h"
__u64 counter;
__u32 limit = 5;
SEC("xdp") int prog(struct xdp_md *ctx)
{
	if (++counter > limit)
		return XDP_DROP;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
