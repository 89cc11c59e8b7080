/* devmap_diff.c — DEVMAP / DEVMAP_HASH and bpf_redirect / bpf_redirect_map
 * against the host kernel, through the same bpf(2) calls on both sides:
 * map creation rules (key/value sizes, flags), update/lookup/delete/
 * get_next_key results and errno (devices that exist — loopback — and
 * ones that don't, empty slots, keys past the end, BPF_NOEXIST/BPF_EXIST),
 * and the verdicts of XDP programs calling bpf_redirect_map (hits, misses
 * with each fallback action, broadcast, refused flags) and bpf_redirect,
 * run by BPF_PROG_TEST_RUN on both.  Exits 77 without the kernel's bpf().
 */
#define _GNU_SOURCE
#include "bpfrt/bpfrt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

static struct bpfrt *rt;
static int failures, cases;

static int sys(bool kernel, int cmd, union bpf_attr *a)
{
	if (!kernel)
		return bpfrt_bpf(rt, cmd, a, sizeof(*a));
	int r = (int)syscall(SYS_bpf, cmd, a, sizeof(*a));
	return r < 0 ? -errno : r;
}

static void sys_close(bool kernel, int fd)
{
	if (fd >= 0)
		kernel ? close(fd) : bpfrt_close(rt, fd);
}

static int map_create(bool k, uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = n;
	a.map_flags = flags;
	return sys(k, BPF_MAP_CREATE, &a);
}

static int elem(bool k, int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)key;
	if (cmd == BPF_MAP_GET_NEXT_KEY)
		a.next_key = (uintptr_t)value;
	else
		a.value = (uintptr_t)value;
	a.flags = flags;
	return sys(k, cmd, &a);
}

#define SAME(what, kv, uv)                                                                               \
	do {                                                                                             \
		cases++;                                                                                 \
		long long k_ = (long long)(kv), u_ = (long long)(uv);                                    \
		if (k_ != u_ && failures++ < 30)                                                         \
			fprintf(stderr, "MISMATCH %s: kernel %lld, bpfrt %lld\n", what, k_, u_);         \
	} while (0)

static void test_create(void)
{
	static const struct {
		uint32_t type, ks, vs, n, flags;
	} c[] = {
		{BPF_MAP_TYPE_DEVMAP, 4, 4, 8, 0},	    {BPF_MAP_TYPE_DEVMAP, 4, 8, 8, 0},
		{BPF_MAP_TYPE_DEVMAP, 4, 5, 8, 0},	    {BPF_MAP_TYPE_DEVMAP, 8, 4, 8, 0},
		{BPF_MAP_TYPE_DEVMAP, 4, 4, 0, 0},	    {BPF_MAP_TYPE_DEVMAP, 4, 4, 8, BPF_F_NO_PREALLOC},
		{BPF_MAP_TYPE_DEVMAP, 4, 4, 8, BPF_F_RDONLY}, {BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 8, 0},
		{BPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 8, 0},	    {BPF_MAP_TYPE_DEVMAP_HASH, 4, 16, 8, 0},
		{BPF_MAP_TYPE_DEVMAP_HASH, 2, 4, 8, 0},	    {BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 8, BPF_F_MMAPABLE},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int kf = map_create(true, c[i].type, c[i].ks, c[i].vs, c[i].n, c[i].flags);
		int uf = map_create(false, c[i].type, c[i].ks, c[i].vs, c[i].n, c[i].flags);
		char what[96];
		snprintf(what, sizeof(what), "create type %u key %u value %u entries %u flags %#x", c[i].type, c[i].ks,
			 c[i].vs, c[i].n, c[i].flags);
		SAME(what, kf < 0 ? kf : 0, uf < 0 ? uf : 0);
		sys_close(true, kf);
		sys_close(false, uf);
	}
}

/* The same sequence of operations on a map of each side. */
static void test_ops(uint32_t type, uint32_t vs)
{
	int fd[2] = {map_create(true, type, 4, vs, 4, 0), map_create(false, type, 4, vs, 4, 0)};
	if (fd[0] < 0 || fd[1] < 0) {
		SAME("ops: create", fd[0] < 0 ? fd[0] : 0, fd[1] < 0 ? fd[1] : 0);
		return;
	}
	static const struct {
		int cmd;
		uint32_t key, v0, v1;
		uint64_t flags;
	} ops[] = {
		{BPF_MAP_LOOKUP_ELEM, 0, 0, 0, 0},	   {BPF_MAP_UPDATE_ELEM, 0, 1, 0, BPF_ANY},
		{BPF_MAP_LOOKUP_ELEM, 0, 0, 0, 0},	   {BPF_MAP_UPDATE_ELEM, 1, 1, 0, BPF_NOEXIST},
		{BPF_MAP_UPDATE_ELEM, 0, 1, 0, BPF_NOEXIST}, {BPF_MAP_UPDATE_ELEM, 2, 1, 0, BPF_EXIST},
		{BPF_MAP_UPDATE_ELEM, 3, 999999, 0, BPF_ANY}, {BPF_MAP_UPDATE_ELEM, 4, 1, 0, BPF_ANY},
		{BPF_MAP_UPDATE_ELEM, 2, 1, 0, 7},	   {BPF_MAP_UPDATE_ELEM, 2, 0, 0, BPF_ANY},
		{BPF_MAP_LOOKUP_ELEM, 2, 0, 0, 0},	   {BPF_MAP_GET_NEXT_KEY, ~0u, 0, 0, 0},
		{BPF_MAP_GET_NEXT_KEY, 0, 0, 0, 0},	   {BPF_MAP_GET_NEXT_KEY, 3, 0, 0, 0},
		{BPF_MAP_DELETE_ELEM, 0, 0, 0, 0},	   {BPF_MAP_DELETE_ELEM, 0, 0, 0, 0},
		{BPF_MAP_DELETE_ELEM, 9, 0, 0, 0},	   {BPF_MAP_LOOKUP_ELEM, 0, 0, 0, 0},
		{BPF_MAP_LOOKUP_ELEM, 9, 0, 0, 0},	   {BPF_MAP_UPDATE_ELEM, 1, 1, 0, BPF_EXIST},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		long long r[2], out[2] = {0, 0};
		for (int s = 0; s < 2; s++) {
			uint32_t key = ops[i].key, v[2] = {ops[i].v0, ops[i].v1}, o[2] = {0xdead, 0xbeef};
			const void *kp = key == ~0u ? NULL : &key;
			r[s] = elem(s == 0, ops[i].cmd, fd[s], kp, ops[i].cmd == BPF_MAP_UPDATE_ELEM ? (void *)v : (void *)o,
				    ops[i].flags);
			if (!r[s] && ops[i].cmd != BPF_MAP_UPDATE_ELEM && ops[i].cmd != BPF_MAP_DELETE_ELEM)
				out[s] = o[0] | (long long)(vs == 8 ? o[1] : 0) << 32;
		}
		char what[96];
		snprintf(what, sizeof(what), "type %u value %u op %zu (cmd %d key %d)", type, vs, i, ops[i].cmd,
			 (int)ops[i].key);
		/* DEVMAP_HASH walks in hash order, which differs: its next keys
		 * (and whether one follows a given key) aren't compared. */
		if (ops[i].cmd == BPF_MAP_GET_NEXT_KEY && type == BPF_MAP_TYPE_DEVMAP_HASH)
			continue;
		SAME(what, r[0], r[1]);
		SAME(what, out[0], out[1]);
	}
	sys_close(true, fd[0]);
	sys_close(false, fd[1]);
}

/* r0 = bpf_redirect_map(map, key, flags) (map_fd >= 0) or bpf_redirect(key, flags). */
static int prog_load(bool k, int map_fd, uint32_t key, uint64_t flags)
{
	struct bpf_insn insns[8];
	int n = 0;
	if (map_fd >= 0) {
		insns[n++] = INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, map_fd);
		insns[n++] = INSN(0, 0, 0, 0, 0);
	} else {
		insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, (int32_t)key);
	}
	insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, map_fd >= 0 ? 2 : 2, 0, 0,
			  map_fd >= 0 ? (int32_t)key : (int32_t)flags);
	if (map_fd >= 0)
		insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, (int32_t)flags);
	insns[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, map_fd >= 0 ? BPF_FUNC_redirect_map : BPF_FUNC_redirect);
	insns[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uintptr_t) "GPL";
	return sys(k, BPF_PROG_LOAD, &a);
}

static long long test_run(bool k, int prog)
{
	uint8_t pkt[64] = {0}, out[128];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	a.test.data_out = (uintptr_t)out;
	a.test.data_size_out = sizeof(out);
	int err = sys(k, BPF_PROG_TEST_RUN, &a);
	return err ? err : (long long)a.test.retval;
}

static void test_verdicts(uint32_t type)
{
	int map[2];
	for (int s = 0; s < 2; s++) {
		map[s] = map_create(s == 0, type, 4, 4, 4, 0);
		uint32_t key = 1, lo = 1;
		elem(s == 0, BPF_MAP_UPDATE_ELEM, map[s], &key, &lo, BPF_ANY);
	}
	static const struct {
		uint32_t key;
		uint64_t flags;
	} c[] = {
		{1, 0}, {2, 0}, {2, XDP_DROP}, {2, XDP_PASS}, {2, XDP_TX}, {2, 4}, {1, BPF_F_BROADCAST},
		{2, BPF_F_BROADCAST}, {1, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS}, {1, 1ull << 5}, {7, XDP_PASS},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		long long r[2];
		for (int s = 0; s < 2; s++) {
			int p = prog_load(s == 0, map[s], c[i].key, c[i].flags);
			r[s] = p < 0 ? p : test_run(s == 0, p);
			sys_close(s == 0, p);
		}
		char what[96];
		snprintf(what, sizeof(what), "redirect_map type %u key %u flags %#llx", type, c[i].key,
			 (unsigned long long)c[i].flags);
		SAME(what, r[0], r[1]);
	}
	for (int s = 0; s < 2; s++)
		sys_close(s == 0, map[s]);
	/* bpf_redirect: any flag aborts in XDP. */
	for (uint64_t flags = 0; flags < 3; flags++) {
		long long r[2];
		for (int s = 0; s < 2; s++) {
			int p = prog_load(s == 0, -1, 5, flags);
			r[s] = p < 0 ? p : test_run(s == 0, p);
			sys_close(s == 0, p);
		}
		char what[64];
		snprintf(what, sizeof(what), "xdp redirect flags %llu", (unsigned long long)flags);
		SAME(what, r[0], r[1]);
	}
}

int main(void)
{
	int probe = map_create(true, BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
	if (probe < 0) {
		printf("SKIP: the kernel's bpf() is unavailable here (%s)\n", strerror(-probe));
		return 77;
	}
	close(probe);
	struct bpfrt_opts o = {.sz = sizeof(o)};
	rt = bpfrt_new(&o);
	if (!rt)
		return 1;
	test_create();
	test_ops(BPF_MAP_TYPE_DEVMAP, 4);
	test_ops(BPF_MAP_TYPE_DEVMAP, 8);
	test_ops(BPF_MAP_TYPE_DEVMAP_HASH, 4);
	test_ops(BPF_MAP_TYPE_DEVMAP_HASH, 8);
	test_verdicts(BPF_MAP_TYPE_DEVMAP);
	test_verdicts(BPF_MAP_TYPE_DEVMAP_HASH);
	bpfrt_free(rt);
	printf("%d cases, %d mismatches\n", cases, failures);
	return failures ? 1 : 0;
}
