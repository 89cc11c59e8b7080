/* expect: accept */
/* why: bpf_loop with a static callback summing into the caller's stack */
#include "corpus.h"
static int cb(__u32 i, __u64 *sum) { *sum += i; return 0; }
SEC("xdp") int prog(struct xdp_md *ctx)
{
	__u64 sum = 0;
	bpf_loop(10, cb, &sum, 0);
	return sum == 45 ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
