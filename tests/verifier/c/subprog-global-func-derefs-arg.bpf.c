/* expect: reject */
/* why: a global function dereferencing an int argument (global functions are verified without the caller's knowledge) */
#include "corpus.h"
__attribute__((noinline)) int deref(long p) { return *(volatile int *)p; }
SEC("xdp") int prog(struct xdp_md *ctx)
{
	return deref(opaque(0L));
}
char LICENSE[] SEC("license") = "GPL";
