/* bench_prog.h — the macro layer that lets each benchmark in bench/progs/
 * build twice from one source: as an eBPF XDP program (clang-19 -target bpf,
 * BENCH_BPF defined) and as a native function (gcc -O2, linked into
 * bpfrt_bench).  Programs read the packet through an XDP context whose
 * data/data_end are 32-bit; the runner keeps the packet below 4 GiB
 * (MAP_32BIT) so the same context works in bpfrt and natively, and the
 * kernel gets the very same instructions.
 *
 * Rule for BPF builds: everything lives in the one section "xdp" with the
 * entry function first, so the extracted section starts at the entry and
 * bpf-to-bpf calls need no relocation (extract.cmake checks both).
 */
#ifndef BENCH_PROG_H
#define BENCH_PROG_H

#ifdef BENCH_BPF
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
#else
#include <linux/bpf.h> /* struct xdp_md */
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#ifdef BENCH_BPF
/* The kernel's struct xdp_md, field for field. */
struct xdp_md {
	u32 data;
	u32 data_end;
	u32 data_meta;
	u32 ingress_ifindex;
	u32 rx_queue_index;
	u32 egress_ifindex;
};
#endif

/* Every benchmark's packet is this long (the runner provides it). */
#define BENCH_PKT_LEN 2048

#ifdef BENCH_BPF
#define BENCH_PROG(name) __attribute__((section("xdp"), used)) int bench_##name(struct xdp_md *ctx)
#define BENCH_FN static __attribute__((noinline, section("xdp")))
#else
#define BENCH_PROG(name) int bench_##name(struct xdp_md *ctx); int bench_##name(struct xdp_md *ctx)
#define BENCH_FN static __attribute__((noinline))
#endif

/* Maps and helpers.  The runner creates the same maps for every engine
 * (bench.h: BENCH_MAP_*): in eBPF a map is an lddw of the placeholder
 * 0x5eed0000 + n that the runner patches to BPF_PSEUDO_MAP_FD (so the
 * section still needs no relocation); natively it is the runner's C map,
 * and the helpers are out-of-line C functions (helper calls stay calls). */
#define BENCH_MAP_COUNTERS 1 /* array, u32 -> u64, 256 entries */
#define BENCH_MAP_FLOWS 2    /* hash, u32 -> u64, 1024 entries; keys 0, 2, 4, ..., 1022 present (value key * 3) */
#ifdef BENCH_BPF
#define BENCH_MAP(n)                                                          \
	({                                                                    \
		void *m_;                                                     \
		asm volatile("%0 = 0x5eed000" #n " ll" : "=r"(m_));          \
		m_;                                                           \
	})
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
static u32 (*bpf_get_smp_processor_id)(void) = (void *)8;
#else
extern void *bench_native_maps[3];
void *bpf_map_lookup_elem(void *map, const void *key);
long bpf_map_update_elem(void *map, const void *key, const void *value, u64 flags);
u32 bpf_get_smp_processor_id(void);
#define BENCH_MAP(n) (bench_native_maps[n])
#endif
/* Keep a value computed without using it (both compilers). */
#define BENCH_KEEP(x) asm volatile("" : : "r"(x))

/* The packet as a byte range, or return 0 when it is shorter than the
 * benchmark needs; after this the verifier knows BENCH_PKT_LEN bytes are
 * readable from `data`. */
#define BENCH_PACKET(data)                                                    \
	const u8 *data = (const u8 *)(unsigned long)ctx->data;                \
	do {                                                                  \
		if ((unsigned long)data + BENCH_PKT_LEN >                     \
		    (unsigned long)ctx->data_end)                             \
			return 0;                                             \
	} while (0)

#endif
