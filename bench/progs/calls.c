/* calls.c — bpf-to-bpf calls: for each 8-byte word of the packet the entry
 * calls mix(), which calls rotmul(); both are real subprograms
 * (BPF_PSEUDO_CALL in eBPF, ordinary calls natively), so each word costs
 * two calls and two returns. */
#include "bench_prog.h"

BENCH_FN u64 mix(u64 acc, u64 w);
BENCH_FN u64 rotmul(u64 x, u32 r);

BENCH_PROG(calls)
{
	BENCH_PACKET(data);
	u64 acc = 0x243f6a8885a308d3ull;
	for (u32 i = 0; i < BENCH_PKT_LEN; i += 8)
		acc = mix(acc, *(const u64 *)(data + i));
	return (int)(u32)(acc ^ (acc >> 32));
}

BENCH_FN u64 mix(u64 acc, u64 w)
{
	return rotmul(acc ^ w, (u32)(w & 31) + 1) + 0x9e3779b97f4a7c15ull;
}

BENCH_FN u64 rotmul(u64 x, u32 r)
{
	x = (x << r) | (x >> (64 - r));
	return x * 0xff51afd7ed558ccdull;
}
