/* expect: accept */
/* why: a global (non-static) function, verified on its own with BTF argument types */
#include "corpus.h"
__attribute__((noinline)) int add3(int x) { return x + 3; }
SEC("xdp") int prog(struct xdp_md *ctx)
{
	return add3(opaque(0)) == 3 ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
