/* loop.c — a tight arithmetic loop: 1000 steps of a 64-bit LCG seeded from
 * the packet, folding the high bits into an accumulator.  Measures plain
 * ALU + loop-branch dispatch. */
#include "bench_prog.h"

BENCH_PROG(loop)
{
	BENCH_PACKET(data);
	u64 x = *(const u64 *)data, acc = 0;
	for (u32 i = 0; i < 1000; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		acc += (x >> 33) ^ i;
	}
	return (int)(u32)(acc ^ (acc >> 32));
}
