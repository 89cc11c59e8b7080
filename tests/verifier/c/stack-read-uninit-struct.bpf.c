/* expect: accept */
/* why: reading an uninitialised stack struct is allowed for privileged loaders (CAP_PERFMON) */
#include "corpus.h"
struct s { __u64 a, b; };
SEC("xdp") int prog(struct xdp_md *ctx)
{
	struct s x;
	asm volatile("" : : "r"(&x) : "memory");
	return *(volatile __u64 *)&x.b & 1;
}
char LICENSE[] SEC("license") = "GPL";
