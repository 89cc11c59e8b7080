/* sys_loops.bpf.c — bounded loops the verifier must explore: a bubble
 * sort of 8 elements from ctx, a gcd with a data-dependent iteration count
 * (capped), and a CRC-32 over 16 bytes; results in .bss. */
#include "common.h"

struct args {
	__u32 v[8];
	__u32 g[2];
	__u8 bytes[16];
};

__u32 sorted[8];
__u32 gcd_res;
__u32 crc;

SEC("syscall")
int sys_loops(struct args *ctx)
{
	__u32 a[8];
	for (int i = 0; i < 8; i++)
		a[i] = ctx->v[i];
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 7 - i; j++)
			if (a[j] > a[j + 1]) {
				__u32 t = a[j];
				a[j] = a[j + 1];
				a[j + 1] = t;
			}
	for (int i = 0; i < 8; i++)
		sorted[i] = a[i];
	__u32 x = ctx->g[0], y = ctx->g[1];
	for (int i = 0; i < 64 && y; i++) {
		__u32 t = x % y;
		x = y;
		y = t;
	}
	gcd_res = x;
	__u32 c = 0xffffffff;
	for (int i = 0; i < 16; i++) {
		c ^= ctx->bytes[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & -(c & 1));
	}
	crc = ~c;
	return (int)crc;
}
