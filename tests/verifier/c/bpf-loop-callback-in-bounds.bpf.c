/* expect: accept */
/* why: the callback indexes the caller's array with a masked counter */
#include "corpus.h"
struct acc { __u64 v[8]; };
static int cb(__u32 i, struct acc *a) { a->v[i & 7] = i; return 0; }
SEC("xdp") int prog(struct xdp_md *ctx)
{
	struct acc a = {};
	bpf_loop(10, cb, &a, 0);
	return a.v[0] ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
