/* expect: accept */
/* why: 64 rounds of a loop whose body branches on packet-independent random bits; the counter is precise, the two accumulators decide nothing, so the body's joins prune (4^64 paths without precision tracking) */
#include "corpus.h"
SEC("xdp") int prog(struct xdp_md *ctx)
{
	__u32 seed = bpf_get_prandom_u32();
	__u64 a = 0, b = 0;
	for (int i = 0; i < 64; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		if (opaque(seed) & 1)
			a += i;
		else
			a ^= seed;
		if (opaque(seed) & 2)
			b += 3;
		else
			b -= seed;
	}
	return (a ^ b) & 1 ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
