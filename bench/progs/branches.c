/* branches.c — data-dependent branches: each of the 2048 (random) packet
 * bytes picks one of four arms, then a second test on it and its
 * predecessor counts "high" pairs.  The outcomes follow the data, so a
 * branch predictor cannot learn them.  (No loop-carried counter is ever
 * compared: that would make the kernel verifier walk every value.) */
#include "bench_prog.h"

BENCH_PROG(branches)
{
	BENCH_PACKET(data);
	u32 a = 0, b = 0, c = 0, d = 0, pairs = 0, prev = 0;
	for (u32 i = 0; i < BENCH_PKT_LEN; i++) {
		u32 x = data[i];
		if (x < 64)
			a += x;
		else if (x < 128)
			b ^= x << (x & 7);
		else if (x < 192)
			c += x * 3;
		else
			d -= x;
		if (x & 0x80) {
			if (prev & 0x80)
				pairs++;
		} else if (x > prev) {
			d ^= x;
		}
		prev = x;
	}
	return (int)(a ^ (b << 1) ^ (c << 2) ^ (d << 3) ^ (pairs << 20));
}
