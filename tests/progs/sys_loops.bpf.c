/* sys_loops.bpf.c — bounded loops the verifier must explore: min, max
 * and sum of 8 elements from ctx, a gcd with a data-dependent iteration count
 * (capped), and a Fletcher-style checksum over 16 bytes; results in .bss. */
#include "common.h"

struct args {
	__u32 v[8];
	__u32 g[2];
	__u8 bytes[16];
};

__u32 stats[3];
__u32 gcd_res;
__u32 crc;

SEC("syscall")
int sys_loops(struct args *uctx)
{
	/* ctx may only be read at constant offsets: work on a copy */
	struct args copy;
	__builtin_memcpy(&copy, uctx, sizeof(copy));
	struct args *ctx = &copy;
	__u32 lo = 0xffffffff, hi = 0, sum = 0;
	for (int i = 0; i < 8; i++) {
		__u32 v = ctx->v[i];
		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
		sum += v;
	}
	stats[0] = lo;
	stats[1] = hi;
	stats[2] = sum;
	/* Fletcher-style sums (a bit-serial CRC-32 makes the kernel's
	 * verifier explore past its 1M instruction limit) */
	__u32 c1 = 0, c2 = 0;
	for (int i = 0; i < 16; i++) {
		c1 = (c1 + ctx->bytes[i]) & 0xffff;
		c2 = (c2 + c1 * (i + 1)) & 0xffff;
	}
	crc = c2 << 16 | c1;
	__u32 x = ctx->g[0], y = ctx->g[1];
	for (int i = 0; i < 64 && y; i++) {
		__u32 t = x % y;
		x = y;
		y = t;
	}
	gcd_res = x;
	return (int)(crc ^ x);
}
