/* basic.c — helpers that need no maps: time, randomness, CPU id.
 *
 * Ids and meanings are the kernel's (enum bpf_func_id in <linux/bpf.h>).
 * bpfrt_helpers_register_defaults() also registers the other helper files.
 */
#define _GNU_SOURCE
#include "core/runtime.h"
#include "helpers/tracing.h"
#include "maps/map.h"

#include <stdlib.h>
#include <time.h>

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t h_ktime_get_ns(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
			       struct bpfrt_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)run;
	return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t h_ktime_get_boot_ns(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
				    struct bpfrt_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)run;
	return clock_ns(CLOCK_BOOTTIME);
}

static uint64_t h_ktime_get_coarse_ns(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
				      struct bpfrt_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)run;
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

/* Per-thread xorshift state: helpers may run on many threads at once. */
static uint64_t h_get_prandom_u32(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
				  struct bpfrt_run *run)
{
	static _Thread_local uint64_t s;
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)run;
	if (!s)
		s = clock_ns(CLOCK_MONOTONIC) | 1;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)(s >> 11);
}

static uint64_t h_get_smp_processor_id(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
				       uint64_t e, struct bpfrt_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)run;
	return bpfrt_current_cpu(bpfrt_possible_cpus());
}

void bpfrt_helpers_register_defaults(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_ktime_get_ns, "ktime_get_ns", h_ktime_get_ns);
	bpfrt_register_helper(rt, BPF_FUNC_get_prandom_u32, "get_prandom_u32", h_get_prandom_u32);
	bpfrt_register_helper(rt, BPF_FUNC_get_smp_processor_id, "get_smp_processor_id",
			      h_get_smp_processor_id);
	bpfrt_register_helper(rt, BPF_FUNC_ktime_get_boot_ns, "ktime_get_boot_ns",
			      h_ktime_get_boot_ns);
	bpfrt_register_helper(rt, BPF_FUNC_ktime_get_coarse_ns, "ktime_get_coarse_ns",
			      h_ktime_get_coarse_ns);
	bpfrt_helpers_register_maps(rt);
	bpfrt_helpers_register_trace(rt);
	bpfrt_helpers_register_strings(rt);
	bpfrt_helpers_register_current(rt);
	bpfrt_helpers_register_checksum(rt);
	bpfrt_helpers_register_probe(rt);
	bpfrt_helpers_register_callbacks(rt);
	bpfrt_helpers_register_packet(rt);
	bpfrt_helpers_register_tracing(rt);
}
