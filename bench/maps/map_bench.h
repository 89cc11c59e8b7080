/* map_bench.h — shared by the map benchmark runner (map_bench.c), its two
 * bpf() back ends (sides.c: bpfrt_bpf and the host kernel's syscall) and the
 * eBPF programs it assembles (map_progs.c).  Both sides are driven through
 * the same union bpf_attr, so every case runs identical requests on each.
 */
#ifndef BPFRT_MAP_BENCH_H
#define BPFRT_MAP_BENCH_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpfrt;

/* One implementation of bpf(2): bpfrt's (rt != NULL) or the kernel's. */
struct side {
	const char *name;
	struct bpfrt *rt;
};

/* bpf(cmd, attr, size) on this side: >= 0 or a negative errno. */
int side_bpf(const struct side *s, int cmd, union bpf_attr *attr, unsigned int size);
int side_close(const struct side *s, int fd);

int side_map_create(const struct side *s, uint32_t type, uint32_t key_size, uint32_t value_size,
		    uint32_t max_entries, uint32_t flags, const char *name);
/* One element by MAP_LOOKUP_ELEM / MAP_UPDATE_ELEM (flags BPF_ANY). */
int side_lookup(const struct side *s, int fd, const void *key, void *value);
int side_update(const struct side *s, int fd, const void *key, const void *value);
/* count elements through MAP_UPDATE_BATCH, in chunks. */
int side_update_batch(const struct side *s, int fd, const void *keys, uint32_t key_size,
		      const void *values, uint32_t value_size, uint32_t count);
/* Load insns as a SCHED_CLS program (not XDP: the kernel's XDP test run
 * with repeat > 1 swaps the program into the XDP dispatcher and out again
 * on every call, milliseconds of text patching that would swamp a
 * single-threaded wall-clock measurement).  On failure the verifier's log
 * goes to stderr. */
int side_prog_load(const struct side *s, const char *name, const struct bpf_insn *insns,
		   uint32_t cnt);
/* BPF_PROG_TEST_RUN with repeat on pkt; the 32-bit retval in *retval. */
int side_test_run(const struct side *s, int prog_fd, const void *pkt, uint32_t pkt_len,
		  uint32_t repeat, uint32_t *retval);

/* ---- the programs (map_progs.c) ----------------------------------------- */

/* The key streams: a 64-bit LCG whose high half is the raw key, the same
 * in the programs and in the application-side loops. */
#define LCG_MUL 6364136223846793005ull
#define LCG_ADD 1442695040888963407ull
static inline uint32_t lcg_next(uint64_t *state)
{
	*state = *state * LCG_MUL + LCG_ADD;
	return (uint32_t)(*state >> 32);
}

/* The packet every test run gets: the thread's slot in the state map
 * (a u32) at this offset. */
#define PKT_LEN 64
#define PKT_TID_OFF 16

enum prog_op {
	PROG_LOOP,   /* key generation only: the loop's own cost */
	PROG_LOOKUP, /* bpf_map_lookup_elem, sum the u64 values found */
	PROG_UPDATE, /* bpf_map_update_elem(BPF_ANY), count the successes */
};

enum key_kind {
	KEY_U32_MASK, /* key = raw & mask (array, hash) */
	KEY_LPM_ADDR, /* key = {32, raw}: an IPv4 address (LPM lookups) */
	KEY_LPM_TABLE, /* key = keys_map[raw & mask]: an existing prefix (LPM updates) */
};

struct prog_spec {
	enum prog_op op;
	enum key_kind key;
	uint32_t mask;
	int map_fd;   /* the map under test */
	int state_fd; /* ARRAY of per-thread LCG states (u64 at offset 0) */
	int keys_fd;  /* KEY_LPM_TABLE: ARRAY of 8-byte LPM keys */
	uint32_t n_ops; /* operations per run */
};

/* Assemble the program into insns (at least PROG_MAX_INSNS); returns the
 * instruction count. */
#define PROG_MAX_INSNS 64
uint32_t prog_build(const struct prog_spec *spec, struct bpf_insn *insns);

#endif
