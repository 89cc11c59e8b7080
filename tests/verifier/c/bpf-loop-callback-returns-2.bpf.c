/* expect: reject */
/* why: a bpf_loop callback must return 0 or 1 */
#include "corpus.h"
static int cb(__u32 i, void *ctx) { return 2; }
SEC("xdp") int prog(struct xdp_md *ctx)
{
	bpf_loop(10, cb, 0, 0);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
