/* hash.c — MurmurHash3 (x86, 32-bit) over the 2 KiB packet, 4 bytes per
 * round: multiplies, rotates (shift pairs in eBPF) and xors. */
#include "bench_prog.h"

#define ROTL32(x, r) (((x) << (r)) | ((x) >> (32 - (r))))

BENCH_PROG(hash)
{
	BENCH_PACKET(data);
	u32 h = 0x9747b28c;
	for (u32 i = 0; i < BENCH_PKT_LEN; i += 4) {
		u32 k = *(const u32 *)(data + i);
		k *= 0xcc9e2d51;
		k = ROTL32(k, 15);
		k *= 0x1b873593;
		h ^= k;
		h = ROTL32(h, 13);
		h = h * 5 + 0xe6546b64;
	}
	h ^= BENCH_PKT_LEN;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return (int)h;
}
