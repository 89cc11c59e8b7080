/* helpers.c — helper-heavy code: for each 16-byte slice of the packet,
 * bpf_map_update_elem of an array slot, bpf_map_lookup_elem of it back and
 * bpf_get_smp_processor_id (kept, not returned: it varies), so three helper
 * calls per 16 bytes and little work between them. */
#include "bench_prog.h"

BENCH_PROG(helpers)
{
	BENCH_PACKET(data);
	void *counters = BENCH_MAP(1);
	u64 acc = 0;
	for (u32 i = 0; i < BENCH_PKT_LEN; i += 16) {
		u32 key = data[i];
		u64 val = *(const u64 *)(data + i + 8);
		bpf_map_update_elem(counters, &key, &val, 0);
		u64 *v = bpf_map_lookup_elem(counters, &key);
		if (v)
			acc = acc * 31 + *v;
		u32 cpu = bpf_get_smp_processor_id();
		BENCH_KEEP(cpu);
	}
	return (int)(u32)(acc ^ (acc >> 32));
}
