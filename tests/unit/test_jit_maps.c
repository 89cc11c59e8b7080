/* test_jit_maps.c — the JIT's lowering of map helpers whose map it knows
 * (jit/map_consts.c, x86_64.c: array lookups inline, other families
 * called directly) against the interpreter's helper calls.
 *
 * Two runtimes, one on the JIT and one on the interpreter, get the same
 * maps and the same programs (loaded and verified through BPF_PROG_LOAD);
 * every test run's return value and the maps' contents afterwards must be
 * equal, and equal to the value the test expects.  Covered: array lookups
 * in range and out of range (NULL), strides that are and aren't powers of
 * two, per-CPU arrays, hash hits and misses, update/delete results
 * (-EPERM on BPF_F_RDONLY_PROG, -EINVAL deleting from an array), a map
 * held in a callee-saved register across a loop, a call reached with two
 * different maps (not specialised), and an embedder's own
 * map_lookup_elem (which must be called, not bypassed).
 */
#include "check.h"

#include "bpfrt/bpfrt.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <string.h>

#define INS(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define MOV_K(d, i) INS(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_X(d, s) INS(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_K(d, i) INS(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ADD_X(d, s) INS(BPF_ALU64 | BPF_ADD | BPF_X, d, s, 0, 0)
#define ST_W(d, o, i) INS(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define ST_DW(d, o, i) INS(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define LDX_W(d, s, o) INS(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define CALL(id) INS(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define JEQ_K(d, i, o) INS(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNE_K(d, i, o) INS(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JA(o) INS(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define EXIT() INS(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP(d, fd) INS(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_FD, 0, fd), INS(0, 0, 0, 0, 0)

enum { M_ARR12, M_ARR8, M_PCPU, M_HASH, M_RDONLY, M_COUNT };

struct side {
	struct bpfrt *rt;
	int fd[M_COUNT];
};

static uint64_t other_lookup(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct bpfrt_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)run;
	return 0; /* every lookup misses */
}

static int map_create(struct bpfrt *rt, uint32_t type, uint32_t value_size, uint32_t entries, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = 4, a.value_size = value_size, a.max_entries = entries;
	a.map_flags = flags;
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

static int map_update(struct bpfrt *rt, int fd, uint32_t key, const void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)&key, a.value = (uintptr_t)value;
	return bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

static int map_lookup(struct bpfrt *rt, int fd, uint32_t key, void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)&key, a.value = (uintptr_t)value;
	return bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
}

static int side_init(struct side *s, enum bpfrt_engine engine)
{
	struct bpfrt_opts ro = {.sz = sizeof(ro), .engine = engine};
	s->rt = bpfrt_new(&ro);
	if (!s->rt)
		return -1;
	s->fd[M_ARR12] = map_create(s->rt, BPF_MAP_TYPE_ARRAY, 12, 10, 0);
	s->fd[M_ARR8] = map_create(s->rt, BPF_MAP_TYPE_ARRAY, 8, 7, 0);
	s->fd[M_PCPU] = map_create(s->rt, BPF_MAP_TYPE_PERCPU_ARRAY, 8, 4, 0);
	s->fd[M_HASH] = map_create(s->rt, BPF_MAP_TYPE_HASH, 8, 64, 0);
	s->fd[M_RDONLY] = map_create(s->rt, BPF_MAP_TYPE_ARRAY, 8, 4, BPF_F_RDONLY_PROG);
	for (int m = 0; m < M_COUNT; m++)
		if (s->fd[m] < 0)
			return -1;
	uint8_t v[12 * 256];
	for (uint32_t k = 0; k < 10; k++) {
		uint32_t w[3] = {k * 1000 + 7, k + 100, k * 3 + 11};
		memcpy(v, w, 12);
		if (map_update(s->rt, s->fd[M_ARR12], k, v))
			return -1;
		uint64_t q = k * 77 + 5;
		if (k < 7 && map_update(s->rt, s->fd[M_ARR8], k, &q))
			return -1;
		if (k < 4 && map_update(s->rt, s->fd[M_RDONLY], k, &q))
			return -1;
		if (k % 2 == 0 && map_update(s->rt, s->fd[M_HASH], k, &q))
			return -1;
		uint64_t per[256];
		for (int c = 0; c < 256; c++)
			per[c] = q + 1;
		if (k < 4 && map_update(s->rt, s->fd[M_PCPU], k, per))
			return -1;
	}
	return 0;
}

/* Load insns (map placeholders: fd field = enum index) on side s and run
 * them once; the return value, or a value >= 1u<<31 on load errors. */
static uint32_t side_run(struct side *s, const struct bpf_insn *src, uint32_t cnt, char *log, size_t log_size)
{
	struct bpf_insn insns[64];
	memcpy(insns, src, cnt * sizeof(*insns));
	for (uint32_t i = 0; i < cnt; i++)
		if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && insns[i].src_reg == BPF_PSEUDO_MAP_FD)
			insns[i].imm = s->fd[insns[i].imm];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP, a.insns = (uintptr_t)insns, a.insn_cnt = cnt;
	a.license = (uintptr_t) "GPL", a.log_buf = (uintptr_t)log, a.log_size = (uint32_t)log_size, a.log_level = 1;
	log[0] = 0;
	int fd = bpfrt_bpf(s->rt, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0)
		return 0x80000000u | (uint32_t)-fd;
	uint8_t pkt[64] = {1};
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd, a.test.data_in = (uintptr_t)pkt, a.test.data_size_in = sizeof(pkt);
	int err = bpfrt_bpf(s->rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
	bpfrt_close(s->rt, fd);
	return err ? 0xc0000000u | (uint32_t)-err : a.test.retval;
}

/* Run on both sides: equal results, equal to want. */
static void both(struct side *jit, struct side *interp, const char *what, const struct bpf_insn *insns,
		 uint32_t cnt, uint32_t want)
{
	char log[4096];
	uint32_t j = side_run(jit, insns, cnt, log, sizeof(log));
	uint32_t i = side_run(interp, insns, cnt, log, sizeof(log));
	CHECK(j == i && j == want, "%s: jit %" PRIu32 " (0x%" PRIx32 "), interp %" PRIu32 ", want %" PRIu32 "%s%s",
	      what, j, j, i, want, log[0] ? "\n" : "", log);
}

/* r0 = value word `word` of map m at key, or 4242 on a miss. */
static void lookup_case(struct side *jit, struct side *interp, int m, int32_t key, int word, uint32_t want)
{
	const struct bpf_insn p[] = {
		ST_W(10, -4, key),
		LD_MAP(1, m),
		MOV_X(2, 10),
		ADD_K(2, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		JNE_K(0, 0, 2),
		MOV_K(0, 4242),
		EXIT(),
		LDX_W(0, 0, word * 4),
		EXIT(),
	};
	char what[64];
	snprintf(what, sizeof(what), "lookup map %d key %" PRId32 " word %d", m, key, word);
	both(jit, interp, what, p, sizeof(p) / sizeof(p[0]), want);
}

/* r0 = result of update (value 9) or delete of key in map m, + 1000. */
static void write_case(struct side *jit, struct side *interp, int m, int32_t key, bool del, int32_t want_err)
{
	const struct bpf_insn upd[] = {
		ST_W(10, -4, key),
		ST_DW(10, -16, 9),
		LD_MAP(1, m),
		MOV_X(2, 10),
		ADD_K(2, -4),
		MOV_X(3, 10),
		ADD_K(3, -16),
		MOV_K(4, BPF_ANY),
		CALL(BPF_FUNC_map_update_elem),
		ADD_K(0, 1000),
		EXIT(),
	};
	const struct bpf_insn dl[] = {
		ST_W(10, -4, key),
		LD_MAP(1, m),
		MOV_X(2, 10),
		ADD_K(2, -4),
		CALL(BPF_FUNC_map_delete_elem),
		ADD_K(0, 1000),
		EXIT(),
	};
	char what[64];
	snprintf(what, sizeof(what), "%s map %d key %" PRId32, del ? "delete" : "update", m, key);
	if (del)
		both(jit, interp, what, dl, sizeof(dl) / sizeof(dl[0]), (uint32_t)(1000 + want_err));
	else
		both(jit, interp, what, upd, sizeof(upd) / sizeof(upd[0]), (uint32_t)(1000 + want_err));
}

/* The map lives in r7 across a loop over keys 0, 3, 6, 9 (a join of the
 * loop's back edge with its entry): the sum of word 0 of ARR12. */
static void loop_case(struct side *jit, struct side *interp)
{
	const struct bpf_insn p[] = {
		LD_MAP(7, M_ARR12),
		MOV_K(6, 0), /* key */
		MOV_K(8, 0), /* sum */
		INS(BPF_STX | BPF_MEM | BPF_W, 10, 6, -4, 0),
		MOV_X(1, 7),
		MOV_X(2, 10),
		ADD_K(2, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		JEQ_K(0, 0, 2),
		LDX_W(1, 0, 0),
		ADD_X(8, 1),
		ADD_K(6, 3),
		INS(BPF_JMP | BPF_JLT | BPF_K, 6, 0, -10, 10),
		MOV_X(0, 8),
		EXIT(),
	};
	both(jit, interp, "map in r7 across a loop", p, sizeof(p) / sizeof(p[0]),
	     7 + 3007 + 6007 + 9007);
}

/* One call reached with ARR12 or ARR8 depending on the packet's first
 * byte (1): not a known map there; still ARR8's value. */
static void two_maps_case(struct side *jit, struct side *interp)
{
	const struct bpf_insn p[] = {
		INS(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0), /* r2 = ctx->data */
		INS(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 4, 0), /* r3 = ctx->data_end */
		MOV_X(4, 2),
		ADD_K(4, 1),
		INS(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 11, 0),
		INS(BPF_LDX | BPF_MEM | BPF_B, 4, 2, 0, 0),
		ST_W(10, -4, 2),
		LD_MAP(1, M_ARR12),
		JEQ_K(4, 0, 2),
		LD_MAP(1, M_ARR8),
		MOV_X(2, 10),
		ADD_K(2, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		JNE_K(0, 0, 2),
		MOV_K(0, 4242),
		EXIT(),
		LDX_W(0, 0, 0),
		EXIT(),
	};
	both(jit, interp, "two maps reach one call", p, sizeof(p) / sizeof(p[0]), 2 * 77 + 5);
}

int main(void)
{
	struct side jit, interp;
	if (side_init(&jit, BPFRT_ENGINE_JIT) || side_init(&interp, BPFRT_ENGINE_INTERP)) {
		printf("FAIL: setting up the maps: %s\n", strerror(errno));
		return 1;
	}
	for (int32_t k = -1; k <= 11; k++) {
		bool in = k >= 0 && k < 10;
		lookup_case(&jit, &interp, M_ARR12, k, 0, in ? (uint32_t)k * 1000 + 7 : 4242);
		lookup_case(&jit, &interp, M_ARR12, k, 2, in ? (uint32_t)k * 3 + 11 : 4242);
		lookup_case(&jit, &interp, M_ARR8, k, 0, k >= 0 && k < 7 ? (uint32_t)k * 77 + 5 : 4242);
		lookup_case(&jit, &interp, M_PCPU, k, 0, k >= 0 && k < 4 ? (uint32_t)k * 77 + 6 : 4242);
		lookup_case(&jit, &interp, M_HASH, k, 0, k >= 0 && k < 10 && k % 2 == 0 ? (uint32_t)k * 77 + 5 : 4242);
	}
	lookup_case(&jit, &interp, M_ARR12, INT32_MIN, 0, 4242);
	write_case(&jit, &interp, M_ARR8, 3, false, 0);
	write_case(&jit, &interp, M_ARR8, 7, false, -E2BIG);
	write_case(&jit, &interp, M_RDONLY, 1, false, -EPERM);
	write_case(&jit, &interp, M_RDONLY, 1, true, -EPERM);
	write_case(&jit, &interp, M_ARR8, 1, true, -EINVAL);
	write_case(&jit, &interp, M_HASH, 2, true, 0);
	write_case(&jit, &interp, M_HASH, 2, true, -ENOENT);
	write_case(&jit, &interp, M_HASH, 3, false, 0);
	lookup_case(&jit, &interp, M_ARR8, 3, 0, 9);
	lookup_case(&jit, &interp, M_HASH, 3, 0, 9);
	lookup_case(&jit, &interp, M_HASH, 2, 0, 4242);
	loop_case(&jit, &interp);
	two_maps_case(&jit, &interp);
	/* The maps' contents after the runs' writes are the same. */
	for (int m = 0; m < M_COUNT; m++)
		for (uint32_t k = 0; k < 10; k++) {
			uint8_t a[8 * 256], b[8 * 256];
			memset(a, 0, sizeof(a));
			memset(b, 0, sizeof(b));
			int ea = map_lookup(jit.rt, jit.fd[m], k, a), eb = map_lookup(interp.rt, interp.fd[m], k, b);
			CHECK(ea == eb && !memcmp(a, b, sizeof(a)), "map %d key %u differs after the runs", m, k);
		}
	/* An embedder's own map_lookup_elem is called, not bypassed. */
	CHECK(!bpfrt_register_helper(jit.rt, BPF_FUNC_map_lookup_elem, "my_lookup", other_lookup) &&
		      !bpfrt_register_helper(interp.rt, BPF_FUNC_map_lookup_elem, "my_lookup", other_lookup),
	      "register helper");
	lookup_case(&jit, &interp, M_ARR12, 1, 0, 4242);
	lookup_case(&jit, &interp, M_HASH, 4, 0, 4242);
	bpfrt_free(jit.rt);
	bpfrt_free(interp.rt);
	return CHECK_DONE();
}
