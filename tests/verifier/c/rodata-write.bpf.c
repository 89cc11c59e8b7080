/* expect: reject */
/* why: a write to .rodata (a frozen, read-only map) */
#include "corpus.h"
const volatile __u32 cfg = 1;
SEC("xdp") int prog(struct xdp_md *ctx)
{
	*(volatile __u32 *)&cfg = 2;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
