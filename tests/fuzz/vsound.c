/* vsound.c — program generator and checked-mode runner for verifier
 * soundness fuzzing (see vsound.h). */
#define _GNU_SOURCE
#include "vsound.h"

#include <errno.h>
#include <linux/bpf_perf_event.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bpfrt/asm.h"
#include "core/pkt_ctx.h"
#include "core/prog.h"
#include "maps/map.h"
#include "verifier/ctx_table.h"
#include "vm/vm.h"

/* ---- maps ---------------------------------------------------------------- */

enum { M_ARRAY, M_HASH, M_RINGBUF, M_GLOBAL, NR_MAPS };
static const struct {
	uint32_t type, key, value, entries;
	const char *spec;
} map_defs[NR_MAPS] = {
	[M_ARRAY] = {BPF_MAP_TYPE_ARRAY, 4, 48, 4, "array 4 48 4"},
	[M_HASH] = {BPF_MAP_TYPE_HASH, 8, 32, 64, "hash 8 32 64"},
	[M_RINGBUF] = {BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, "ringbuf 0 0 4096"},
	[M_GLOBAL] = {BPF_MAP_TYPE_ARRAY, 4, 8, 1, "array 4 8 1"},
};

#define MAX_RECORDS 16
#define PAGE 4096
#define PKT_OFF 256
#define INSN_BUDGET (1u << 22)

struct vs {
	struct bpfrt *rt;
	int map_fds[NR_MAPS];
	struct bpfrt_map *maps[NR_MAPS];
	struct bpfrt_ringbuf *rb;
	uint8_t *page; /* below 4 GiB: the 32-bit packet fields hold real addresses */
	uint8_t *ctx_buf; /* 64 KiB, for context-only program types */
	struct vs_stats st;
	/* The run in progress (helper wrappers) */
	const struct vs_prog *cur;
	void *records[MAX_RECORDS];
	uint32_t nr_records;
	char misuse[256];
	bpfrt_helper_fn orig[BPFRT_MAX_HELPERS];
};

static struct vs *g_vs; /* for the helper wrappers (one runtime per process) */

static void misuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void misuse(const char *fmt, ...)
{
	if (g_vs->misuse[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g_vs->misuse, sizeof(g_vs->misuse), fmt, ap);
	va_end(ap);
}

static struct bpfrt_map *own_map(struct bpfrt_run *run, uint64_t r1)
{
	const struct bpfrt_prog *p = run->prog ? run->prog->owner : NULL;
	struct bpfrt_map *m = (struct bpfrt_map *)(uintptr_t)r1;
	return p && bpfrt_prog_uses_map(p, m) ? m : NULL;
}

static bool mem_ok(struct bpfrt_run *run, uint64_t ptr, uint64_t size, bool write)
{
	return size == 0 || bpfrt_run_access_ok(run, (const void *)(uintptr_t)ptr, (size_t)size, write);
}

/* ---- helper wrappers: check the arguments, then call the real helper ---- */

#define WRAP(name, id, body)                                                                        \
	static uint64_t name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,       \
			     struct bpfrt_run *run)                                                 \
	{                                                                                           \
		(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;                                   \
		body;                                                                               \
		return g_vs->orig[id](r1, r2, r3, r4, r5, run);                                     \
	}

WRAP(w_lookup, BPF_FUNC_map_lookup_elem, {
	struct bpfrt_map *m = own_map(run, r1);
	if (!m)
		misuse("map_lookup_elem: r1 0x%llx is not a map of the program", (unsigned long long)r1);
	else if (!mem_ok(run, r2, m->key_size, false))
		misuse("map_lookup_elem: key r2 0x%llx (%u bytes) outside the run's memory",
		       (unsigned long long)r2, m->key_size);
})
WRAP(w_delete, BPF_FUNC_map_delete_elem, {
	struct bpfrt_map *m = own_map(run, r1);
	if (!m)
		misuse("map_delete_elem: r1 0x%llx is not a map of the program", (unsigned long long)r1);
	else if (!mem_ok(run, r2, m->key_size, false))
		misuse("map_delete_elem: key r2 outside the run's memory");
})
WRAP(w_update, BPF_FUNC_map_update_elem, {
	struct bpfrt_map *m = own_map(run, r1);
	if (!m)
		misuse("map_update_elem: r1 0x%llx is not a map of the program", (unsigned long long)r1);
	else if (!mem_ok(run, r2, m->key_size, false))
		misuse("map_update_elem: key r2 outside the run's memory");
	else if (!mem_ok(run, r3, m->value_size, false))
		misuse("map_update_elem: value r3 (%u bytes) outside the run's memory", m->value_size);
})
WRAP(w_rb_output, BPF_FUNC_ringbuf_output, {
	struct bpfrt_map *m = own_map(run, r1);
	if (!m || m->type != BPF_MAP_TYPE_RINGBUF)
		misuse("ringbuf_output: r1 is not a ring buffer of the program");
	else if (!mem_ok(run, r2, r3, false))
		misuse("ringbuf_output: data r2 (%llu bytes) outside the run's memory", (unsigned long long)r3);
})
WRAP(w_probe_read, BPF_FUNC_probe_read_kernel, {
	if (!mem_ok(run, r1, (uint32_t)r2, true))
		misuse("probe_read_kernel: dst r1 (%u bytes) outside the run's writable memory", (uint32_t)r2);
})
WRAP(w_comm, BPF_FUNC_get_current_comm, {
	if (!mem_ok(run, r1, (uint32_t)r2, true))
		misuse("get_current_comm: dst r1 (%u bytes) outside the run's writable memory", (uint32_t)r2);
})
WRAP(w_skb_load_bytes, BPF_FUNC_skb_load_bytes, {
	if (!mem_ok(run, r3, (uint32_t)r4, true))
		misuse("skb_load_bytes: dst r3 (%u bytes) outside the run's writable memory", (uint32_t)r4);
})
WRAP(w_csum_diff, BPF_FUNC_csum_diff, {
	if (!mem_ok(run, r1, (uint32_t)r2, false) || !mem_ok(run, r3, (uint32_t)r4, false))
		misuse("csum_diff: from/to buffer outside the run's memory");
})

static uint64_t w_rb_reserve(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			     struct bpfrt_run *run)
{
	struct bpfrt_map *m = own_map(run, r1);
	if (!m || m->type != BPF_MAP_TYPE_RINGBUF)
		misuse("ringbuf_reserve: r1 is not a ring buffer of the program");
	if (g_vs->nr_records == MAX_RECORDS)
		return 0; /* as a full ring */
	uint64_t rec = g_vs->orig[BPF_FUNC_ringbuf_reserve](r1, r2, r3, r4, r5, run);
	if (rec)
		g_vs->records[g_vs->nr_records++] = (void *)(uintptr_t)rec;
	return rec;
}

static uint64_t rb_release(int id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct bpfrt_run *run)
{
	for (uint32_t i = 0; i < g_vs->nr_records; i++) {
		if (g_vs->records[i] == (void *)(uintptr_t)r1) {
			g_vs->records[i] = g_vs->records[--g_vs->nr_records];
			return g_vs->orig[id](r1, r2, r3, r4, r5, run);
		}
	}
	misuse("%s: r1 0x%llx is not a record the program holds", id == BPF_FUNC_ringbuf_submit ? "ringbuf_submit" : "ringbuf_discard",
	       (unsigned long long)r1);
	return 0;
}

static uint64_t w_rb_submit(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
	return rb_release(BPF_FUNC_ringbuf_submit, r1, r2, r3, r4, r5, run);
}

static uint64_t w_rb_discard(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfrt_run *run)
{
	return rb_release(BPF_FUNC_ringbuf_discard, r1, r2, r3, r4, r5, run);
}

static int sample_fn(void *ctx, void *data, size_t size)
{
	(void)ctx, (void)data, (void)size;
	return 0;
}

static void wrap(struct vs *vs, uint32_t id, bpfrt_helper_fn fn)
{
	vs->orig[id] = vs->rt->helpers[id].fn;
	vs->rt->helpers[id].fn = fn;
}

static int sys(struct vs *vs, int cmd, union bpf_attr *a)
{
	return bpfrt_bpf(vs->rt, cmd, a, sizeof(*a));
}

struct vs *vs_new(void)
{
	struct vs *vs = calloc(1, sizeof(*vs));
	if (!vs)
		return NULL;
	g_vs = vs;
	vs->rt = bpfrt_new(NULL);
	vs->page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vs->ctx_buf = malloc(65536);
	if (!vs->rt || vs->page == MAP_FAILED || !vs->ctx_buf)
		goto fail;
	for (int i = 0; i < NR_MAPS; i++) {
		union bpf_attr a = {0};
		a.map_type = map_defs[i].type;
		a.key_size = map_defs[i].key;
		a.value_size = map_defs[i].value;
		a.max_entries = map_defs[i].entries;
		vs->map_fds[i] = sys(vs, BPF_MAP_CREATE, &a);
		if (vs->map_fds[i] < 0)
			goto fail;
		int err = 0;
		struct bpfrt_obj *o = bpfrt_fd_get(vs->rt, vs->map_fds[i], BPFRT_OBJ_MAP, &err);
		if (!o)
			goto fail;
		vs->maps[i] = bpfrt_map_from_obj(o);
		bpfrt_obj_put(o); /* the fd keeps it */
	}
	vs->rb = bpfrt_ringbuf_new(vs->rt, vs->map_fds[M_RINGBUF], sample_fn, NULL);
	if (!vs->rb)
		goto fail;
	wrap(vs, BPF_FUNC_map_lookup_elem, w_lookup);
	wrap(vs, BPF_FUNC_map_update_elem, w_update);
	wrap(vs, BPF_FUNC_map_delete_elem, w_delete);
	wrap(vs, BPF_FUNC_ringbuf_output, w_rb_output);
	wrap(vs, BPF_FUNC_ringbuf_reserve, w_rb_reserve);
	wrap(vs, BPF_FUNC_ringbuf_submit, w_rb_submit);
	wrap(vs, BPF_FUNC_ringbuf_discard, w_rb_discard);
	wrap(vs, BPF_FUNC_probe_read_kernel, w_probe_read);
	wrap(vs, BPF_FUNC_get_current_comm, w_comm);
	wrap(vs, BPF_FUNC_skb_load_bytes, w_skb_load_bytes);
	wrap(vs, BPF_FUNC_csum_diff, w_csum_diff);
	return vs;
fail:
	vs_free(vs);
	return NULL;
}

void vs_free(struct vs *vs)
{
	if (!vs)
		return;
	if (vs->rb)
		bpfrt_ringbuf_free(vs->rb);
	if (vs->rt)
		bpfrt_free(vs->rt);
	if (vs->page && vs->page != MAP_FAILED)
		munmap(vs->page, PAGE);
	free(vs->ctx_buf);
	if (g_vs == vs)
		g_vs = NULL;
	free(vs);
}

const struct vs_stats *vs_stats(const struct vs *vs)
{
	return &vs->st;
}

/* ---- the generator --------------------------------------------------------- */

struct gen {
	const uint8_t *p;
	size_t n, i;
	struct vs_prog *out;
	uint32_t type;
	bool pkt;       /* direct packet access */
	uint32_t ctx_size;
	uint16_t defined; /* registers believed initialised */
	uint16_t ptr;     /* registers believed to hold pointers */
	/* forward jumps to later snippets: patched at the end */
	struct {
		uint32_t at, snippet;
	} fwd[128];
	uint32_t nr_fwd;
	uint32_t snip_start[80];
	uint16_t in_mask[88]; /* registers initialised on every jump into a snippet */
	uint32_t nr_snip;
	uint16_t here_mask[VS_MAX_INSNS]; /* at each skip-to-here jump */
};

#define ROOM 24 /* instructions a snippet may take at most */

static uint32_t by(struct gen *g)
{
	return g->i < g->n ? g->p[g->i++] : 0;
}

static uint32_t pick(struct gen *g, uint32_t n)
{
	return n ? by(g) % n : 0;
}

static uint32_t u16r(struct gen *g)
{
	return by(g) | by(g) << 8;
}

static uint32_t u32r(struct gen *g)
{
	return u16r(g) | u16r(g) << 16;
}

static void emit(struct gen *g, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (g->out->cnt >= VS_MAX_INSNS)
		return;
	g->out->insns[g->out->cnt++] = (struct bpf_insn){.code = code, .dst_reg = dst & 15, .src_reg = src & 15,
							  .off = off, .imm = imm};
	uint8_t cls = BPF_CLASS(code);
	uint16_t d = (uint16_t)(1u << (dst & 15));
	if ((cls == BPF_ALU64 || cls == BPF_ALU) && BPF_OP(code) == BPF_MOV) {
		g->ptr &= (uint16_t)~d;
		if (cls == BPF_ALU64 && BPF_SRC(code) == BPF_X && !off && (g->ptr >> (src & 15) & 1))
			g->ptr |= d;
	} else if (cls == BPF_LDX || (cls == BPF_LD && BPF_MODE(code) == BPF_IMM && src == 0)) {
		g->ptr &= (uint16_t)~d;
	} else if (cls == BPF_JMP && BPF_OP(code) == BPF_CALL) {
		g->ptr &= (uint16_t)~0x3fu;
	}
}

static void lddw(struct gen *g, uint8_t dst, uint8_t src, uint64_t v)
{
	emit(g, BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, (int32_t)(uint32_t)v);
	emit(g, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

static void ld_map(struct gen *g, uint8_t dst, int map)
{
	lddw(g, dst, BPF_PSEUDO_MAP_IDX, (uint32_t)map);
	g->defined |= 1u << dst;
}

static const int32_t interesting[] = {0, 1, 2, 3, 4, 7, 8, 14, 15, 16, 31, 32, 47, 48, 63, 64, 255, 256, 511, 512, 1500,
				      -1, -2, -4, -8, -16, -512, 0x7fff, 0xffff, 0x7fffffff, (int32_t)0x80000000,
				      (int32_t)0xffff0000, 0x10000, 12, 20, 24, 40};

static int32_t imm(struct gen *g)
{
	uint32_t k = by(g);
	if (k < 160)
		return interesting[k % (sizeof(interesting) / sizeof(interesting[0]))];
	if (k < 230)
		return (int32_t)(int8_t)by(g);
	return (int32_t)u32r(g);
}

/* A scalar register (r0..r5, r9), preferring initialised ones. */
static uint8_t sreg(struct gen *g)
{
	static const uint8_t regs[] = {0, 1, 2, 3, 4, 5, 9};
	uint32_t k = by(g);
	for (int t = 0; t < 7; t++) {
		uint8_t r = regs[(k + t) % 7];
		if (((g->defined & ~g->ptr) >> r & 1) || k >= 252)
			return r;
	}
	return regs[k % 7];
}

static uint8_t any_reg(struct gen *g)
{
	uint32_t k = by(g);
	if (k < 200)
		return sreg(g);
	for (int t = 0; t < 11; t++)
		if (g->defined >> ((k + t) % 11) & 1)
			return (uint8_t)((k + t) % 11);
	return 10;
}

static const uint8_t sizes[4] = {BPF_B, BPF_H, BPF_W, BPF_DW};

static const uint8_t jops[] = {BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT,
			       BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE};

/* Conditional jump on a scalar, forward to a later snippet. */
static void jump_fwd(struct gen *g, uint8_t reg)
{
	uint8_t cls = by(g) < 200 ? BPF_JMP : BPF_JMP32;
	uint8_t op = jops[pick(g, sizeof(jops))];
	if (g->nr_fwd >= 128)
		return;
	g->fwd[g->nr_fwd].at = g->out->cnt;
	g->fwd[g->nr_fwd].snippet = g->nr_snip + 1 + pick(g, 4);
	if (g->fwd[g->nr_fwd].snippet < 88)
		g->in_mask[g->fwd[g->nr_fwd].snippet] &= g->defined;
	g->nr_fwd++;
	if (by(g) < 180)
		emit(g, cls | op | BPF_K, reg, 0, 0, imm(g));
	else
		emit(g, cls | op | BPF_X, reg, sreg(g), 0, 0);
}

/* Skip-to-here jumps inside a snippet. */
static uint32_t jmp_here_begin(struct gen *g, uint8_t code, uint8_t dst, uint8_t src, int32_t k)
{
	uint32_t at = g->out->cnt;
	emit(g, code, dst, src, 0, k);
	if (at < VS_MAX_INSNS)
		g->here_mask[at] = g->defined;
	return at;
}

static void jmp_here_end(struct gen *g, uint32_t at)
{
	if (at < g->out->cnt) {
		g->out->insns[at].off = (int16_t)(g->out->cnt - at - 1);
		g->defined &= g->here_mask[at];
	}
}

/* A memory access through base (+off): load, store imm, store reg or atomic. */
static void access(struct gen *g, uint8_t base, int16_t off)
{
	uint8_t sz = sizes[pick(g, 4)];
	uint32_t k = by(g);
	if (k < 110) {
		uint8_t dst = sreg(g);
		uint8_t mode = by(g) < 230 ? BPF_MEM : BPF_MEMSX;
		if (mode == BPF_MEMSX && sz == BPF_DW)
			sz = BPF_W;
		emit(g, BPF_LDX | mode | sz, dst, base, off, 0);
		g->defined |= 1u << dst;
	} else if (k < 170) {
		emit(g, BPF_ST | BPF_MEM | sz, base, 0, off, imm(g));
	} else if (k < 235) {
		emit(g, BPF_STX | BPF_MEM | sz, base, any_reg(g), off, 0);
	} else {
		static const int32_t aops[] = {BPF_ADD, BPF_ADD | BPF_FETCH, BPF_OR, BPF_AND | BPF_FETCH, BPF_XOR,
					       BPF_XCHG, BPF_CMPXCHG};
		int32_t op = aops[pick(g, 7)];
		uint8_t src = sreg(g);
		emit(g, BPF_STX | BPF_ATOMIC | (by(g) & 1 ? BPF_DW : BPF_W), base, src, off, op);
		if (op & BPF_FETCH)
			g->defined |= op == BPF_CMPXCHG ? 1u : 1u << src;
	}
}

/* An offset near `limit` (the edge of a region of that size). */
static int16_t edge_off(struct gen *g, int32_t limit)
{
	uint32_t k = by(g);
	if (k < 150)
		return (int16_t)((k % (limit > 0 ? limit : 1)) & ~7);
	if (k < 230)
		return (int16_t)(limit - 1 - (int32_t)(k % 9) + 1);
	return (int16_t)(int8_t)by(g);
}

static void ctx_offs(struct gen *g, int16_t *data, int16_t *data_end, int16_t *meta)
{
	if (g->type == BPF_PROG_TYPE_XDP) {
		*data = offsetof(struct xdp_md, data);
		*data_end = offsetof(struct xdp_md, data_end);
		*meta = offsetof(struct xdp_md, data_meta);
	} else {
		*data = offsetof(struct __sk_buff, data);
		*data_end = offsetof(struct __sk_buff, data_end);
		*meta = offsetof(struct __sk_buff, data_meta);
	}
}

static int16_t ctx_field_off(struct gen *g)
{
	uint32_t k = by(g);
	if (k >= 200)
		return (int16_t)(pick(g, g->ctx_size + 16));
	if (g->type == BPF_PROG_TYPE_XDP)
		return (int16_t)(4 * (k % 6));
	if (g->type == BPF_PROG_TYPE_SOCKET_FILTER || g->type == BPF_PROG_TYPE_SCHED_CLS ||
	    g->type == BPF_PROG_TYPE_SCHED_ACT) {
		static const uint16_t offs[] = {offsetof(struct __sk_buff, len), offsetof(struct __sk_buff, mark),
						offsetof(struct __sk_buff, protocol), offsetof(struct __sk_buff, cb[0]),
						offsetof(struct __sk_buff, cb[4]), offsetof(struct __sk_buff, priority),
						offsetof(struct __sk_buff, data), offsetof(struct __sk_buff, data_end),
						offsetof(struct __sk_buff, tc_classid), offsetof(struct __sk_buff, hash),
						offsetof(struct __sk_buff, data_meta), offsetof(struct __sk_buff, tstamp),
						offsetof(struct __sk_buff, sk), offsetof(struct __sk_buff, ifindex)};
		return (int16_t)offs[k % (sizeof(offs) / sizeof(offs[0]))];
	}
	return (int16_t)((k * 8) % (g->ctx_size > 256 ? 256 : g->ctx_size));
}

enum {
	S_ALU, S_LDIMM64, S_CTX_LOAD, S_CTX_STORE, S_PKT, S_PKT_VAR, S_MAP, S_MAP_VAR, S_STACK, S_STACK_VAR,
	S_JUMP, S_BOUND, S_HELPER, S_RINGBUF, S_LOOP, S_BACK, S_RAW, S_EXIT, S_LDABS, S_GLOBAL, S_PTR_MIX,
	S_PREC_JOIN, S_PREC_LOOP,
	NR_S
};
static const uint8_t weights[NR_S] = {
	[S_ALU] = 28, [S_LDIMM64] = 4, [S_CTX_LOAD] = 12, [S_CTX_STORE] = 5, [S_PKT] = 20, [S_PKT_VAR] = 14,
	[S_MAP] = 18, [S_MAP_VAR] = 16, [S_STACK] = 16, [S_STACK_VAR] = 12, [S_JUMP] = 14, [S_BOUND] = 16,
	[S_HELPER] = 12, [S_RINGBUF] = 8, [S_LOOP] = 6, [S_BACK] = 3, [S_RAW] = 4, [S_EXIT] = 3, [S_LDABS] = 4,
	[S_GLOBAL] = 5, [S_PTR_MIX] = 6, [S_PREC_JOIN] = 12, [S_PREC_LOOP] = 8,
};

static void alu(struct gen *g, uint8_t dst)
{
	static const uint8_t ops[] = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR,  BPF_AND, BPF_LSH,
				      BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END};
	uint8_t op = ops[pick(g, sizeof(ops))];
	uint8_t cls = by(g) < 170 ? BPF_ALU64 : BPF_ALU;
	int16_t off = 0;
	uint32_t k = by(g);
	if (op == BPF_END) {
		static const int32_t w[] = {16, 32, 64};
		emit(g, (k & 1 ? BPF_ALU64 : BPF_ALU) | BPF_END | (k & 2 ? BPF_TO_BE : BPF_TO_LE), dst, 0, 0,
		     w[pick(g, 3)]);
		return;
	}
	if ((op == BPF_DIV || op == BPF_MOD) && k > 200)
		off = 1; /* sdiv / smod */
	if (op == BPF_MOV && k > 200) {
		static const int16_t sx[] = {8, 16, 32};
		off = sx[k % 3];
		emit(g, cls | BPF_MOV | BPF_X, dst, sreg(g), off, 0);
		g->defined |= 1u << dst;
		return;
	}
	if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) {
		if (by(g) < 200) {
			emit(g, cls | op | BPF_K, dst, 0, 0, (int32_t)pick(g, cls == BPF_ALU64 ? 64 : 32));
			return;
		}
	}
	if (k & 1)
		emit(g, cls | op | BPF_K, dst, 0, off, op == BPF_NEG ? 0 : imm(g));
	else
		emit(g, cls | op | (op == BPF_NEG ? BPF_K : BPF_X), dst, op == BPF_NEG ? 0 : sreg(g), off, 0);
	if (op == BPF_MOV)
		g->defined |= 1u << dst;
}

/* A bounded scalar in reg: masked, or checked against a constant with the
 * out-of-range path skipping the rest of the snippet (returns that jump or
 * UINT32_MAX). */
static uint32_t bound(struct gen *g, uint8_t reg)
{
	uint32_t k = by(g);
	if (k < 90) {
		emit(g, (k & 1 ? BPF_ALU : BPF_ALU64) | BPF_AND | BPF_K, reg, 0, 0, imm(g));
		return UINT32_MAX;
	}
	if (k < 110)
		return UINT32_MAX; /* unbounded */
	uint8_t op = jops[pick(g, sizeof(jops))];
	uint8_t cls = by(g) < 190 ? BPF_JMP : BPF_JMP32;
	uint32_t at = jmp_here_begin(g, cls | op | BPF_K, reg, 0, imm(g));
	if (by(g) < 80) /* and the other side too */
		return at;
	return at;
}

/* ---- snippets for precision tracking ----------------------------------------
 * A value bounded differently (or not at all) on the arms of a branch or
 * by a loop with a branchy body, optionally spilled and filled back, then
 * used as an index into the array map's 48-byte value after the join.  A
 * verifier that prunes the second arm against the first without keeping
 * the index precise accepts an out-of-bounds index: the checked interpreter
 * sees it (r8: the value, r9: the loop counter). */

#define PREC_V 8
#define PREC_C 9

/* One arm's treatment of the value: a mask, a constant, a check whose
 * failing side skips to the snippet's end (*skip), or nothing. */
static void prec_arm(struct gen *g, uint32_t *skip)
{
	static const int32_t masks[] = {7, 15, 31, 40, 47, 63, 255, 4095};
	uint32_t k = by(g);
	if (k < 90)
		emit(g, BPF_ALU64 | BPF_AND | BPF_K, PREC_V, 0, 0, masks[pick(g, 8)]);
	else if (k < 130)
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, PREC_V, 0, 0, (int32_t)pick(g, 64));
	else if (k < 175 && *skip == UINT32_MAX)
		*skip = jmp_here_begin(g, BPF_JMP | (by(g) & 1 ? BPF_JGT : BPF_JGE) | BPF_K, PREC_V, 0,
				       (int32_t)pick(g, 64));
	else if (k < 200)
		emit(g, BPF_ALU64 | BPF_ADD | BPF_K, PREC_V, 0, 0, (int32_t)pick(g, 16));
	/* else: left as it is */
}

/* The value from a random number (runs see many), a small constant or
 * another register. */
static void prec_source(struct gen *g)
{
	uint32_t k = by(g);
	if (k < 150) {
		emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_prandom_u32);
		g->defined = (g->defined & ~0x3fu) | 1u;
		g->ptr &= (uint16_t)~1u;
		emit(g, BPF_ALU64 | BPF_MOV | BPF_X, PREC_V, 0, 0, 0);
		if (k < 60)
			emit(g, BPF_ALU64 | BPF_AND | BPF_K, PREC_V, 0, 0, (int32_t)(1 + pick(g, 63)));
	} else if (k < 200) {
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, PREC_V, 0, 0, (int32_t)pick(g, 16));
	} else {
		emit(g, BPF_ALU64 | BPF_MOV | BPF_X, PREC_V, sreg(g), 0, 0);
	}
	g->defined |= 1u << PREC_V;
}

/* r0 = lookup(array, key): the null side skips to the snippet's end. */
static uint32_t prec_lookup(struct gen *g)
{
	emit(g, BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, (int32_t)pick(g, 4));
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4);
	ld_map(g, 1, M_ARRAY);
	emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	g->defined = (g->defined & ~0x3fu) | 1u;
	g->ptr |= 1u;
	return jmp_here_begin(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
}

/* r0 += idx; one access near the start of the value. */
static void prec_use(struct gen *g, uint8_t idx)
{
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 0, idx, 0, 0);
	access(g, 0, (int16_t)pick(g, 8));
}

static void prec_join(struct gen *g)
{
	uint32_t skip[3] = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
	prec_source(g);
	skip[0] = prec_lookup(g);
	/* the branch: on the value itself or on something unrelated */
	uint8_t c = by(g) < 128 ? PREC_V : sreg(g);
	if (c == 0)
		c = PREC_V;
	uint32_t br = g->out->cnt;
	emit(g, (by(g) < 200 ? BPF_JMP : BPF_JMP32) | jops[pick(g, sizeof(jops))] | BPF_K, c, 0, 0, imm(g));
	uint16_t before = g->defined;
	prec_arm(g, &skip[1]);
	bool spill = by(g) < 100;
	int16_t slot = (int16_t)(-8 * (2 + (int)pick(g, 6)));
	if (spill)
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, PREC_V, slot, 0);
	uint32_t ja = g->out->cnt;
	emit(g, BPF_JMP | BPF_JA, 0, 0, 0, 0);
	g->out->insns[br].off = (int16_t)(g->out->cnt - br - 1);
	g->defined = before;
	prec_arm(g, &skip[2]);
	if (spill && by(g) < 200) /* sometimes only one arm spills */
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, PREC_V, slot, 0);
	g->out->insns[ja].off = (int16_t)(g->out->cnt - ja - 1);
	uint8_t idx = PREC_V;
	if (spill) {
		idx = by(g) & 1 ? PREC_V : 3;
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, idx, 10, slot, 0);
		g->defined |= 1u << idx;
	}
	prec_use(g, idx);
	for (int i = 2; i >= 0; i--)
		if (skip[i] != UINT32_MAX)
			jmp_here_end(g, skip[i]);
}

static void prec_loop(struct gen *g)
{
	uint32_t skip[2] = {UINT32_MAX, UINT32_MAX};
	prec_source(g);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, PREC_C, 0, 0, 0);
	g->defined |= 1u << PREC_C;
	uint32_t top = g->out->cnt;
	int arms = 1 + (int)pick(g, 2);
	for (int a = 0; a < arms; a++) {
		/* if (cond) skip the next instruction: a diamond in the body */
		uint8_t c = by(g) & 1 ? PREC_V : PREC_C;
		emit(g, BPF_JMP | jops[pick(g, sizeof(jops))] | BPF_K, c, 0, 1, (int32_t)pick(g, 16));
		uint32_t k = by(g);
		if (k < 120)
			emit(g, BPF_ALU64 | BPF_ADD | BPF_K, PREC_V, 0, 0, 1 + (int32_t)pick(g, 8));
		else if (k < 170)
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, PREC_V, PREC_C, 0, 0);
		else if (k < 220)
			emit(g, BPF_ALU64 | BPF_AND | BPF_K, PREC_V, 0, 0, 31);
		else
			emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, PREC_V, -16, 0);
	}
	emit(g, BPF_ALU64 | BPF_ADD | BPF_K, PREC_C, 0, 0, 1);
	emit(g, BPF_JMP | (by(g) & 1 ? BPF_JLT : BPF_JLE) | BPF_K, PREC_C, 0, (int16_t)(top - g->out->cnt - 1),
	     1 + (int32_t)pick(g, 8));
	if (by(g) < 60)
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, PREC_V, 10, -16, 0);
	if (by(g) < 100)
		skip[0] = jmp_here_begin(g, BPF_JMP | BPF_JGT | BPF_K, PREC_V, 0, (int32_t)(24 + pick(g, 32)));
	skip[1] = prec_lookup(g);
	prec_use(g, PREC_V);
	for (int i = 1; i >= 0; i--)
		if (skip[i] != UINT32_MAX)
			jmp_here_end(g, skip[i]);
}

static void snippet(struct gen *g, uint32_t kind)
{
	int16_t d, de, dm;
	switch (kind) {
	case S_ALU:
		alu(g, sreg(g));
		break;
	case S_LDIMM64: {
		uint8_t r = sreg(g);
		lddw(g, r, 0, (uint64_t)u32r(g) << 32 | u32r(g));
		g->defined |= 1u << r;
		break;
	}
	case S_CTX_LOAD: {
		uint8_t r = sreg(g);
		uint8_t sz = by(g) < 160 ? BPF_W : sizes[pick(g, 4)];
		emit(g, BPF_LDX | BPF_MEM | sz, r, 6, ctx_field_off(g), 0);
		g->defined |= 1u << r;
		break;
	}
	case S_CTX_STORE: {
		uint8_t sz = sizes[pick(g, 4)];
		if (by(g) & 1)
			emit(g, BPF_STX | BPF_MEM | sz, 6, sreg(g), ctx_field_off(g), 0);
		else
			emit(g, BPF_ST | BPF_MEM | sz, 6, 0, ctx_field_off(g), imm(g));
		break;
	}
	case S_PKT: {
		/* r7 = data; r8 = data_end; r2 = r7 + K; if r2 > r8 goto out; access r7 + off */
		ctx_offs(g, &d, &de, &dm);
		emit(g, BPF_LDX | BPF_MEM | BPF_W, 7, 6, by(g) < 230 ? d : dm, 0);
		emit(g, BPF_LDX | BPF_MEM | BPF_W, 8, 6, de, 0);
		g->defined |= 1u << 7 | 1u << 8;
		g->ptr |= 1u << 7 | 1u << 8;
		int32_t K = (int32_t)pick(g, 72);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 7, 0, 0);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, K);
		g->defined |= 1u << 2;
		static const uint8_t chk[] = {BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JEQ, BPF_JNE, BPF_JSGT};
		uint8_t op = chk[pick(g, by(g) < 200 ? 2 : sizeof(chk))];
		uint32_t at = by(g) & 1 ? jmp_here_begin(g, BPF_JMP | op | BPF_X, 2, 8, 0)
					: jmp_here_begin(g, BPF_JMP | (op == BPF_JGT ? BPF_JLT : op == BPF_JGE ? BPF_JLE : op) | BPF_X, 8, 2, 0);
		int n = 1 + (int)pick(g, 3);
		for (int i = 0; i < n; i++)
			access(g, by(g) < 230 ? 7 : 2, edge_off(g, K) - (int16_t)pick(g, 8));
		jmp_here_end(g, at);
		break;
	}
	case S_PKT_VAR: {
		/* a scalar from the packet or ctx, bounded, added to the packet pointer, then checked */
		ctx_offs(g, &d, &de, &dm);
		emit(g, BPF_LDX | BPF_MEM | BPF_W, 7, 6, d, 0);
		emit(g, BPF_LDX | BPF_MEM | BPF_W, 8, 6, de, 0);
		g->defined |= 1u << 7 | 1u << 8;
		g->ptr |= 1u << 7 | 1u << 8;
		uint8_t s = sreg(g);
		if (by(g) < 128) {
			/* r2 = r7 + 1; if r2 > r8 goto out; s = *(u8*)r7 */
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 7, 0, 0);
			emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, 1 + (int32_t)pick(g, 2));
			uint32_t at = jmp_here_begin(g, BPF_JMP | BPF_JGT | BPF_X, 2, 8, 0);
			emit(g, BPF_LDX | BPF_MEM | sizes[pick(g, 2)], s, 7, 0, 0);
			g->defined |= 1u << s;
			jmp_here_end(g, at);
		}
		uint32_t b = bound(g, s);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 7, s, 0, 0);
		int32_t K = (int32_t)pick(g, 16);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 7, 0, 0);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, K);
		uint32_t at = jmp_here_begin(g, BPF_JMP | (by(g) < 220 ? BPF_JGT : BPF_JGE) | BPF_X, 2, 8, 0);
		access(g, 7, edge_off(g, K));
		jmp_here_end(g, at);
		if (b != UINT32_MAX)
			jmp_here_end(g, b);
		break;
	}
	case S_MAP:
	case S_MAP_VAR: {
		int map = by(g) < 170 ? M_ARRAY : M_HASH;
		uint32_t vsize = map_defs[map].value;
		if (map == M_ARRAY)
			emit(g, BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, (int32_t)pick(g, 6));
		else
			emit(g, BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, (int32_t)pick(g, 6));
		emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, map == M_ARRAY ? -4 : -8);
		ld_map(g, 1, by(g) < 250 ? map : M_RINGBUF);
		emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
		g->defined = (g->defined & ~0x3fu) | 1u;
		g->ptr |= 1u;
		uint32_t at = UINT32_MAX;
		if (by(g) < 235)
			at = jmp_here_begin(g, BPF_JMP | (by(g) < 200 ? BPF_JEQ : BPF_JNE) | BPF_K, 0, 0, 0);
		uint8_t base = 0;
		if (by(g) < 128) {
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 7, 0, 0, 0);
			base = 7;
			g->defined |= 1u << 7;
		}
		uint32_t b = UINT32_MAX;
		if (kind == S_MAP_VAR) {
			uint8_t s = 9;
			if (by(g) < 128) {
				emit(g, BPF_LDX | BPF_MEM | sizes[pick(g, 4)], 9, base, (int16_t)(pick(g, vsize / 8) * 8), 0);
				g->defined |= 1u << 9;
			} else {
				s = sreg(g);
			}
			b = bound(g, s);
			emit(g, BPF_ALU64 | (by(g) < 230 ? BPF_ADD : BPF_SUB) | BPF_X, base, s, 0, 0);
		}
		int n = 1 + (int)pick(g, 2);
		for (int i = 0; i < n; i++)
			access(g, base, edge_off(g, (int32_t)vsize) - (int16_t)pick(g, 8));
		if (b != UINT32_MAX)
			jmp_here_end(g, b);
		if (at != UINT32_MAX)
			jmp_here_end(g, at);
		break;
	}
	case S_STACK: {
		int16_t off = by(g) < 240 ? -(int16_t)(1 + pick(g, 64)) * (by(g) < 200 ? 8 : 1) : (int16_t)(-520 + (int)pick(g, 24));
		access(g, 10, off);
		break;
	}
	case S_STACK_VAR: {
		uint8_t s = sreg(g);
		uint32_t b = bound(g, s);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -(int32_t)(8 + 8 * pick(g, 64)));
		emit(g, BPF_ALU64 | (by(g) < 220 ? BPF_ADD : BPF_SUB) | BPF_X, 2, s, 0, 0);
		g->defined |= 1u << 2;
		access(g, 2, (int16_t)((int)pick(g, 16) - 8));
		if (b != UINT32_MAX)
			jmp_here_end(g, b);
		break;
	}
	case S_JUMP:
		jump_fwd(g, sreg(g));
		break;
	case S_BOUND: {
		/* refine a scalar and leave it refined for later snippets */
		uint8_t r = sreg(g);
		if (by(g) < 128)
			emit(g, (by(g) & 1 ? BPF_ALU : BPF_ALU64) | BPF_AND | BPF_K, r, 0, 0, imm(g));
		else
			jump_fwd(g, r);
		break;
	}
	case S_HELPER: {
		uint32_t k = pick(g, 8);
		if (k == 0) {
			emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_prandom_u32);
		} else if (k == 1) {
			emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ktime_get_ns);
		} else if (k == 2 || k == 3) {
			/* probe_read_kernel(r10 - off, size, r3) */
			int32_t off = 8 * (1 + (int32_t)pick(g, 64));
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 1, by(g) < 220 ? 10 : 7, 0, 0);
			emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -off);
			if (by(g) < 200) {
				emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, (int32_t)edge_off(g, off + 1));
			} else {
				uint8_t s = sreg(g);
				emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, s, 0, 0);
				emit(g, BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, imm(g));
			}
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 3, by(g) & 1 ? 6 : 10, 0, 0);
			emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, by(g) & 1 ? BPF_FUNC_probe_read_kernel : BPF_FUNC_get_current_comm);
		} else if (k == 4) {
			/* map_update(array/hash, key on stack, value on stack) */
			int map = by(g) & 1 ? M_ARRAY : M_HASH;
			emit(g, BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, (int32_t)pick(g, 6));
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
			emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8);
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0);
			emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -(int32_t)(8 + 8 * pick(g, 8)));
			emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, (int32_t)pick(g, 3));
			ld_map(g, 1, map);
			emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_update_elem);
		} else if (k == 5) {
			emit(g, BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, (int32_t)pick(g, 6));
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
			emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8);
			ld_map(g, 1, M_HASH);
			emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_delete_elem);
		} else if (k == 6) {
			/* ringbuf_output(rb, r10 - off, size, 0) */
			int32_t off = 8 * (1 + (int32_t)pick(g, 16));
			ld_map(g, 1, M_RINGBUF);
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
			emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -off);
			emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, (int32_t)edge_off(g, off + 1));
			emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
			emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output);
		} else {
			/* skb_load_bytes / csum_diff */
			if (g->type == BPF_PROG_TYPE_SCHED_CLS || g->type == BPF_PROG_TYPE_SOCKET_FILTER) {
				emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0);
				emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, (int32_t)pick(g, 64));
				emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0);
				int32_t off = 8 * (1 + (int32_t)pick(g, 8));
				emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -off);
				emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, (int32_t)edge_off(g, off + 1));
				emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_load_bytes);
			} else {
				int32_t off = 8 * (1 + (int32_t)pick(g, 8));
				emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0);
				emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -off);
				emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, (int32_t)(4 * pick(g, (uint32_t)off / 4 + 2)));
				emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0);
				emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
				emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 5, 0, 0, 0);
				emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_csum_diff);
			}
		}
		g->defined = (g->defined & ~0x3fu) | 1u;
		break;
	}
	case S_RINGBUF: {
		/* r0 = reserve(rb, size, 0); if r0 == 0 goto out; accesses; submit/discard(r0) */
		ld_map(g, 1, by(g) < 245 ? M_RINGBUF : M_ARRAY);
		int32_t size = 8 * (int32_t)(1 + pick(g, 8));
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, size);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0);
		emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_reserve);
		g->defined = (g->defined & ~0x3fu) | 1u;
		g->ptr |= 1u;
		uint32_t at = UINT32_MAX;
		if (by(g) < 240)
			at = jmp_here_begin(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
		uint8_t base = 0;
		if (by(g) < 100) {
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 7, 0, 0, 0);
			base = 7;
		}
		int n = (int)pick(g, 3);
		for (int i = 0; i < n; i++)
			access(g, base, edge_off(g, size) - (int16_t)pick(g, 8));
		if (by(g) < 245) {
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 1, by(g) < 245 ? base : 7, 0, 0);
			emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0);
			emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, by(g) & 1 ? BPF_FUNC_ringbuf_submit : BPF_FUNC_ringbuf_discard);
			g->defined = (g->defined & ~0x3fu);
		}
		if (at != UINT32_MAX)
			jmp_here_end(g, at);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		g->defined |= 1u;
		break;
	}
	case S_LOOP: {
		/* r9 = 0; L: body; r9 += step; if r9 < N goto L */
		uint8_t c = by(g) < 220 ? 9 : sreg(g);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, c, 0, 0, 0);
		g->defined |= 1u << c;
		uint32_t top = g->out->cnt;
		int n = (int)pick(g, 3);
		for (int i = 0; i < n; i++) {
			uint32_t k = by(g);
			if (k < 100)
				alu(g, sreg(g));
			else if (k < 170)
				access(g, 10, -(int16_t)(8 * (1 + pick(g, 8))));
			else {
				/* stack access indexed by the counter */
				emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
				emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -64);
				emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 2, c, 0, 0);
				access(g, 2, 0);
			}
		}
		emit(g, BPF_ALU64 | BPF_ADD | BPF_K, c, 0, 0, 1 + (int32_t)pick(g, 8) / 4);
		static const uint8_t lops[] = {BPF_JLT, BPF_JLE, BPF_JNE, BPF_JSLT, BPF_JGT};
		uint8_t op = lops[pick(g, by(g) < 200 ? 2 : 5)];
		int32_t limit = (int32_t)(1 + pick(g, 64));
		emit(g, (by(g) < 220 ? BPF_JMP : BPF_JMP32) | op | BPF_K, c, 0, (int16_t)(top - g->out->cnt - 1), limit);
		break;
	}
	case S_BACK: {
		/* a conditional jump back to an earlier snippet */
		if (g->nr_snip == 0)
			break;
		uint32_t target = g->snip_start[pick(g, g->nr_snip)];
		uint8_t r = sreg(g);
		emit(g, BPF_JMP | jops[pick(g, sizeof(jops))] | BPF_K, r, 0, (int16_t)(target - g->out->cnt - 1), imm(g));
		break;
	}
	case S_RAW: {
		uint8_t code = (uint8_t)by(g);
		uint8_t regs = (uint8_t)by(g);
		emit(g, code, regs & 15, regs >> 4, (int16_t)(int8_t)by(g), imm(g));
		break;
	}
	case S_EXIT: {
		/* if rX op K goto +2; r0 = k; exit */
		uint8_t r = sreg(g);
		emit(g, (by(g) & 1 ? BPF_JMP : BPF_JMP32) | jops[pick(g, sizeof(jops))] | BPF_K, r, 0, 2, imm(g));
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, (int32_t)pick(g, 4));
		emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		break;
	}
	case S_LDABS:
		if (g->type == BPF_PROG_TYPE_SOCKET_FILTER || g->type == BPF_PROG_TYPE_SCHED_CLS) {
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 6, 6, 0, 0);
			if (by(g) & 1)
				emit(g, BPF_LD | BPF_ABS | sizes[pick(g, 3)], 0, 0, 0, (int32_t)pick(g, 80));
			else
				emit(g, BPF_LD | BPF_IND | sizes[pick(g, 3)], 0, sreg(g), 0, (int32_t)pick(g, 40));
			g->defined = (g->defined & ~0x3fu) | 1u;
		} else {
			alu(g, sreg(g));
		}
		break;
	case S_GLOBAL: {
		/* direct value access: r1 = &global + off */
		uint8_t r = 1 + (uint8_t)pick(g, 5);
		lddw(g, r, BPF_PSEUDO_MAP_IDX_VALUE, M_GLOBAL);
		g->ptr |= (uint16_t)(1u << r);
		g->out->insns[g->out->cnt - 1].imm = (int32_t)pick(g, 8);
		g->defined |= 1u << r;
		access(g, r, edge_off(g, 8) - (int16_t)pick(g, 4));
		break;
	}
	case S_PTR_MIX: {
		/* pointer arithmetic edge cases: ptr - ptr, ptr op scalar, scalar = ptr */
		static const uint8_t ptrs[] = {6, 7, 8, 10};
		uint8_t p = ptrs[pick(g, 4)], s = sreg(g);
		uint32_t k = pick(g, 4);
		if (k == 0) {
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, s, p, 0, 0);
			emit(g, BPF_ALU64 | BPF_SUB | BPF_X, s, ptrs[pick(g, 4)], 0, 0);
			g->defined |= 1u << s;
		} else if (k == 1) {
			emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, p, 0, 0);
			alu(g, 2);
			g->defined |= 1u << 2;
			access(g, 2, (int16_t)((int)pick(g, 32) - 16));
		} else if (k == 2) {
			emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, p, -(int16_t)(8 * (1 + pick(g, 8))), 0);
			emit(g, BPF_LDX | BPF_MEM | sizes[pick(g, 4)], s, 10, -(int16_t)(8 * (1 + pick(g, 8))), 0);
			g->defined |= 1u << s;
		} else {
			emit(g, BPF_ALU | BPF_MOV | BPF_X, s, p, 0, 0);
			g->defined |= 1u << s;
		}
		break;
	}
	case S_PREC_JOIN:
		prec_join(g);
		break;
	case S_PREC_LOOP:
		prec_loop(g);
		break;
	}
}

void vs_decode(const struct vs *vs, const uint8_t *data, size_t size, struct vs_prog *out)
{
	(void)vs;
	static const uint32_t types[] = {BPF_PROG_TYPE_XDP,        BPF_PROG_TYPE_XDP,       BPF_PROG_TYPE_SCHED_CLS,
					 BPF_PROG_TYPE_SCHED_CLS,  BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SYSCALL,
					 BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_KPROBE,
					 BPF_PROG_TYPE_SCHED_ACT};
	struct gen g = {.p = data, .n = size, .out = out};
	memset(out, 0, sizeof(*out));
	g.type = types[pick(&g, sizeof(types) / sizeof(types[0]))];
	memset(g.in_mask, 0xff, sizeof(g.in_mask));
	out->type = g.type;
	const struct vf_ctx_desc *cd = vf_ctx_desc(g.type);
	g.ctx_size = cd ? cd->size : 64;
	g.pkt = cd && cd->pkt_access;
	emit(&g, BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	g.defined = 1u << 1 | 1u << 6 | 1u << 10;
	/* initialise some stack */
	uint32_t init = pick(&g, 9);
	for (uint32_t i = 0; i < init; i++)
		emit(&g, BPF_ST | BPF_MEM | BPF_DW, 10, 0, (int16_t)(-8 * (int)(1 + i)), imm(&g));
	if (by(&g) < 200) {
		emit(&g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		g.defined |= 1;
	}
	uint32_t total = 0;
	for (int i = 0; i < NR_S; i++)
		total += weights[i];
	uint32_t n = 1 + pick(&g, 4) + (by(&g) < 64 ? pick(&g, 36) : pick(&g, 12));
	/* One program in five is about precision: its joins and loops only
	 * (other snippets make most programs fail verification early). */
	static const uint8_t prec_kinds[] = {S_PREC_JOIN, S_PREC_JOIN, S_PREC_LOOP, S_JUMP, S_ALU, S_STACK};
	bool prec_focus = by(&g) < 52;
	while (g.nr_snip < n && g.nr_snip < 79 && g.i < g.n && out->cnt + ROOM + 2 < VS_MAX_INSNS) {
		g.snip_start[g.nr_snip] = out->cnt;
		uint32_t w = (by(&g) | by(&g) << 8) % total, kind = 0;
		while (w >= weights[kind])
			w -= weights[kind++];
		if (prec_focus)
			kind = prec_kinds[w % sizeof(prec_kinds)];
		if (!g.pkt && (kind == S_PKT || kind == S_PKT_VAR))
			kind = kind == S_PKT ? S_MAP : S_MAP_VAR;
		g.defined &= g.in_mask[g.nr_snip];
		snippet(&g, kind);
		g.nr_snip++;
	}
	g.snip_start[g.nr_snip] = out->cnt;
	emit(&g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	emit(&g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (uint32_t i = 0; i < g.nr_fwd; i++) {
		uint32_t s = g.fwd[i].snippet > g.nr_snip ? g.nr_snip : g.fwd[i].snippet;
		int32_t off = (int32_t)g.snip_start[s] - (int32_t)g.fwd[i].at - 1;
		g.out->insns[g.fwd[i].at].off = (int16_t)(off < 0 ? 0 : off);
	}
}

void vs_mutate(struct vs_prog *p, uint64_t rnd)
{
	if (!p->cnt)
		return;
	uint32_t i = (uint32_t)(rnd % p->cnt);
	struct bpf_insn *in = &p->insns[i];
	rnd >>= 16;
	int d = (int)(rnd >> 8 & 15) - 8;
	if (!d)
		d = 1;
	switch (rnd & 7) {
	case 0:
		in->imm = (int32_t)((uint32_t)in->imm + (uint32_t)d);
		break;
	case 1:
		in->off = (int16_t)(in->off + d);
		break;
	case 2: {
		uint8_t cls = BPF_CLASS(in->code);
		if (cls == BPF_JMP || cls == BPF_JMP32) {
			uint8_t op = BPF_OP(in->code);
			if (op != BPF_CALL && op != BPF_EXIT && op != BPF_JA)
				in->code = (uint8_t)((in->code & 0x0f) | jops[(rnd >> 12) % sizeof(jops)]);
		} else if (cls == BPF_LDX || cls == BPF_STX || cls == BPF_ST) {
			in->code = (uint8_t)((in->code & ~0x18) | sizes[(rnd >> 12) & 3]);
		} else {
			in->imm = (int32_t)((uint32_t)in->imm ^ (1u << ((rnd >> 12) & 31)));
		}
		break;
	}
	case 3:
		in->dst_reg = (uint8_t)((rnd >> 12) % 11);
		break;
	case 4:
		if (BPF_CLASS(in->code) != BPF_LD)
			in->src_reg = (uint8_t)((rnd >> 12) % 11);
		break;
	case 5: {
		uint8_t cls = BPF_CLASS(in->code);
		if (cls == BPF_JMP || cls == BPF_JMP32)
			in->code ^= BPF_JMP ^ BPF_JMP32;
		else if (cls == BPF_ALU || cls == BPF_ALU64)
			in->code ^= BPF_ALU ^ BPF_ALU64;
		break;
	}
	case 6:
		in->imm = interesting[(rnd >> 12) % (sizeof(interesting) / sizeof(interesting[0]))];
		break;
	default:
		/* delete the instruction (replace by a no-op move) */
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW) && !(i && p->insns[i - 1].code == (BPF_LD | BPF_IMM | BPF_DW)))
			*in = (struct bpf_insn){.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 0, .src_reg = 0};
		break;
	}
}

/* ---- loading and checked runs ---------------------------------------------- */

static int load(struct vs *vs, const struct vs_prog *p)
{
	/* BPF_PROG_LOAD reads fd_array[imm] unchecked (the kernel would copy
	 * from user memory and fail with EFAULT): an index past our fd_array
	 * counts as rejected without loading. */
	for (uint32_t i = 0; i < p->cnt; i++)
		if (p->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (p->insns[i].src_reg == BPF_PSEUDO_MAP_IDX || p->insns[i].src_reg == BPF_PSEUDO_MAP_IDX_VALUE) &&
		    (uint32_t)p->insns[i].imm >= NR_MAPS)
			return -EINVAL;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = p->type;
	a.insns = (uintptr_t)p->insns;
	a.insn_cnt = p->cnt;
	a.license = (uintptr_t) "GPL";
	a.fd_array = (uintptr_t)vs->map_fds;
	if (p->type == BPF_PROG_TYPE_SYSCALL)
		a.prog_flags = BPF_F_SLEEPABLE;
	static int debug = -1;
	static char log[1 << 16];
	if (debug < 0)
		debug = getenv("VS_DEBUG") != NULL;
	if (debug) {
		a.log_level = 1;
		a.log_buf = (uintptr_t)log;
		a.log_size = sizeof(log);
		log[0] = 0;
	}
	int fd = sys(vs, BPF_PROG_LOAD, &a);
	if (debug && fd < 0) {
		char *l = strstr(log, "bpfrt: ");
		if (l)
			fprintf(stderr, "VS_DEBUG reject: %.*s\n", (int)strcspn(l, "\n"), l);
	}
	return fd;
}

static void fill(uint64_t *s, void *buf, size_t n)
{
	uint8_t *b = buf;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = vs_rand(s);
		memcpy(b + i, &v, n - i < 8 ? n - i : 8);
	}
}

static void randomise_maps(struct vs *vs, uint64_t *s)
{
	for (uint32_t k = 0; k < map_defs[M_ARRAY].entries; k++) {
		uint8_t v[48];
		fill(s, v, sizeof(v));
		union bpf_attr a = {0};
		a.map_fd = (uint32_t)vs->map_fds[M_ARRAY];
		a.key = (uintptr_t)&k;
		a.value = (uintptr_t)v;
		sys(vs, BPF_MAP_UPDATE_ELEM, &a);
	}
	for (uint64_t k = 0; k < 6; k++) {
		uint8_t v[32];
		fill(s, v, sizeof(v));
		union bpf_attr a = {0};
		a.map_fd = (uint32_t)vs->map_fds[M_HASH];
		a.key = (uintptr_t)&k;
		a.value = (uintptr_t)v;
		sys(vs, vs_rand(s) & 1 ? BPF_MAP_UPDATE_ELEM : BPF_MAP_DELETE_ELEM, &a);
	}
}

/* May byte i of the context change during a run?  Only if a writable
 * field covers it. */
static bool ctx_byte_writable(const struct vf_ctx_desc *d, uint32_t i)
{
	if (!d->fields)
		return d->any_write;
	for (uint32_t k = 0; k < d->nr_fields; k++)
		if (i >= d->fields[k].off && i < (uint32_t)d->fields[k].off + d->fields[k].size)
			return (d->fields[k].access & CTX_WRITE) != 0;
	return false;
}

static enum vs_result run_one(struct vs *vs, struct bpfrt_prog *prog, const struct vs_prog *p, uint64_t *s,
			      int idx, char *why, size_t why_len)
{
	static const uint32_t pkt_sizes[] = {0, 14, 64, 1500};
	uint32_t size = idx < 4 ? pkt_sizes[idx] : (uint32_t)(vs_rand(s) % 1501);
	uint8_t *frame = vs->page + PKT_OFF;
	struct bpfrt_xdp_ctx xc = {0};
	struct bpfrt_skb_ctx sc = {0};
	uint32_t uapi_size = 0; /* bytes of the context the program sees (core/pkt_ctx.h) */
	uint32_t zero = 0;
	/* the single-element array's value, reachable by direct value access */
	struct bpfrt_region global = {.name = "global", .start = vs->maps[M_GLOBAL]->ops->lookup(vs->maps[M_GLOBAL], &zero),
				      .size = map_defs[M_GLOBAL].value, .flags = BPFRT_REGION_READ | BPFRT_REGION_WRITE};
	struct bpfrt_run_opts o = {.sz = sizeof(o), .flags = BPFRT_RUN_CHECKED, .insn_limit = INSN_BUDGET,
				   .regions = &global, .nr_regions = 1};
	const struct vf_ctx_desc *cd = vf_ctx_desc(p->type);
	uint8_t before[sizeof(struct __sk_buff)];
	memset(vs->page, 0xa5, PAGE);
	fill(s, frame, size);
	if (p->type == BPF_PROG_TYPE_XDP) {
		xc.pkt.data = xc.pkt.data_meta = (uintptr_t)frame;
		xc.pkt.data_end = (uintptr_t)(frame + size);
		bpfrt_xdp_ctx_sync(&xc);
		xc.md.ingress_ifindex = 1;
		o.ctx = &xc, o.ctx_size = sizeof(xc);
		o.packet = frame, o.packet_size = size;
		uapi_size = sizeof(xc.md);
		memcpy(before, &xc.md, uapi_size);
	} else if (p->type == BPF_PROG_TYPE_SOCKET_FILTER || p->type == BPF_PROG_TYPE_SCHED_CLS ||
		   p->type == BPF_PROG_TYPE_SCHED_ACT) {
		fill(s, &sc.skb, sizeof(sc.skb));
		bool l2 = p->type != BPF_PROG_TYPE_SOCKET_FILTER;
		uint32_t hl = l2 || size < 14 ? 0 : 14;
		sc.skb.len = size - hl;
		sc.pkt.data = sc.pkt.data_meta = (uintptr_t)(frame + hl);
		sc.pkt.data_end = (uintptr_t)(frame + size);
		bpfrt_skb_ctx_sync(&sc);
		sc.skb.sk = 0;
		o.ctx = &sc, o.ctx_size = sizeof(sc);
		o.packet = frame + hl, o.packet_size = size - hl;
		uapi_size = sizeof(sc.skb);
		memcpy(before, &sc.skb, uapi_size);
	} else {
		fill(s, vs->ctx_buf, cd ? cd->size : 64);
		o.ctx = vs->ctx_buf, o.ctx_size = cd ? cd->size : 64;
	}
	vs->nr_records = 0;
	vs->misuse[0] = 0;
	vs->cur = p;
	uint64_t r0 = 0;
	struct bpfrt_diag diag = {0};
	int err = bpfrt_vm_run(prog->vm, &o, &r0, &diag);
	vs->st.runs++;
	enum vs_result res = VS_OK;
	if (err) {
		snprintf(why, why_len, "checked run (packet %u bytes) faulted: %d: %s", size, err, diag.msg);
		res = VS_ESCAPE;
	} else if (vs->misuse[0]) {
		snprintf(why, why_len, "helper misuse (packet %u bytes): %s", size, vs->misuse);
		res = VS_ESCAPE;
	} else if (vs->nr_records) {
		snprintf(why, why_len, "ring buffer record leaked at exit (packet %u bytes)", size);
		res = VS_ESCAPE;
	} else if (o.ctx != vs->ctx_buf && cd) {
		for (uint32_t i = 0; i < uapi_size; i++) {
			if (((uint8_t *)o.ctx)[i] != before[i] && !ctx_byte_writable(cd, i)) {
				snprintf(why, why_len, "context byte %u (not writable) changed (packet %u bytes)", i, size);
				res = VS_ESCAPE;
				break;
			}
		}
	}
	for (uint32_t i = 0; i < vs->nr_records; i++)
		bpfrt_ringbuf_commit(vs->maps[M_RINGBUF], vs->records[i], true, BPF_RB_NO_WAKEUP);
	vs->nr_records = 0;
	bpfrt_ringbuf_consume(vs->rb);
	return res;
}

enum vs_result vs_check(struct vs *vs, const struct vs_prog *p, uint64_t input_seed, int runs, char *why,
			size_t why_len)
{
	vs->st.programs++;
	int fd = load(vs, p);
	if (fd < 0)
		return VS_REJECTED;
	vs->st.accepted++;
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(vs->rt, fd, BPFRT_OBJ_PROG, &err);
	enum vs_result res = VS_OK;
	uint64_t s = input_seed;
	randomise_maps(vs, &s);
	for (int i = 0; obj && i < runs && res == VS_OK; i++)
		res = run_one(vs, bpfrt_prog_from_obj(obj), p, &s, i, why, why_len);
	if (obj)
		bpfrt_obj_put(obj);
	bpfrt_close(vs->rt, fd);
	if (res == VS_ESCAPE)
		vs->st.escapes++;
	return res;
}

static const char *type_name(uint32_t t)
{
	switch (t) {
	case BPF_PROG_TYPE_SOCKET_FILTER: return "socket_filter";
	case BPF_PROG_TYPE_SCHED_CLS: return "sched_cls";
	case BPF_PROG_TYPE_SCHED_ACT: return "sched_act";
	case BPF_PROG_TYPE_XDP: return "xdp";
	case BPF_PROG_TYPE_TRACEPOINT: return "tracepoint";
	case BPF_PROG_TYPE_RAW_TRACEPOINT: return "raw_tracepoint";
	case BPF_PROG_TYPE_KPROBE: return "kprobe";
	case BPF_PROG_TYPE_PERF_EVENT: return "perf_event";
	case BPF_PROG_TYPE_SYSCALL: return "syscall";
	default: return "?";
	}
}

void vs_print(const struct vs *vs, const struct vs_prog *p, const char *comment, FILE *f)
{
	(void)vs;
	fprintf(f, "# type: %s\n# maps: ", type_name(p->type));
	for (int i = 0; i < NR_MAPS; i++)
		fprintf(f, "%s%s", i ? "; " : "", map_defs[i].spec);
	fprintf(f, "\n# expect: reject\n# unsafe: yes\n# why: %s\n", comment ? comment : "soundness fuzzer");
	bpfrt_disasm(p->insns, p->cnt, BPFRT_SYNTAX_LLVM, 0, f);
}
