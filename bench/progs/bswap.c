/* bswap.c — byte-order-heavy code: every 8 bytes of the packet read as one
 * big-endian 64-bit, two 32-bit and four 16-bit fields (the way protocol
 * parsers do), combined with adds and xors.  In eBPF each swap is a
 * be16/be32/be64 instruction. */
#include "bench_prog.h"

BENCH_PROG(bswap)
{
	BENCH_PACKET(data);
	u64 acc = 0;
	u32 acc32 = 0;
	for (u32 i = 0; i < BENCH_PKT_LEN; i += 8) {
		const u8 *p = data + i;
		acc ^= __builtin_bswap64(*(const u64 *)p);
		acc32 += __builtin_bswap32(*(const u32 *)p) ^ __builtin_bswap32(*(const u32 *)(p + 4));
		acc32 += __builtin_bswap16(*(const u16 *)p) + __builtin_bswap16(*(const u16 *)(p + 2));
		acc32 ^= __builtin_bswap16(*(const u16 *)(p + 4)) + __builtin_bswap16(*(const u16 *)(p + 6));
	}
	return (int)(u32)(acc ^ (acc >> 32) ^ acc32);
}
