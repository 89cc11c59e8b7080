/* xdp_parse.c — an XDP parser with map lookups: the 2 KiB packet is read as
 * 32 frames of 64 bytes; each gets its Ethernet type, IPv4 header length,
 * protocol and source address parsed (bounds-checked as a verifier wants),
 * its flow looked up in a hash map (half the keys present) and a per-protocol
 * counter of an array map incremented.  The return value depends only on
 * the packet and the hash map's fixed contents, not on the counters. */
#include "bench_prog.h"

BENCH_PROG(xdp_parse)
{
	BENCH_PACKET(data);
	void *flows = BENCH_MAP(2), *counters = BENCH_MAP(1);
	u64 acc = 0;
	for (u32 f = 0; f < BENCH_PKT_LEN; f += 64) {
		const u8 *eth = data + f;
		u16 proto = (u16)(eth[12] << 8 | eth[13]);
		const u8 *ip = eth + 14;
		u32 ihl = (ip[0] & 0xf) * 4u;
		if (ihl < 20)
			ihl = 20;
		u32 key = proto & 1;
		if (ihl <= 40) { /* the options stay inside the frame */
			u32 src = (u32)ip[12] << 24 | (u32)ip[13] << 16 | (u32)ip[14] << 8 | ip[15];
			key = (src ^ ihl) & 1023;
		}
		u64 *v = bpf_map_lookup_elem(flows, &key);
		if (v)
			acc += *v;
		else
			acc ^= key;
		u32 c = ip[9];
		u64 *cnt = bpf_map_lookup_elem(counters, &c);
		if (cnt)
			__sync_fetch_and_add(cnt, 1);
	}
	return (int)(u32)(acc ^ (acc >> 32));
}
