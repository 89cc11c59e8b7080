/* test_ctx_table.c — the verifier's data tables (src/verifier/ctx_table.c,
 * src/verifier/protos.c) against the host kernel, which is the oracle:
 *
 *  1. context access: for each program type bpfrt runs, every offset in
 *     [0, ctx size + 8), sizes 1/2/4/8, a load (ldx), a register store
 *     (stx) and an immediate store (st), each as the smallest program,
 *     loaded with BPF_PROG_LOAD; the kernel's accept/reject must equal
 *     vf_ctx_access().  (SYSCALL: the context is 64 KiB, so offsets
 *     [0, 512) and [32512, 32768), the top of what an s16 offset reaches.)
 *  2. helper availability: each helper with a prototype, called from each
 *     program type: the kernel's "program of this type cannot use helper"
 *     / "unknown func" against proto->prog_types; gpl_only with a non-GPL
 *     license against VF_GPL_ONLY.
 *  3. map/helper compatibility: each helper that takes a map, with a map of
 *     each type bpfrt implements: the kernel's "cannot pass map_type" (or
 *     "callback function not allowed for map") against vf_map_helper_ok();
 *     for the allowed pairs, the same call with packet memory as its
 *     memory arguments: "helper access to the packet" against VF_PKT_ACCESS.
 *  4. return values: r0 = v; exit for a few v, against ret_min/ret_max.
 *
 * Deliberate differences are listed in `exceptions` below and reported, not
 * counted.  Without the kernel's bpf() (not root, EPERM) only the table
 * self-checks run and the test exits 77 (CTest skip).  -v prints every
 * comparison's class counts per type.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/btf.h>

#include "core/runtime.h"
#include "verifier/ctx_table.h"
#include "verifier/protos.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LD_MAP(d, fd) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define LD_FUNC(d, rel) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_FUNC, 0, rel), INSN(0, 0, 0, 0, 0)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static const struct {
	uint32_t type;
	const char *name;
} types[] = {
	{BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter"}, {BPF_PROG_TYPE_SCHED_CLS, "sched_cls"},
	{BPF_PROG_TYPE_SCHED_ACT, "sched_act"},         {BPF_PROG_TYPE_XDP, "xdp"},
	{BPF_PROG_TYPE_TRACEPOINT, "tracepoint"},       {BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint"},
	{BPF_PROG_TYPE_KPROBE, "kprobe"},               {BPF_PROG_TYPE_PERF_EVENT, "perf_event"},
	{BPF_PROG_TYPE_SYSCALL, "syscall"},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* bpfrt's deliberate differences from the kernel: the kernel gives
 * bpf_probe_read_{user,kernel}(_str) to every program type of a CAP_PERFMON
 * loader; bpfrt keeps them (VF_PRIVILEGED_READ) to the tracing types, like
 * the kernel's own bpf_probe_read(_str), so a packet program cannot read
 * arbitrary host memory (docs/verifier-helpers.md). */
static bool helper_exception(uint32_t id, uint32_t type, bool kernel_ok, bool ours_ok)
{
	const struct vf_helper_proto *p = vf_helper_proto(id);
	/* bpf_override_return: bpfrt's syscall tracer lets syscall
	 * tracepoints deny calls with it (src/hooks/trace.h); the kernel
	 * offers it to kprobes only, and only with CONFIG_BPF_KPROBE_OVERRIDE. */
	if (id == BPF_FUNC_override_return && !kernel_ok && ours_ok &&
	    (type == BPF_PROG_TYPE_TRACEPOINT || type == BPF_PROG_TYPE_RAW_TRACEPOINT || type == BPF_PROG_TYPE_KPROBE))
		return true;
	return p && (p->flags & VF_PRIVILEGED_READ) && kernel_ok && !ours_ok &&
	       (type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_SCHED_CLS ||
		type == BPF_PROG_TYPE_SCHED_ACT || type == BPF_PROG_TYPE_XDP);
}

static int mismatches, exceptions, inconclusive, comparisons;
static bool verbose;
static char logbuf[1 << 16];

/* BTF func_info for a program with a callback at insn cb_off (bpf_for_each_map_elem
 * needs it): set by prog_load_cb, used by the next load. */
static int cb_btf_fd = -1;
static uint32_t cb_func_info[4];

static int prog_load(uint32_t type, const struct bpf_insn *insns, uint32_t n, const char *license)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type, a.insns = (uintptr_t)insns, a.insn_cnt = n, a.license = (uintptr_t)license;
	if (cb_func_info[1]) {
		a.prog_btf_fd = (uint32_t)cb_btf_fd, a.func_info = (uintptr_t)cb_func_info;
		a.func_info_cnt = 2, a.func_info_rec_size = 8;
	}
	a.log_buf = (uintptr_t)logbuf, a.log_size = sizeof(logbuf), a.log_level = 1;
	if (type == BPF_PROG_TYPE_SYSCALL)
		a.prog_flags = BPF_F_SLEEPABLE; /* the kernel loads only sleepable syscall programs */
	logbuf[0] = 0;
	int fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static const char *last_line(void)
{
	size_t n = strlen(logbuf);
	while (n && logbuf[n - 1] == '\n')
		logbuf[--n] = 0;
	/* the verifier's summary ("processed N insns ...") follows the error */
	char *p = strstr(logbuf, "processed ");
	if (p)
		*p = 0;
	n = strlen(logbuf);
	while (n && logbuf[n - 1] == '\n')
		logbuf[--n] = 0;
	p = strrchr(logbuf, '\n');
	return p ? p + 1 : logbuf;
}

/* ---- 1. context access -------------------------------------------------- */

static const uint8_t size_code[9] = {[1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW};

static void ctx_case(uint32_t ti, int32_t off, uint32_t size, int op)
{
	static const char *const opname[] = {"ldx", "stx", "st"};
	uint32_t type = types[ti].type;
	struct bpf_insn p[4];
	uint32_t n = 0;
	p[n++] = MOV_IMM(2, 0);
	if (op == 0)
		p[n++] = INSN(BPF_LDX | BPF_MEM | size_code[size], 3, 1, (int16_t)off, 0);
	else if (op == 1)
		p[n++] = INSN(BPF_STX | BPF_MEM | size_code[size], 1, 2, (int16_t)off, 0);
	else
		p[n++] = INSN(BPF_ST | BPF_MEM | size_code[size], 1, 0, (int16_t)off, 0);
	p[n++] = MOV_IMM(0, 0);
	p[n++] = EXIT;
	bool kernel_ok = prog_load(type, p, n, "GPL") == 0;
	uint8_t kind = 0;
	const char *why = NULL;
	bool ours_ok = vf_ctx_access(vf_ctx_desc(type), off, size, op != 0, &kind, &why) == 0;
	comparisons++;
	if (kernel_ok != ours_ok) {
		mismatches++;
		const char *fname = vf_ctx_field_name(vf_ctx_desc(type), off);
		printf("MISMATCH ctx %s %s off %d size %u: kernel %s, bpfrt %s (%s%s%s)%s%s\n", types[ti].name,
		       opname[op], off, size, kernel_ok ? "accepts" : "rejects", ours_ok ? "accepts" : "rejects",
		       fname ? fname : "-", ours_ok ? "" : ": ", ours_ok ? "" : why, kernel_ok ? "" : " kernel: ",
		       kernel_ok ? "" : last_line());
	}
}

static void test_ctx(void)
{
	for (uint32_t ti = 0; ti < NTYPES; ti++) {
		const struct vf_ctx_desc *d = vf_ctx_desc(types[ti].type);
		if (!d) {
			printf("MISMATCH ctx %s: no context description\n", types[ti].name);
			mismatches++;
			continue;
		}
		int before = mismatches, cmp = comparisons;
		int32_t end = (int32_t)d->size + 8;
		for (int32_t off = 0; off < end && off <= INT16_MAX; off++) {
			if (types[ti].type == BPF_PROG_TYPE_SYSCALL && off == 512)
				off = 32512;
			for (uint32_t size = 1; size <= 8; size *= 2)
				for (int op = 0; op < 3; op++)
					ctx_case(ti, off, size, op);
		}
		if (verbose || mismatches != before)
			printf("ctx %-15s size %5u: %d loads, %d mismatches\n", types[ti].name, d->size,
			       comparisons - cmp, mismatches - before);
	}
}

/* ---- 2. helper availability and GPL -------------------------------------- */

static void test_helpers(void)
{
	for (uint32_t id = 1; id < __BPF_FUNC_MAX_ID; id++) {
		const struct vf_helper_proto *p = vf_helper_proto(id);
		if (!p)
			continue;
		const struct bpf_insn prog[] = {CALL((int32_t)id), MOV_IMM(0, 0), EXIT};
		for (uint32_t ti = 0; ti < NTYPES; ti++) {
			uint32_t type = types[ti].type;
			prog_load(type, prog, 3, "GPL");
			bool kernel_ok = !strstr(logbuf, "cannot use helper") && !strstr(logbuf, "unknown func");
			bool ours_ok = !p->prog_types || (p->prog_types & (1ull << type));
			comparisons++;
			if (kernel_ok != ours_ok) {
				if (helper_exception(id, type, kernel_ok, ours_ok)) {
					exceptions++;
					if (verbose)
						printf("exception: %s from %s: kernel allows, bpfrt refuses (VF_PRIVILEGED_READ)\n",
						       p->name, types[ti].name);
				} else {
					mismatches++;
					printf("MISMATCH helper %s#%u from %s: kernel %s, bpfrt %s\n", p->name, id,
					       types[ti].name, kernel_ok ? "allows" : "refuses",
					       ours_ok ? "allows" : "refuses");
				}
			}
			if (!kernel_ok)
				continue;
			/* GPL: only once per helper, from a type that has it. */
			static uint32_t gpl_done;
			if (gpl_done == id)
				continue;
			gpl_done = id;
			prog_load(type, prog, 3, "MIT");
			bool kernel_gpl = strstr(logbuf, "GPL-restricted") != NULL;
			comparisons++;
			if (kernel_gpl != !!(p->flags & VF_GPL_ONLY)) {
				mismatches++;
				printf("MISMATCH helper %s#%u gpl_only: kernel %d, bpfrt %d\n", p->name, id, kernel_gpl,
				       !!(p->flags & VF_GPL_ONLY));
			}
		}
	}
}

/* ---- 3. map/helper compatibility ----------------------------------------- */

static int map_create(uint32_t type)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = 4, a.value_size = 8, a.max_entries = 4;
	switch (type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		a.value_size = 4;
		break;
	case BPF_MAP_TYPE_LPM_TRIE:
		a.key_size = 8, a.map_flags = BPF_F_NO_PREALLOC;
		break;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS: {
		int inner = map_create(BPF_MAP_TYPE_ARRAY);
		if (inner < 0)
			return inner;
		a.value_size = 4, a.inner_map_fd = (uint32_t)inner;
		int fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
		int err = errno;
		close(inner);
		return fd < 0 ? -err : fd;
	}
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
	case BPF_MAP_TYPE_BLOOM_FILTER:
		a.key_size = 0;
		break;
	case BPF_MAP_TYPE_RINGBUF:
		a.key_size = 0, a.value_size = 0, a.max_entries = 4096;
		break;
	}
	int fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

/* The program calling helper id with a map of fd and plausible arguments:
 * r6 = ctx, 64 zeroed stack bytes at fp-64, r0 = 0 at exit. */
static uint32_t map_prog(struct bpf_insn *p, uint32_t id, int fd, bool pkt)
{
	uint32_t n = 0, bounds = 0;
	p[n++] = MOV_REG(6, 1);
	p[n++] = MOV_IMM(0, 0);
	for (int i = 1; i <= 8; i++)
		p[n++] = INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 0, (int16_t)(-8 * i), 0);
	if (pkt) { /* r7 = 64 checked bytes of packet (XDP) instead of the stack */
		p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 7, 6, 0, 0);
		p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 6, 4, 0);
		p[n++] = MOV_REG(4, 7);
		p[n++] = ADD_IMM(4, 64);
		bounds = n;
		p[n++] = INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 0, 0); /* to the exit, patched below */
	} else {
		p[n++] = MOV_REG(7, 10);
		p[n++] = ADD_IMM(7, -64);
	}
	bool map_in_r2 = id == BPF_FUNC_tail_call || id == BPF_FUNC_perf_event_output;
	struct bpf_insn ld[] = {LD_MAP(map_in_r2 ? 2 : 1, fd)};
	p[n++] = ld[0], p[n++] = ld[1];
	uint32_t func_at = 0;
	switch (id) {
	case BPF_FUNC_map_update_elem:
		p[n++] = MOV_REG(2, 7), p[n++] = MOV_REG(3, 7), p[n++] = MOV_IMM(4, 0);
		break;
	case BPF_FUNC_map_push_elem:
		p[n++] = MOV_REG(2, 7), p[n++] = MOV_IMM(3, 0);
		break;
	case BPF_FUNC_tail_call:
		p[n++] = MOV_REG(1, 6), p[n++] = MOV_IMM(3, 0);
		break;
	case BPF_FUNC_perf_event_output:
		p[n++] = MOV_REG(1, 6), p[n++] = MOV_IMM(3, 0), p[n++] = MOV_REG(4, 7), p[n++] = MOV_IMM(5, 8);
		break;
	case BPF_FUNC_ringbuf_output:
		p[n++] = MOV_REG(2, 7), p[n++] = MOV_IMM(3, 8), p[n++] = MOV_IMM(4, 0);
		break;
	case BPF_FUNC_ringbuf_reserve:
		p[n++] = MOV_IMM(2, 8), p[n++] = MOV_IMM(3, 0);
		break;
	case BPF_FUNC_ringbuf_query:
		p[n++] = MOV_IMM(2, 0);
		break;
	case BPF_FUNC_for_each_map_elem:
		func_at = n;
		p[n++] = INSN(0, 0, 0, 0, 0), p[n++] = INSN(0, 0, 0, 0, 0); /* LD_FUNC, patched below */
		p[n++] = MOV_IMM(3, 0), p[n++] = MOV_IMM(4, 0);
		break;
	default: /* lookup, delete, pop, peek: (map, key/value pointer) */
		p[n++] = MOV_REG(2, 7);
		break;
	}
	p[n++] = CALL((int32_t)id);
	if (id == BPF_FUNC_ringbuf_reserve) {
		p[n++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3, 0);
		p[n++] = MOV_REG(1, 0), p[n++] = MOV_IMM(2, 0), p[n++] = CALL(BPF_FUNC_ringbuf_discard);
	}
	if (bounds)
		p[bounds].off = (int16_t)(n - bounds - 1);
	p[n++] = MOV_IMM(0, 0);
	p[n++] = EXIT;
	if (func_at) {
		struct bpf_insn lf[] = {LD_FUNC(2, (int32_t)(n - func_at - 1))};
		p[func_at] = lf[0], p[func_at + 1] = lf[1];
		p[n++] = MOV_IMM(0, 0); /* the callback: return 0 */
		p[n++] = EXIT;
	}
	return n;
}

/* A minimal BTF: int, a `int (void)` prototype, two static functions
 * (the program and its callback) for func_info. */
static int load_cb_btf(void)
{
	static const char strs[] = "\0int\0main\0cb";
	uint32_t types[] = {
		1, BTF_KIND_INT << 24, 4, (BTF_INT_SIGNED << 24) | 32, /* [1] int */
		0, BTF_KIND_FUNC_PROTO << 24, 1,                       /* [2] int (void) */
		5, BTF_KIND_FUNC << 24, 2,                             /* [3] main */
		10, BTF_KIND_FUNC << 24, 2,                            /* [4] cb */
	};
	struct btf_header h = {.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h),
			       .type_off = 0, .type_len = sizeof(types), .str_off = sizeof(types),
			       .str_len = sizeof(strs)};
	static uint8_t raw[sizeof(struct btf_header) + sizeof(types) + sizeof(strs)];
	memcpy(raw, &h, sizeof(h));
	memcpy(raw + sizeof(h), types, sizeof(types));
	memcpy(raw + sizeof(h) + sizeof(types), strs, sizeof(strs));
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf = (uintptr_t)raw, a.btf_size = sizeof(raw);
	int fd = (int)syscall(SYS_bpf, BPF_BTF_LOAD, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

static void test_map_compat(void)
{
	cb_btf_fd = load_cb_btf();
	if (cb_btf_fd < 0)
		printf("note: BTF load failed (%d): bpf_for_each_map_elem cases will be inconclusive\n", cb_btf_fd);
	static const struct {
		uint32_t type;
		const char *name;
	} maps[] = {
		{BPF_MAP_TYPE_HASH, "hash"},
		{BPF_MAP_TYPE_ARRAY, "array"},
		{BPF_MAP_TYPE_PROG_ARRAY, "prog_array"},
		{BPF_MAP_TYPE_PERF_EVENT_ARRAY, "perf_event_array"},
		{BPF_MAP_TYPE_PERCPU_HASH, "percpu_hash"},
		{BPF_MAP_TYPE_PERCPU_ARRAY, "percpu_array"},
		{BPF_MAP_TYPE_LRU_HASH, "lru_hash"},
		{BPF_MAP_TYPE_LRU_PERCPU_HASH, "lru_percpu_hash"},
		{BPF_MAP_TYPE_LPM_TRIE, "lpm_trie"},
		{BPF_MAP_TYPE_ARRAY_OF_MAPS, "array_of_maps"},
		{BPF_MAP_TYPE_HASH_OF_MAPS, "hash_of_maps"},
		{BPF_MAP_TYPE_QUEUE, "queue"},
		{BPF_MAP_TYPE_STACK, "stack"},
		{BPF_MAP_TYPE_RINGBUF, "ringbuf"},
		{BPF_MAP_TYPE_BLOOM_FILTER, "bloom_filter"},
	};
	for (size_t mi = 0; mi < sizeof(maps) / sizeof(maps[0]); mi++) {
		int fd = map_create(maps[mi].type);
		if (fd < 0) {
			printf("note: cannot create a kernel %s map (%d); skipped\n", maps[mi].name, fd);
			continue;
		}
		for (uint32_t id = 1; id < __BPF_FUNC_MAX_ID; id++) {
			const struct vf_helper_proto *p = vf_helper_proto(id);
			bool takes_map = false;
			for (int i = 0; p && i < 5; i++)
				takes_map |= p->args[i] == ARG_CONST_MAP_PTR;
			if (!takes_map)
				continue;
			struct bpf_insn prog[64];
			uint32_t n = map_prog(prog, id, fd, false);
			if (id == BPF_FUNC_for_each_map_elem && cb_btf_fd >= 0)
				cb_func_info[0] = 0, cb_func_info[1] = 3, cb_func_info[2] = n - 2, cb_func_info[3] = 4;
			int err = prog_load(BPF_PROG_TYPE_XDP, prog, n, "GPL");
			cb_func_info[1] = 0;
			bool ours_ok = vf_map_helper_ok(maps[mi].type, id);
			/* The kernel's refusals: check_map_func_compatibility, the
			 * tail call's own check, for_each's callback check, and
			 * (queue, stack, bloom filter, ring buffer: no key, or no
			 * value) the zero-sized key or value argument, which the
			 * kernel checks before the map type and refuses. */
			bool kernel_no = strstr(logbuf, "cannot pass map_type") ||
					 strstr(logbuf, "expected prog array map for tail call") ||
					 strstr(logbuf, "callback function not allowed for map") ||
					 strstr(logbuf, "invalid zero-sized read");
			if (err && !kernel_no) {
				inconclusive++;
				if (verbose)
					printf("inconclusive: %s with %s map: %s\n", p->name, maps[mi].name, last_line());
				continue;
			}
			comparisons++;
			if (verbose)
				printf("map %-16s %-24s kernel %s\n", maps[mi].name, p->name, kernel_no ? "refuses" : "allows");
			if (kernel_no == ours_ok) {
				mismatches++;
				printf("MISMATCH map %s with %s: kernel %s, bpfrt %s%s%s\n", maps[mi].name, p->name,
				       kernel_no ? "refuses" : "allows", ours_ok ? "allows" : "refuses",
				       kernel_no ? ": " : "", kernel_no ? last_line() : "");
			}
			/* Packet pointers as the memory arguments (r7) of the
			 * helpers that take some: the kernel's pkt_access. */
			bool uses_r7 = id != BPF_FUNC_tail_call && id != BPF_FUNC_ringbuf_reserve &&
				       id != BPF_FUNC_ringbuf_query && id != BPF_FUNC_for_each_map_elem;
			if (kernel_no || !uses_r7)
				continue;
			n = map_prog(prog, id, fd, true);
			err = prog_load(BPF_PROG_TYPE_XDP, prog, n, "GPL");
			bool pkt_no = strstr(logbuf, "helper access to the packet is not allowed") != NULL;
			if (err && !pkt_no) {
				inconclusive++;
				if (verbose)
					printf("inconclusive: %s with packet memory (%s map): %s\n", p->name, maps[mi].name,
					       last_line());
				continue;
			}
			comparisons++;
			if (verbose)
				printf("pkt %-16s %-24s kernel %s\n", maps[mi].name, p->name, pkt_no ? "refuses" : "allows");
			if (pkt_no == !!(p->flags & VF_PKT_ACCESS)) {
				mismatches++;
				printf("MISMATCH packet memory to %s (%s map): kernel %s, bpfrt %s\n", p->name,
				       maps[mi].name, pkt_no ? "refuses" : "allows",
				       p->flags & VF_PKT_ACCESS ? "allows" : "refuses");
			}
		}
		close(fd);
	}
}

/* ---- 4. return values ---------------------------------------------------- */

static void test_ret(void)
{
	static const int64_t vals[] = {0, 1, 2, 3, 4, 5, 7, -1, INT32_MAX, (int64_t)1 << 32, INT64_MIN};
	for (uint32_t ti = 0; ti < NTYPES; ti++) {
		const struct vf_ctx_desc *d = vf_ctx_desc(types[ti].type);
		if (!d)
			continue;
		for (size_t vi = 0; vi < sizeof(vals) / sizeof(vals[0]); vi++) {
			int64_t v = vals[vi];
			const struct bpf_insn p[] = {INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, (int32_t)(uint32_t)v),
						     INSN(0, 0, 0, 0, (int32_t)((uint64_t)v >> 32)), EXIT};
			bool kernel_ok = prog_load(types[ti].type, p, 3, "GPL") == 0;
			bool ours_ok = d->ret_min > d->ret_max || (v >= d->ret_min && v <= d->ret_max);
			comparisons++;
			if (kernel_ok != ours_ok) {
				mismatches++;
				printf("MISMATCH return %lld from %s: kernel %s, bpfrt %s\n", (long long)v,
				       types[ti].name, kernel_ok ? "accepts" : "rejects", ours_ok ? "accepts" : "rejects");
			}
		}
	}
}

/* ---- table self-checks (no kernel needed) -------------------------------- */

static int self_check(void)
{
	int bad = 0;
	for (uint32_t ti = 0; ti < NTYPES; ti++) {
		const struct vf_ctx_desc *d = vf_ctx_desc(types[ti].type);
		if (!d) {
			printf("FAIL: no context description for %s\n", types[ti].name);
			bad++;
			continue;
		}
		for (uint32_t i = 0; i < d->nr_fields; i++) {
			const struct vf_ctx_field *f = &d->fields[i];
			if (f->off + f->size > d->size || (i && f->off < d->fields[i - 1].off + d->fields[i - 1].size)) {
				printf("FAIL: %s field %s out of order, overlapping or outside the context\n",
				       types[ti].name, f->name);
				bad++;
			}
		}
	}
	/* Every helper bpfrt registers has a prototype, and every prototype a
	 * helper (bpf_tail_call is the interpreter's own). */
	struct bpfrt *rt = bpfrt_new(NULL);
	if (!rt) {
		printf("FAIL: bpfrt_new\n");
		return bad + 1;
	}
	for (uint32_t id = 1; id < BPFRT_MAX_HELPERS; id++) {
		bool registered = rt->helpers[id].fn != NULL;
		bool proto = vf_helper_proto(id) != NULL;
		if (registered != proto && !(id == BPF_FUNC_tail_call && proto)) {
			printf("FAIL: helper %u (%s): registered %d, prototype %d\n", id,
			       rt->helpers[id].name ? rt->helpers[id].name : "?", registered, proto);
			bad++;
		}
	}
	bpfrt_free(rt);
	return bad;
}

int main(int argc, char **argv)
{
	verbose = argc > 1 && !strcmp(argv[1], "-v");
	int bad = self_check();
	/* Is the kernel's bpf() there? */
	const struct bpf_insn probe[] = {MOV_IMM(0, 0), EXIT};
	int err = prog_load(BPF_PROG_TYPE_SOCKET_FILTER, probe, 2, "GPL");
	if (err) {
		printf("kernel bpf() unavailable (%s): only the table self-checks ran (%d failures)\n", strerror(-err),
		       bad);
		return bad ? 1 : 77;
	}
	test_ctx();
	test_helpers();
	test_map_compat();
	test_ret();
	printf("test_ctx_table: %d comparisons with the kernel, %d mismatches, %d listed exceptions, "
	       "%d inconclusive map cases, %d self-check failures\n",
	       comparisons, mismatches, exceptions, inconclusive, bad);
	return mismatches || bad ? 1 : 0;
}
