/* test_map_diff.c — differential test of bpfrt's maps against the host kernel's.
 * Per map type, the same map is made in the kernel (bpf(2)) and in bpfrt, the same seeded random
 * sequence of operations (creates with bad attributes, updates with every flag, lookups, deletes,
 * get_next_key, lookup_and_delete, push/pop/peek, the batch commands, freeze) runs on both, and
 * every return value, errno and returned value must agree; then the full contents are compared.
 * Then the maps of fds (PROG_ARRAY, ARRAY_OF_MAPS, HASH_OF_MAPS, PERF_EVENT_ARRAY), compared by
 * the logical object each id names, and RINGBUF, whose records programs write on both sides.
 * Env: BPFRT_MAP_DIFF_SEED (unset: a fixed list of seeds; N: that seed; "random": a new one,
 * printed with the command that replays it), BPFRT_MAP_DIFF_OPS.  Exits 77 (CTest skip) when bpf() is unavailable. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "../unit/btf_build.h"

#define ENOTSUPP 524 /* the kernel's internal "not supported", which bpf() returns */
#define MAX_KEY 16
#define MAX_BATCH 16
#define MAX_PRINT 5  /* mismatches printed per type */
#define MAX_MISMATCH 50 /* a type stops after this many: the two sides have diverged */

/* What is comparable depends on the family:
 *  - hash maps iterate in a different order: get_next_key from an existing key and batch
 *    walks are compared as sets (a whole walk per op), not call by call;
 *  - LRU maps evict by their own choice: the key universe stays under half of max_entries
 *    so nothing is ever evicted while results are compared; a last "overflow" phase checks
 *    only what doesn't depend on the victim (update results, size <= max_entries);
 *  - the bloom filter's false positives depend on its hash functions: lookups are compared
 *    only for values that were pushed (both must say "maybe present");
 *  - the kernel's hash batch walk returns -ENOSPC when one bucket doesn't fit in count,
 *    bpfrt never does: the walk doubles count and retries on that side only. */
enum kind { K_ARRAY, K_HASH, K_LRU, K_LPM, K_QUEUE, K_BLOOM };

struct tcase {
	const char *name;
	uint32_t type, key_size, value_size, max_entries, map_flags;
	enum kind kind;
	bool percpu;
	uint32_t universe; /* distinct keys used */
};

static const struct tcase cases[] = {
	{"ARRAY", BPF_MAP_TYPE_ARRAY, 4, 12, 48, 0, K_ARRAY, false, 52},
	{"PERCPU_ARRAY", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 32, 0, K_ARRAY, true, 36},
	{"HASH", BPF_MAP_TYPE_HASH, 6, 12, 48, 0, K_HASH, false, 72},
	{"PERCPU_HASH", BPF_MAP_TYPE_PERCPU_HASH, 6, 8, 32, 0, K_HASH, true, 48},
	{"LRU_HASH", BPF_MAP_TYPE_LRU_HASH, 4, 8, 1024, 0, K_LRU, false, 256},
	{"LRU_PERCPU_HASH", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 1024, 0, K_LRU, true, 256},
	{"LPM_TRIE", BPF_MAP_TYPE_LPM_TRIE, 8, 8, 40, BPF_F_NO_PREALLOC, K_LPM, false, 0},
	{"QUEUE", BPF_MAP_TYPE_QUEUE, 0, 8, 16, 0, K_QUEUE, false, 0},
	{"STACK", BPF_MAP_TYPE_STACK, 0, 8, 16, 0, K_QUEUE, false, 0},
	{"BLOOM_FILTER", BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 64, 0, K_BLOOM, false, 0},
};

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rnd(r) % n);
}

static struct bpfrt *rt;
static uint32_t ncpus;

/* side 0: the kernel, side 1: bpfrt.  attr is the caller's copy (batch commands write count). */
static int sys_bpf(int side, int cmd, union bpf_attr *attr)
{
	if (side == 1)
		return bpfrt_bpf(rt, cmd, attr, sizeof(*attr));
	long r = syscall(SYS_bpf, cmd, attr, sizeof(*attr));
	return r < 0 ? -errno : (int)r;
}

static void close_fd(int side, int fd)
{
	if (fd < 0)
		return;
	if (side == 1)
		bpfrt_close(rt, fd);
	else
		close(fd);
}

/* ---- One type's run ----------------------------------------------------- */

struct run {
	const struct tcase *tc;
	struct rng rng;
	int fd[2];
	uint64_t idx, ops, mismatches;
	uint32_t uvs; /* value bytes as the application exchanges them */
	bool frozen;
	/* bloom: values pushed (comparable lookups) */
	uint64_t pushed[256];
	uint32_t npushed;
};

static const char *cmd_name(int cmd)
{
	static const char *names[] = {
		[BPF_MAP_CREATE] = "MAP_CREATE", [BPF_MAP_LOOKUP_ELEM] = "LOOKUP_ELEM",
		[BPF_MAP_UPDATE_ELEM] = "UPDATE_ELEM", [BPF_MAP_DELETE_ELEM] = "DELETE_ELEM",
		[BPF_MAP_GET_NEXT_KEY] = "GET_NEXT_KEY", [BPF_MAP_FREEZE] = "FREEZE",
		[BPF_MAP_LOOKUP_AND_DELETE_ELEM] = "LOOKUP_AND_DELETE_ELEM",
		[BPF_MAP_LOOKUP_BATCH] = "LOOKUP_BATCH",
		[BPF_MAP_LOOKUP_AND_DELETE_BATCH] = "LOOKUP_AND_DELETE_BATCH",
		[BPF_MAP_UPDATE_BATCH] = "UPDATE_BATCH", [BPF_MAP_DELETE_BATCH] = "DELETE_BATCH",
	};
	return cmd >= 0 && cmd < (int)(sizeof(names) / sizeof(names[0])) && names[cmd] ? names[cmd]
											  : "?";
}

static void hex(char *out, size_t cap, const void *p, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 3 < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%02x", ((const uint8_t *)p)[i]);
	if (n * 2 + 1 > cap && cap > 4)
		strcpy(out + cap - 4, "..");
	out[o < cap ? o : cap - 1] = 0;
}

/* Records a mismatch: what, and both sides' results. */
static void mismatch(struct run *r, const char *op, const char *detail, int rk, int rb)
{
	r->mismatches++;
	if (r->mismatches <= MAX_PRINT)
		printf("MISMATCH %s op #%" PRIu64 " %s: kernel %d (%s), bpfrt %d (%s)%s%s\n", r->tc->name,
		       r->idx, op, rk, rk < 0 ? strerror(-rk) : "ok", rb, rb < 0 ? strerror(-rb) : "ok",
		       detail ? ": " : "", detail ? detail : "");
}

static bool same_ret(struct run *r, const char *op, int rk, int rb)
{
	/* Both sides' successful creates return different fds: compare success only. */
	if (rk == rb || (rk >= 0 && rb >= 0))
		return true;
	mismatch(r, op, NULL, rk, rb);
	return false;
}

static void same_bytes(struct run *r, const char *op, const char *what, const void *k,
		       const void *b, size_t n)
{
	if (!memcmp(k, b, n))
		return;
	char hk[80], hb[80], d[220];
	hex(hk, sizeof(hk), k, n);
	hex(hb, sizeof(hb), b, n);
	snprintf(d, sizeof(d), "%s differ: kernel %s, bpfrt %s", what, hk, hb);
	mismatch(r, op, d, 0, 0);
}

/* The key numbered u of the universe (hash and array kinds). */
static void key_of(const struct run *r, uint32_t u, uint8_t *key)
{
	memset(key, 0, MAX_KEY);
	memcpy(key, &u, 4);
	for (uint32_t i = 4; i < r->tc->key_size; i++)
		key[i] = (uint8_t)(u % 3 + i);
}

/* A random key: from the universe, or for LPM a random prefix (sometimes too long). */
static void rand_key(struct run *r, uint8_t *key)
{
	if (r->tc->kind == K_LPM) {
		static const uint32_t bases[] = {0x0a000000, 0x0a010000, 0xc0a80100, 0xffffffff, 0};
		uint32_t plen = below(&r->rng, 20) ? below(&r->rng, 33) : 33 + below(&r->rng, 8);
		uint32_t addr = bases[below(&r->rng, 5)] ^ (below(&r->rng, 4) ? 0 : (uint32_t)rnd(&r->rng) & 0xffff);
		memset(key, 0, MAX_KEY);
		memcpy(key, &plen, 4);
		for (int i = 0; i < 4; i++)
			key[4 + i] = (uint8_t)(addr >> (24 - 8 * i)); /* MSB first */
		return;
	}
	if (!r->tc->universe) {
		memset(key, 0, MAX_KEY);
		return;
	}
	key_of(r, below(&r->rng, r->tc->universe), key);
}

static void rand_value(struct run *r, uint8_t *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		v[i] = (uint8_t)rnd(&r->rng);
}

static bool keyless(const struct run *r)
{
	return r->tc->kind == K_QUEUE || r->tc->kind == K_BLOOM;
}

/* One element command on both sides; lookups compare the value too.  Returns the kernel's result. */
static int elem_op_v(struct run *r, int cmd, const uint8_t *key, const uint8_t *value, uint64_t flags,
		      bool out_value, bool with_value)
{
	uint8_t v[2][4096];
	union bpf_attr a[2];
	int ret[2];
	for (int s = 0; s < 2; s++) {
		memset(&a[s], 0, sizeof(a[s]));
		a[s].map_fd = (uint32_t)r->fd[s];
		a[s].key = (uintptr_t)key;
		if (value)
			memcpy(v[s], value, r->uvs);
		else
			memset(v[s], 0xa5, r->uvs);
		/* DELETE_ELEM's last field is key: a value there is -EINVAL in the kernel */
		if (cmd != BPF_MAP_DELETE_ELEM || with_value)
			a[s].value = (uintptr_t)v[s];
		if (cmd != BPF_MAP_DELETE_ELEM)
			a[s].flags = flags;
		ret[s] = sys_bpf(s, cmd, &a[s]);
	}
	char op[96];
	snprintf(op, sizeof(op), "%s flags %#" PRIx64 "%s%s", cmd_name(cmd), flags, key ? "" : " key NULL",
		 cmd == BPF_MAP_DELETE_ELEM && with_value ? " value set" : "");
	if (same_ret(r, op, ret[0], ret[1]) && ret[0] == 0 && out_value)
		same_bytes(r, op, "values", v[0], v[1], r->uvs);
	return ret[0];
}

static int elem_op(struct run *r, int cmd, const uint8_t *key, const uint8_t *value, uint64_t flags,
		   bool out_value)
{
	return elem_op_v(r, cmd, key, value, flags, out_value, false);
}

static void next_key_op(struct run *r, const uint8_t *key, bool compare_key, bool compare_ret)
{
	uint8_t nk[2][MAX_KEY];
	int ret[2];
	for (int s = 0; s < 2; s++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		memset(nk[s], 0, sizeof(nk[s]));
		a.map_fd = (uint32_t)r->fd[s];
		a.key = (uintptr_t)key;
		a.next_key = (uintptr_t)nk[s];
		ret[s] = sys_bpf(s, BPF_MAP_GET_NEXT_KEY, &a);
	}
	const char *op = key ? "GET_NEXT_KEY" : "GET_NEXT_KEY key NULL";
	if (!compare_ret)
		return;
	if (same_ret(r, op, ret[0], ret[1]) && ret[0] == 0 && compare_key)
		same_bytes(r, op, "next keys", nk[0], nk[1], r->tc->key_size);
}

static int batch_call(struct run *r, int s, int cmd, const void *in, void *out, void *keys,
		      void *values, uint32_t *count, uint64_t elem_flags, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.batch.map_fd = (uint32_t)r->fd[s];
	a.batch.in_batch = (uintptr_t)in, a.batch.out_batch = (uintptr_t)out;
	a.batch.keys = (uintptr_t)keys, a.batch.values = (uintptr_t)values;
	a.batch.count = *count, a.batch.elem_flags = elem_flags, a.batch.flags = flags;
	int ret = sys_bpf(s, cmd, &a);
	*count = a.batch.count;
	return ret;
}

static uint64_t rand_elem_flags(struct run *r)
{
	static const uint64_t bad[] = {BPF_F_LOCK, BPF_NOEXIST, BPF_EXIST, 8, 1ull << 40};
	return below(&r->rng, 10) ? 0 : bad[below(&r->rng, 5)];
}

/* UPDATE_BATCH / DELETE_BATCH (and, where order can't matter, the others). */
static void batch_write_op(struct run *r, int cmd)
{
	uint32_t n = below(&r->rng, 7);
	static uint8_t keys[MAX_BATCH * MAX_KEY], values[MAX_BATCH * 4096];
	for (uint32_t i = 0; i < n; i++) {
		if (!keyless(r))
			rand_key(r, keys + i * r->tc->key_size);
		rand_value(r, values + (size_t)i * r->uvs, r->uvs);
	}
	uint64_t ef = rand_elem_flags(r), fl = below(&r->rng, 10) ? 0 : 1;
	uint32_t cnt[2] = {n, n};
	int ret[2];
	for (int s = 0; s < 2; s++)
		ret[s] = batch_call(r, s, cmd, NULL, NULL, keyless(r) ? NULL : keys, values, &cnt[s], ef, fl);
	char op[96];
	snprintf(op, sizeof(op), "%s n %u elem_flags %#" PRIx64 " flags %#" PRIx64, cmd_name(cmd), n, ef, fl);
	if (same_ret(r, op, ret[0], ret[1]) && cnt[0] != cnt[1]) {
		char d[64];
		snprintf(d, sizeof(d), "count kernel %u, bpfrt %u", cnt[0], cnt[1]);
		mismatch(r, op, d, ret[0], ret[1]);
	}
}

/* LOOKUP_BATCH for arrays and LPM (order is the kernel's): one call, compared exactly. */
static void batch_lookup_ordered(struct run *r)
{
	static uint8_t keys[2][MAX_BATCH * MAX_KEY], values[2][MAX_BATCH * 4096];
	uint8_t in[MAX_KEY], out[2][MAX_KEY];
	bool has_in = below(&r->rng, 3) != 0;
	if (has_in)
		rand_key(r, in);
	uint32_t n = below(&r->rng, 10);
	uint64_t ef = rand_elem_flags(r), fl = below(&r->rng, 10) ? 0 : 1;
	uint32_t cnt[2] = {n, n};
	int ret[2];
	for (int s = 0; s < 2; s++) {
		memset(out[s], 0x5a, sizeof(out[s]));
		ret[s] = batch_call(r, s, BPF_MAP_LOOKUP_BATCH, has_in ? in : NULL, out[s], keys[s],
				    values[s], &cnt[s], ef, fl);
	}
	char op[96];
	snprintf(op, sizeof(op), "LOOKUP_BATCH n %u in %s elem_flags %#" PRIx64, n, has_in ? "key" : "NULL", ef);
	if (!same_ret(r, op, ret[0], ret[1]))
		return;
	if (cnt[0] != cnt[1]) {
		char d[64];
		snprintf(d, sizeof(d), "count kernel %u, bpfrt %u", cnt[0], cnt[1]);
		mismatch(r, op, d, ret[0], ret[1]);
		return;
	}
	same_bytes(r, op, "keys", keys[0], keys[1], (size_t)cnt[0] * r->tc->key_size);
	same_bytes(r, op, "values", values[0], values[1], (size_t)cnt[0] * r->uvs);
	same_bytes(r, op, "out_batch", out[0], out[1], r->tc->key_size);
}

static int cmp_elem_size;
static int cmp_elem(const void *a, const void *b)
{
	return memcmp(a, b, (size_t)cmp_elem_size);
}

/* A whole batch walk of a hash map on one side into key||value records; returns the last result. */
static int hash_walk(struct run *r, int s, bool del, uint32_t chunk, uint8_t *recs, uint32_t *nrec)
{
	uint32_t ks = r->tc->key_size, token = 0, total = 0, cap = r->tc->max_entries;
	static uint8_t keys[1024 * MAX_KEY], values[1024 * 256];
	int ret, calls = 0;
	for (;;) {
		uint32_t cnt = chunk;
		ret = batch_call(r, s, del ? BPF_MAP_LOOKUP_AND_DELETE_BATCH : BPF_MAP_LOOKUP_BATCH,
				 calls ? &token : NULL, &token, keys, values, &cnt, 0, 0);
		if (ret == -ENOSPC && chunk < cap) {
			chunk *= 2; /* the kernel's bucket didn't fit */
			continue;
		}
		for (uint32_t i = 0; i < cnt && total < cap; i++, total++) {
			memcpy(recs + (size_t)total * (ks + r->uvs), keys + (size_t)i * ks, ks);
			memcpy(recs + (size_t)total * (ks + r->uvs) + ks, values + (size_t)i * r->uvs, r->uvs);
		}
		calls++;
		if (ret != 0 || calls >= 100000)
			break;
	}
	*nrec = total;
	cmp_elem_size = (int)(ks + r->uvs);
	qsort(recs, total, ks + r->uvs, cmp_elem);
	return ret;
}

static void hash_walk_op(struct run *r, bool del)
{
	static uint8_t recs[2][1024 * (MAX_KEY + 256)];
	uint32_t n[2], chunk = 1 + below(&r->rng, 16);
	int ret[2];
	for (int s = 0; s < 2; s++)
		ret[s] = hash_walk(r, s, del, chunk, recs[s], &n[s]);
	char op[96];
	snprintf(op, sizeof(op), "%s walk by %u", del ? "LOOKUP_AND_DELETE_BATCH" : "LOOKUP_BATCH", chunk);
	if (!same_ret(r, op, ret[0], ret[1]))
		return;
	if (n[0] != n[1]) {
		char d[64];
		snprintf(d, sizeof(d), "elements kernel %u, bpfrt %u", n[0], n[1]);
		mismatch(r, op, d, ret[0], ret[1]);
		return;
	}
	same_bytes(r, op, "element sets", recs[0], recs[1], (size_t)n[0] * (r->tc->key_size + r->uvs));
}

/* Single hash batch calls whose result can't depend on order: count 0, bad flags, a stale token. */
static void hash_batch_misc(struct run *r)
{
	static uint8_t keys[MAX_BATCH * MAX_KEY], values[MAX_BATCH * 4096];
	uint32_t token[2] = {0, 0}, in = below(&r->rng, 3) ? 0xffffffffu : 0x7fffffff;
	int which = (int)below(&r->rng, 3);
	uint32_t n = which == 0 ? 0 : 1 + below(&r->rng, 4);
	uint64_t ef = which == 1 ? rand_elem_flags(r) | BPF_F_LOCK : 0, fl = which == 1 ? 0 : 1;
	if (which == 2)
		fl = 0; /* a token past the end */
	if (which == 0)
		fl = below(&r->rng, 2);
	int cmd = below(&r->rng, 2) ? BPF_MAP_LOOKUP_BATCH : BPF_MAP_LOOKUP_AND_DELETE_BATCH;
	uint32_t cnt[2] = {n, n};
	int ret[2];
	for (int s = 0; s < 2; s++)
		ret[s] = batch_call(r, s, cmd, which == 2 ? &in : NULL, &token[s], keys, values, &cnt[s],
				    ef, fl);
	char op[96];
	snprintf(op, sizeof(op), "%s misc %d n %u", cmd_name(cmd), which, n);
	if (same_ret(r, op, ret[0], ret[1]) && cnt[0] != cnt[1]) {
		char d[64];
		snprintf(d, sizeof(d), "count kernel %u, bpfrt %u", cnt[0], cnt[1]);
		mismatch(r, op, d, ret[0], ret[1]);
	}
}

/* MAP_CREATE with one attribute made bad (or, sometimes, still good). */
static void create_op(struct run *r)
{
	const struct tcase *tc = r->tc;
	union bpf_attr base;
	memset(&base, 0, sizeof(base));
	base.map_type = tc->type, base.key_size = tc->key_size, base.value_size = tc->value_size;
	base.max_entries = tc->max_entries, base.map_flags = tc->map_flags;
	static const uint32_t sizes[] = {0, 1, 2, 3, 4, 5, 8, 9, 64, 257, 512, 4096, 65536, 1u << 22, 0xffffffffu};
	static const uint32_t entries[] = {0, 1, 2, 3, 64, 1u << 20, 0x80000000u, 0xffffffffu};
	static const uint32_t flags[] = {
		BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY,
		BPF_F_STACK_BUILD_ID, BPF_F_ZERO_SEED, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_CLONE,
		BPF_F_MMAPABLE, BPF_F_PRESERVE_ELEMS, BPF_F_INNER_MAP, BPF_F_RDONLY | BPF_F_WRONLY, 1u << 30};
	char op[96];
	switch (below(&r->rng, 6)) {
	case 0:
		base.key_size = sizes[below(&r->rng, 15)];
		snprintf(op, sizeof(op), "MAP_CREATE key_size %u", base.key_size);
		break;
	case 1:
		base.value_size = sizes[below(&r->rng, 15)];
		snprintf(op, sizeof(op), "MAP_CREATE value_size %u", base.value_size);
		break;
	case 2:
		base.max_entries = entries[below(&r->rng, 8)];
		/* big maps only with small values: the kernel really allocates them */
		if (base.max_entries > 64 && tc->kind != K_HASH && tc->kind != K_LRU && tc->kind != K_LPM)
			base.value_size = 1;
		snprintf(op, sizeof(op), "MAP_CREATE max_entries %u value_size %u", base.max_entries, base.value_size);
		break;
	case 3:
		base.map_flags ^= flags[below(&r->rng, 15)];
		snprintf(op, sizeof(op), "MAP_CREATE map_flags %#x", base.map_flags);
		break;
	case 4:
		base.map_extra = below(&r->rng, 2) ? below(&r->rng, 20) : rnd(&r->rng);
		snprintf(op, sizeof(op), "MAP_CREATE map_extra %#" PRIx64, (uint64_t)base.map_extra);
		break;
	default:
		strcpy(base.map_name, below(&r->rng, 2) ? "ok_name.1" : "bad-name");
		snprintf(op, sizeof(op), "MAP_CREATE name %s", base.map_name);
		break;
	}
	/* Preallocated hash maps of 2^31 entries would take the host's memory, and the kernel
	 * allocates per-CPU elements one at a time (minutes before -ENOMEM): kept small. */
	if ((((tc->kind == K_HASH || tc->kind == K_LRU) && !(base.map_flags & BPF_F_NO_PREALLOC)) ||
	     tc->percpu) &&
	    base.max_entries > 4096)
		base.max_entries = 4096;
	/* A 16 GiB array makes the kernel allocate pages until it fails: seconds of sys time. */
	if (base.max_entries > (1u << 20) && !(base.map_flags & BPF_F_NO_PREALLOC) && tc->kind != K_QUEUE &&
	    tc->kind != K_BLOOM)
		base.max_entries = 1u << 20;
	int ret[2];
	for (int s = 0; s < 2; s++) {
		union bpf_attr a = base;
		ret[s] = sys_bpf(s, BPF_MAP_CREATE, &a);
	}
	/* The kernel's -ENOMEM for a huge map is the host's memory, not a rule bpfrt can mirror
	 * (its storage is a sparse file): not compared. */
	if (ret[0] != -ENOMEM)
		same_ret(r, op, ret[0], ret[1]);
	close_fd(0, ret[0]);
	close_fd(1, ret[1]);
}

static uint64_t rand_update_flags(struct run *r)
{
	static const uint64_t f[] = {BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK, 4, 3, 1ull << 33};
	uint32_t i = below(&r->rng, 20);
	return i < 6 ? BPF_ANY : i < 11 ? BPF_NOEXIST : i < 16 ? BPF_EXIST : f[3 + below(&r->rng, 4)];
}

static void one_op(struct run *r)
{
	const struct tcase *tc = r->tc;
	uint8_t key[MAX_KEY], value[4096];
	rand_key(r, key);
	rand_value(r, value, r->uvs);
	uint32_t w = below(&r->rng, 1000);
	if (tc->kind == K_BLOOM && w >= 400)
		w = 600 + below(&r->rng, 400);
	if (w < 20) {
		create_op(r);
	} else if (w < 330) {
		uint64_t fl = rand_update_flags(r);
		int ret = elem_op(r, BPF_MAP_UPDATE_ELEM, keyless(r) ? NULL : key, value, fl, false);
		if (tc->kind == K_BLOOM && ret == 0 && r->npushed < 256)
			memcpy(&r->pushed[r->npushed++], value, 8); /* lookups of it are comparable */
	} else if (w < 530) {
		if (tc->kind == K_BLOOM) {
			if (r->npushed && below(&r->rng, 2))
				memcpy(value, &r->pushed[below(&r->rng, r->npushed)], 8);
			else
				return; /* an absent value's answer depends on the hash functions */
			elem_op(r, BPF_MAP_LOOKUP_ELEM, NULL, value, 0, false);
		} else {
			uint64_t fl = below(&r->rng, 20) ? 0 : below(&r->rng, 2) ? BPF_F_LOCK : 2;
			elem_op(r, BPF_MAP_LOOKUP_ELEM, keyless(r) ? NULL : key, NULL, fl, true);
		}
	} else if (w < 650) {
		/* Now and then with attr.value set, which the kernel's DELETE_ELEM refuses (its last
		 * field is key); on a key never inserted, so a wrong success can't fork the states. */
		bool with_value = below(&r->rng, 50) == 0;
		if (with_value && (tc->kind == K_HASH || tc->kind == K_LRU))
			key_of(r, tc->universe + 5000, key);
		if (with_value && tc->kind == K_LPM)
			memset(key, 0, 4), key[0] = 40; /* prefix longer than the data: never present */
		elem_op_v(r, BPF_MAP_DELETE_ELEM, keyless(r) ? NULL : key, NULL, 0, false, with_value);
	} else if (w < 760) {
		bool hashy = tc->kind == K_HASH || tc->kind == K_LRU;
		uint32_t how = below(&r->rng, 3);
		if (how == 0)
			next_key_op(r, NULL, !hashy, true);
		else if (how == 1)
			next_key_op(r, keyless(r) ? NULL : key, !hashy, !hashy); /* maybe present */
		else {
			uint32_t absent = tc->universe + 1000 + below(&r->rng, 1000); /* never inserted */
			if (tc->kind == K_HASH || tc->kind == K_LRU || tc->kind == K_ARRAY)
				key_of(r, absent, key);
			next_key_op(r, keyless(r) ? NULL : key, !hashy, true);
		}
	} else if (w < 830) {
		uint64_t fl = below(&r->rng, 15) ? 0 : below(&r->rng, 2) ? BPF_F_LOCK : 4;
		elem_op(r, BPF_MAP_LOOKUP_AND_DELETE_ELEM, keyless(r) ? NULL : key, NULL, fl, true);
	} else if (w < 880) {
		batch_write_op(r, BPF_MAP_UPDATE_BATCH);
	} else if (w < 920) {
		batch_write_op(r, BPF_MAP_DELETE_BATCH);
	} else if (w < 970) {
		if (tc->kind == K_HASH || tc->kind == K_LRU) {
			if (below(&r->rng, 4))
				hash_batch_misc(r);
			else
				hash_walk_op(r, false);
		} else {
			batch_lookup_ordered(r);
		}
	} else {
		if ((tc->kind == K_HASH || tc->kind == K_LRU) && below(&r->rng, 8) == 0)
			hash_walk_op(r, true); /* drains the map */
		else if (tc->kind == K_HASH || tc->kind == K_LRU)
			hash_batch_misc(r);
		else
			batch_write_op(r, BPF_MAP_LOOKUP_AND_DELETE_BATCH);
	}
}

/* Every key in get_next_key order into keys; returns the count. */
static uint32_t all_keys(struct run *r, int s, uint8_t *keys, uint32_t cap)
{
	uint32_t n = 0, ks = r->tc->key_size;
	while (n < cap) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)r->fd[s];
		a.key = n ? (uintptr_t)(keys + (size_t)(n - 1) * ks) : 0;
		a.next_key = (uintptr_t)(keys + (size_t)n * ks);
		if (sys_bpf(s, BPF_MAP_GET_NEXT_KEY, &a))
			break;
		n++;
	}
	return n;
}

/* The end: the whole contents, ordered (array, LPM), as sets (hash) or popped in order (queue, stack). */
static void compare_contents(struct run *r)
{
	const struct tcase *tc = r->tc;
	uint32_t ks = tc->key_size, cap = tc->max_entries + 8, rec = ks + r->uvs;
	uint8_t *keys[2], *recs[2];
	uint32_t n[2];
	r->idx = r->ops;
	if (tc->kind == K_BLOOM)
		return;
	if (tc->kind == K_QUEUE) {
		for (uint32_t i = 0; i <= tc->max_entries; i++)
			elem_op(r, BPF_MAP_LOOKUP_AND_DELETE_ELEM, NULL, NULL, 0, true);
		return;
	}
	for (int s = 0; s < 2; s++) {
		keys[s] = calloc(cap, ks);
		recs[s] = calloc(cap, rec);
		n[s] = all_keys(r, s, keys[s], cap);
		for (uint32_t i = 0; i < n[s]; i++) {
			union bpf_attr a;
			memset(&a, 0, sizeof(a));
			a.map_fd = (uint32_t)r->fd[s];
			a.key = (uintptr_t)(keys[s] + (size_t)i * ks);
			a.value = (uintptr_t)(recs[s] + (size_t)i * rec + ks);
			memcpy(recs[s] + (size_t)i * rec, keys[s] + (size_t)i * ks, ks);
			sys_bpf(s, BPF_MAP_LOOKUP_ELEM, &a);
		}
		if (tc->kind == K_HASH || tc->kind == K_LRU) {
			cmp_elem_size = (int)rec;
			qsort(recs[s], n[s], rec, cmp_elem);
		}
	}
	if (n[0] != n[1]) {
		char d[64];
		snprintf(d, sizeof(d), "elements kernel %u, bpfrt %u", n[0], n[1]);
		mismatch(r, "final contents", d, 0, 0);
	} else {
		same_bytes(r, "final contents", "elements", recs[0], recs[1], (size_t)n[0] * rec);
	}
	for (int s = 0; s < 2; s++)
		free(keys[s]), free(recs[s]);
}

/* LRU: overflow the map; only victim-independent facts are compared. */
static void lru_overflow(struct run *r)
{
	uint8_t key[MAX_KEY], value[4096];
	for (uint32_t i = 0; i < 2 * r->tc->max_entries; i++, r->ops++, r->idx++) {
		key_of(r, 100000 + i, key);
		rand_value(r, value, r->uvs);
		elem_op(r, BPF_MAP_UPDATE_ELEM, key, value, BPF_ANY, false);
	}
	static uint8_t keys[4096 * MAX_KEY];
	for (int s = 0; s < 2; s++) {
		uint32_t n = all_keys(r, s, keys, 4096);
		if (n > r->tc->max_entries) {
			char d[80];
			snprintf(d, sizeof(d), "%s holds %u > max_entries", s ? "bpfrt" : "kernel", n);
			mismatch(r, "LRU overflow", d, 0, 0);
		}
	}
}

static int run_type(const struct tcase *tc, uint64_t seed, uint64_t nops, bool *skipped)
{
	struct run r;
	memset(&r, 0, sizeof(r));
	r.tc = tc;
	r.rng.s = seed ^ ((uint64_t)tc->type * 0x9e3779b97f4a7c15ull);
	r.uvs = tc->percpu ? ((tc->value_size + 7) & ~7u) * ncpus : tc->value_size;
	for (int s = 0; s < 2; s++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_type = tc->type, a.key_size = tc->key_size, a.value_size = tc->value_size;
		a.max_entries = tc->max_entries, a.map_flags = tc->map_flags;
		r.fd[s] = sys_bpf(s, BPF_MAP_CREATE, &a);
	}
	if (r.fd[1] == -EINVAL || r.fd[0] < 0) {
		*skipped = true;
		printf("map diff %s: skipped (%s MAP_CREATE: %s)\n", tc->name, r.fd[0] < 0 ? "kernel" : "bpfrt",
		       strerror(-(r.fd[0] < 0 ? r.fd[0] : r.fd[1])));
		close_fd(0, r.fd[0]);
		close_fd(1, r.fd[1]);
		return 0;
	}
	if (r.fd[1] < 0) {
		printf("MISMATCH %s: valid MAP_CREATE: kernel ok, bpfrt %s\n", tc->name, strerror(-r.fd[1]));
		close_fd(0, r.fd[0]);
		return 1;
	}
	uint64_t freeze_at = nops - nops / 20;
	for (r.idx = 0; r.idx < nops && r.mismatches < MAX_MISMATCH; r.idx++, r.ops++) {
		if (r.idx == freeze_at) {
			int ret[2];
			for (int s = 0; s < 2; s++) {
				union bpf_attr a;
				memset(&a, 0, sizeof(a));
				a.map_fd = (uint32_t)r.fd[s];
				ret[s] = sys_bpf(s, BPF_MAP_FREEZE, &a);
			}
			same_ret(&r, "FREEZE", ret[0], ret[1]);
			r.frozen = true;
			continue;
		}
		one_op(&r);
	}
	if (r.mismatches < MAX_MISMATCH) {
		compare_contents(&r);
		if (tc->kind == K_LRU) {
			/* a fresh pair: the frozen one takes no updates */
			for (int s = 0; s < 2; s++) {
				close_fd(s, r.fd[s]);
				union bpf_attr a;
				memset(&a, 0, sizeof(a));
				a.map_type = tc->type, a.key_size = tc->key_size, a.value_size = tc->value_size;
				a.max_entries = tc->max_entries, a.map_flags = tc->map_flags;
				r.fd[s] = sys_bpf(s, BPF_MAP_CREATE, &a);
			}
			lru_overflow(&r);
		}
	}
	printf("map diff %s: %" PRIu64 " ops, %" PRIu64 " mismatches\n", tc->name, r.ops, r.mismatches);
	fflush(stdout);
	close_fd(0, r.fd[0]);
	close_fd(1, r.fd[1]);
	return r.mismatches ? 1 : 0;
}

/* ---- Maps of fds: PROG_ARRAY, ARRAY_OF_MAPS, HASH_OF_MAPS, PERF_EVENT_ARRAY ----
 * Values are fds going in and object ids coming out, and the two sides' fds and ids differ:
 * both sides hold the same list of "logical objects" (equivalent programs or inner maps, then
 * ones that must be refused, then bad fds), an update stores object j's fd of each side, and a
 * looked-up id is compared as the logical object it names on its side.
 * PERF_EVENT_ARRAY: the kernel's update wants a real perf event fd (perf_event_open), bpfrt takes
 * any value (see perf_event_array.c), so its updates are not compared and every slot stays empty;
 * its max_entries stays <= 4096 in creates (bpfrt's documented limit, -E2BIG past it). */

#define MAX_OBJ 12

struct fdrun {
	struct run r;
	int obj[2][MAX_OBJ];
	uint32_t id[2][MAX_OBJ];
	uint32_t nobj, ngood; /* 0..ngood-1: accepted values; the rest are refused */
	int extra[2][4];      /* other fds to close at the end */
	uint32_t nextra;
};

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST_DW(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int prog_load(int side, uint32_t type, const struct bpf_insn *insns, uint32_t n)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type, a.insns = (uintptr_t)insns, a.insn_cnt = n, a.license = (uintptr_t) "GPL";
	return sys_bpf(side, BPF_PROG_LOAD, &a);
}

static int map_make(int side, uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags, int inner)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n, a.map_flags = flags;
	a.inner_map_fd = (uint32_t)inner;
	return sys_bpf(side, BPF_MAP_CREATE, &a);
}

/* The id of a prog or map fd (both info structs start with type, id). */
static uint32_t obj_id(int side, int fd, bool prog)
{
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	union bpf_attr a;
	memset(&pi, 0, sizeof(pi)), memset(&mi, 0, sizeof(mi)), memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = prog ? sizeof(pi) : sizeof(mi);
	a.info.info = prog ? (uintptr_t)&pi : (uintptr_t)&mi;
	if (fd < 0 || sys_bpf(side, BPF_OBJ_GET_INFO_BY_FD, &a) < 0)
		return 0;
	return prog ? pi.id : mi.id;
}

/* The logical object an id names on a side, or -1. */
static int logical(const struct fdrun *f, int side, uint32_t id)
{
	for (uint32_t j = 0; j < f->nobj; j++)
		if (id && f->id[side][j] == id)
			return (int)j;
	return -1;
}

static void same_logical(struct fdrun *f, const char *op, const uint32_t *ids0, const uint32_t *ids1, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		int l0 = logical(f, 0, ids0[i]), l1 = logical(f, 1, ids1[i]);
		if (l0 != l1 || l0 < 0) {
			char d[96];
			snprintf(d, sizeof(d), "element %u: kernel object %d (id %u), bpfrt object %d (id %u)", i, l0,
				 ids0[i], l1, ids1[i]);
			mismatch(&f->r, op, d, 0, 0);
			return;
		}
	}
}

/* An fd map's element command with object obj (-1: none) as the value. */
static void fd_elem(struct fdrun *f, int cmd, const uint8_t *key, int obj, uint64_t flags, bool compare_value)
{
	uint32_t v[2];
	int ret[2];
	for (int s = 0; s < 2; s++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		v[s] = obj >= 0 ? (uint32_t)f->obj[s][obj] : 0xa5a5a5a5u;
		a.map_fd = (uint32_t)f->r.fd[s], a.key = (uintptr_t)key, a.value = (uintptr_t)&v[s], a.flags = flags;
		ret[s] = sys_bpf(s, cmd, &a);
	}
	char op[96];
	snprintf(op, sizeof(op), "%s flags %#" PRIx64 " object %d%s", cmd_name(cmd), flags, obj, key ? "" : " key NULL");
	if (same_ret(&f->r, op, ret[0], ret[1]) && ret[0] == 0 && compare_value)
		same_logical(f, op, &v[0], &v[1], 1);
}

static bool fd_hashy(const struct fdrun *f)
{
	return f->r.tc->type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static void fd_rand_key(struct fdrun *f, uint8_t *key)
{
	struct run *r = &f->r;
	if (fd_hashy(f)) {
		rand_key(r, key);
		return;
	}
	uint32_t idx = below(&r->rng, 30) ? below(&r->rng, r->tc->max_entries + 3) : 0xffffffffu - below(&r->rng, 2);
	memset(key, 0, MAX_KEY);
	memcpy(key, &idx, 4);
}

/* An object for an update: mostly a good one. */
static int fd_rand_obj(struct fdrun *f)
{
	if (f->ngood && (below(&f->r.rng, 4) || f->ngood == f->nobj))
		return (int)below(&f->r.rng, f->ngood);
	return (int)(f->ngood + below(&f->r.rng, f->nobj - f->ngood));
}

/* A whole lookup (and delete) batch (one call, count mostly big enough) as key||logical records, sorted for hashes. */
static void fd_batch_lookup(struct fdrun *f)
{
	struct run *r = &f->r;
	uint32_t ks = r->tc->key_size, cap = r->tc->max_entries + 8;
	static uint8_t keys[2][256 * MAX_KEY];
	static uint32_t vals[2][256], recs[2][256 * 5];
	/* a hash's partial batch depends on its order: whole walks (or count 0) only */
	uint32_t cnt[2], n = below(&r->rng, 4) ? cap : fd_hashy(f) ? 0 : below(&r->rng, 4);
	uint64_t ef = rand_elem_flags(r);
	int cmd = below(&r->rng, 8) ? BPF_MAP_LOOKUP_BATCH : BPF_MAP_LOOKUP_AND_DELETE_BATCH;
	uint32_t tok[2];
	int ret[2];
	for (int s = 0; s < 2; s++) {
		cnt[s] = n;
		ret[s] = batch_call(r, s, cmd, NULL, &tok[s], keys[s], vals[s], &cnt[s], ef, 0);
	}
	char op[96];
	snprintf(op, sizeof(op), "%s n %u elem_flags %#" PRIx64, cmd_name(cmd), n, ef);
	if (!same_ret(r, op, ret[0], ret[1]))
		return;
	if (cnt[0] != cnt[1]) {
		char d[64];
		snprintf(d, sizeof(d), "count kernel %u, bpfrt %u", cnt[0], cnt[1]);
		mismatch(r, op, d, ret[0], ret[1]);
		return;
	}
	if (ret[0] && ret[0] != -ENOENT)
		return;
	for (int s = 0; s < 2; s++) {
		for (uint32_t i = 0; i < cnt[s]; i++) {
			memset(&recs[s][i * 5], 0, 20);
			memcpy(&recs[s][i * 5], keys[s] + (size_t)i * ks, ks);
			recs[s][i * 5 + 4] = (uint32_t)logical(f, s, vals[s][i]);
		}
		cmp_elem_size = 20;
		if (fd_hashy(f))
			qsort(recs[s], cnt[s], 20, cmp_elem);
	}
	same_bytes(r, op, "key/object records", recs[0], recs[1], (size_t)cnt[0] * 20);
}

/* UPDATE_BATCH (per-side fds) and DELETE_BATCH. */
static void fd_batch_write(struct fdrun *f, int cmd)
{
	struct run *r = &f->r;
	uint32_t ks = r->tc->key_size, n = below(&r->rng, 6), v[2][MAX_BATCH], cnt[2] = {n, n};
	uint8_t keys[MAX_BATCH * MAX_KEY], key[MAX_KEY];
	int objs[MAX_BATCH], ret[2];
	for (uint32_t i = 0; i < n; i++) {
		fd_rand_key(f, key);
		memcpy(keys + i * ks, key, ks);
		objs[i] = fd_rand_obj(f);
		for (int s = 0; s < 2; s++)
			v[s][i] = (uint32_t)f->obj[s][objs[i]];
	}
	uint64_t ef = below(&r->rng, 3) ? 0 : rand_update_flags(r);
	for (int s = 0; s < 2; s++)
		ret[s] = batch_call(r, s, cmd, NULL, NULL, keys, cmd == BPF_MAP_DELETE_BATCH ? NULL : v[s], &cnt[s], ef, 0);
	char op[96];
	snprintf(op, sizeof(op), "%s n %u elem_flags %#" PRIx64, cmd_name(cmd), n, ef);
	if (same_ret(r, op, ret[0], ret[1]) && cnt[0] != cnt[1]) {
		char d[64];
		snprintf(d, sizeof(d), "count kernel %u, bpfrt %u", cnt[0], cnt[1]);
		mismatch(r, op, d, ret[0], ret[1]);
	}
}

/* MAP_CREATE of this type with one attribute changed; map-in-maps also get odd inner_map_fds. */
static void fd_create_op(struct fdrun *f)
{
	struct run *r = &f->r;
	const struct tcase *tc = r->tc;
	bool mim = tc->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || tc->type == BPF_MAP_TYPE_HASH_OF_MAPS;
	static const uint32_t sizes[] = {0, 1, 3, 4, 5, 8, 64, 513, 0xffffffffu};
	static const uint32_t entries[] = {0, 1, 2, 64, 4096, 4097, 1u << 20, 0xffffffffu};
	static const uint32_t flags[] = {
		BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY,
		BPF_F_ZERO_SEED, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_MMAPABLE, BPF_F_PRESERVE_ELEMS,
		BPF_F_INNER_MAP, BPF_F_RDONLY | BPF_F_WRONLY, BPF_F_CLONE, 1u << 30};
	uint32_t ks = tc->key_size, vs = tc->value_size, n = tc->max_entries, fl = tc->map_flags;
	int inner[2] = {mim ? f->obj[0][0] : 0, mim ? f->obj[1][0] : 0};
	char op[96];
	switch (below(&r->rng, mim ? 5 : 4)) {
	case 0:
		ks = sizes[below(&r->rng, 9)];
		snprintf(op, sizeof(op), "MAP_CREATE key_size %u", ks);
		break;
	case 1:
		vs = sizes[below(&r->rng, 9)];
		snprintf(op, sizeof(op), "MAP_CREATE value_size %u", vs);
		break;
	case 2:
		n = entries[below(&r->rng, 8)];
		if (tc->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && n > 4096)
			n = 4096; /* bpfrt's limit, documented above */
		if (n > 4096 && tc->type == BPF_MAP_TYPE_HASH_OF_MAPS)
			fl |= BPF_F_NO_PREALLOC;
		snprintf(op, sizeof(op), "MAP_CREATE max_entries %u flags %#x", n, fl);
		break;
	case 3:
		fl ^= flags[below(&r->rng, 14)];
		snprintf(op, sizeof(op), "MAP_CREATE map_flags %#x", fl);
		break;
	default: { /* inner_map_fd: an object that isn't a good template, or a bad fd */
		int j = (int)(f->ngood + below(&r->rng, f->nobj - f->ngood));
		inner[0] = f->obj[0][j], inner[1] = f->obj[1][j];
		snprintf(op, sizeof(op), "MAP_CREATE inner_map_fd object %d", j);
		break;
	}
	}
	int ret[2];
	for (int s = 0; s < 2; s++)
		ret[s] = map_make(s, tc->type, ks, vs, n, fl, inner[s]);
	if (ret[0] != -ENOMEM)
		same_ret(r, op, ret[0], ret[1]);
	close_fd(0, ret[0]);
	close_fd(1, ret[1]);
}

static void fd_one_op(struct fdrun *f)
{
	struct run *r = &f->r;
	bool perf = r->tc->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
	uint8_t key[MAX_KEY];
	fd_rand_key(f, key);
	uint32_t w = below(&r->rng, 1000);
	if (perf && w >= 30 && w < 350)
		w = 350 + below(&r->rng, 650); /* no updates: see above */
	if (w < 30) {
		fd_create_op(f);
	} else if (w < 350) {
		fd_elem(f, BPF_MAP_UPDATE_ELEM, key, fd_rand_obj(f), rand_update_flags(r), false);
	} else if (w < 550) {
		uint64_t fl = below(&r->rng, 20) ? 0 : below(&r->rng, 2) ? BPF_F_LOCK : 2;
		fd_elem(f, BPF_MAP_LOOKUP_ELEM, key, -1, fl, true);
	} else if (w < 700) {
		fd_elem(f, BPF_MAP_DELETE_ELEM, key, -1, 0, false);
	} else if (w < 850) {
		uint32_t how = below(&r->rng, 3);
		if (how == 0) {
			next_key_op(r, NULL, !fd_hashy(f), true);
		} else if (how == 1) {
			next_key_op(r, key, !fd_hashy(f), !fd_hashy(f)); /* maybe present */
		} else {
			if (fd_hashy(f))
				key_of(r, r->tc->universe + 1000 + below(&r->rng, 1000), key); /* never inserted */
			next_key_op(r, key, !fd_hashy(f), true);
		}
	} else if (w < 880) {
		fd_elem(f, BPF_MAP_LOOKUP_AND_DELETE_ELEM, key, -1, below(&r->rng, 4) ? 0 : BPF_F_LOCK, false);
	} else if (w < 930) {
		fd_batch_lookup(f);
	} else if (w < 970) {
		if (!perf)
			fd_batch_write(f, BPF_MAP_UPDATE_BATCH);
	} else {
		fd_batch_write(f, BPF_MAP_DELETE_BATCH);
	}
}

/* The final contents: every key and the logical object it holds. */
static void fd_compare_contents(struct fdrun *f)
{
	struct run *r = &f->r;
	uint32_t ks = r->tc->key_size, cap = r->tc->max_entries + 8;
	static uint8_t keys[2][256 * MAX_KEY];
	static uint32_t recs[2][256 * 5];
	uint32_t n[2];
	r->idx = r->ops;
	for (int s = 0; s < 2; s++) {
		n[s] = all_keys(r, s, keys[s], cap);
		uint32_t m = 0;
		for (uint32_t i = 0; i < n[s]; i++) {
			union bpf_attr a;
			uint32_t id = 0;
			memset(&a, 0, sizeof(a));
			a.map_fd = (uint32_t)r->fd[s], a.key = (uintptr_t)(keys[s] + (size_t)i * ks), a.value = (uintptr_t)&id;
			if (sys_bpf(s, BPF_MAP_LOOKUP_ELEM, &a))
				continue; /* an empty array slot */
			memset(&recs[s][m * 5], 0, 20);
			memcpy(&recs[s][m * 5], keys[s] + (size_t)i * ks, ks);
			recs[s][m * 5 + 4] = (uint32_t)logical(f, s, id);
			m++;
		}
		n[s] = m;
		cmp_elem_size = 20;
		qsort(recs[s], m, 20, cmp_elem);
	}
	if (n[0] != n[1]) {
		char d[64];
		snprintf(d, sizeof(d), "elements kernel %u, bpfrt %u", n[0], n[1]);
		mismatch(r, "final contents", d, 0, 0);
	} else {
		same_bytes(r, "final contents", "key/object records", recs[0], recs[1], (size_t)n[0] * 20);
	}
}

static void fd_add(struct fdrun *f, int fd0, int fd1, bool prog)
{
	uint32_t j = f->nobj++;
	f->obj[0][j] = fd0, f->obj[1][j] = fd1;
	f->id[0][j] = obj_id(0, fd0, prog), f->id[1][j] = obj_id(1, fd1, prog);
}

/* The objects of a type: equivalent good ones first, then refused ones, then bad fds. */
static int fd_objects(struct fdrun *f)
{
	uint32_t t = f->r.tc->type;
	int fds[2];
	if (t == BPF_MAP_TYPE_PROG_ARRAY) {
		for (int k = 0; k < 4; k++) {
			struct bpf_insn p[] = {MOV_IMM(0, k), EXIT()};
			for (int s = 0; s < 2; s++)
				fds[s] = prog_load(s, BPF_PROG_TYPE_XDP, p, 2);
			if (fds[0] < 0 || fds[1] < 0)
				return fds[0] < 0 ? fds[0] : fds[1];
			fd_add(f, fds[0], fds[1], true);
		}
		f->ngood = f->nobj;
		struct bpf_insn p[] = {MOV_IMM(0, 0), EXIT()};
		for (int s = 0; s < 2; s++)
			fds[s] = prog_load(s, BPF_PROG_TYPE_SOCKET_FILTER, p, 2); /* another prog type */
		fd_add(f, fds[0], fds[1], true);
		for (int s = 0; s < 2; s++)
			fds[s] = map_make(s, BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0); /* a map, not a prog */
		fd_add(f, fds[0], fds[1], false);
	} else if (t != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		for (int k = 0; k < 4; k++) {
			for (int s = 0; s < 2; s++)
				fds[s] = map_make(s, BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0);
			fd_add(f, fds[0], fds[1], false);
		}
		f->ngood = f->nobj;
		for (int s = 0; s < 2; s++)
			fds[s] = map_make(s, BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, 0); /* max_entries differs */
		fd_add(f, fds[0], fds[1], false);
		for (int s = 0; s < 2; s++)
			fds[s] = map_make(s, BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 0); /* another type */
		fd_add(f, fds[0], fds[1], false);
		for (int s = 0; s < 2; s++)
			fds[s] = map_make(s, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, f->obj[s][0]); /* map-in-map */
		fd_add(f, fds[0], fds[1], false);
		struct bpf_insn p[] = {MOV_IMM(0, 0), EXIT()};
		for (int s = 0; s < 2; s++)
			fds[s] = prog_load(s, BPF_PROG_TYPE_XDP, p, 2); /* a prog, not a map */
		fd_add(f, fds[0], fds[1], true);
	}
	for (uint32_t j = 0; j < f->nobj; j++)
		for (int s = 0; s < 2; s++)
			if (f->obj[s][j] < 0)
				return f->obj[s][j];
	fd_add(f, 0x7fffffff, 0x7fffffff, false); /* not open */
	fd_add(f, -1, -1, false);
	return 0;
}

static const struct tcase fd_cases[] = {
	{"PROG_ARRAY", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 24, 0, K_ARRAY, false, 0},
	{"ARRAY_OF_MAPS", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 24, 0, K_ARRAY, false, 0},
	{"HASH_OF_MAPS", BPF_MAP_TYPE_HASH_OF_MAPS, 8, 4, 16, 0, K_HASH, false, 24},
	{"PERF_EVENT_ARRAY", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 24, 0, K_ARRAY, false, 0},
};

/* Map-in-map templates, every rule of the kernel's (bpf_map_meta_alloc, ops->map_meta_equal):
 * every map type as the template (prog arrays and maps of maps are refused), then inner maps that
 * differ from it in one attribute each: max_entries up and down (compared by ARRAY and
 * PERCPU_ARRAY templates unless BPF_F_INNER_MAP), key and value size, each flag, the type, and a
 * bpf_spin_lock in the value (BTF) present, absent or elsewhere.  Deterministic: runs first on
 * every seed. */
struct mim_shape {
	uint32_t type, ks, vs, n, flags, lock; /* lock: 0 no BTF, 1 BTF without lock, 2 lock at 0, 3 at 4 */
};

static int mim_btf[2] = {-1, -1};
static uint32_t mim_btf_key, mim_btf_value[4];

/* One BTF object per side: int key; struct { u64 x; }, struct { spin_lock l; u32 x; },
 * struct { u32 x; spin_lock l; }, all 8 bytes. */
static void mim_btf_load(void)
{
	struct btf_build b;
	bb_init(&b);
	uint32_t u32 = bb_int(&b, "unsigned int", 4, false), u64 = bb_int(&b, "long long unsigned int", 8, false);
	mim_btf_key = bb_int(&b, "int", 4, true);
	uint32_t lock = bb_struct(&b, "bpf_spin_lock", 1, 4);
	bb_member(&b, "val", u32, 0);
	mim_btf_value[1] = bb_struct(&b, "plain", 1, 8);
	bb_member(&b, "x", u64, 0);
	mim_btf_value[2] = bb_struct(&b, "lock_first", 2, 8);
	bb_member(&b, "l", lock, 0);
	bb_member(&b, "x", u32, 32);
	mim_btf_value[3] = bb_struct(&b, "lock_second", 2, 8);
	bb_member(&b, "x", u32, 0);
	bb_member(&b, "l", lock, 32);
	uint32_t size;
	const void *raw = bb_raw(&b, &size);
	for (int s = 0; s < 2; s++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.btf = (uintptr_t)raw, a.btf_size = size;
		mim_btf[s] = sys_bpf(s, BPF_BTF_LOAD, &a);
	}
}

static int mim_make(int side, const struct mim_shape *m, int inner)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = m->type, a.key_size = m->ks, a.value_size = m->vs, a.max_entries = m->n, a.map_flags = m->flags;
	a.inner_map_fd = (uint32_t)inner;
	if (m->lock) {
		if (mim_btf[side] < 0)
			return -EBADF;
		a.btf_fd = (uint32_t)mim_btf[side], a.btf_key_type_id = mim_btf_key, a.btf_value_type_id = mim_btf_value[m->lock];
	}
	return sys_bpf(side, BPF_MAP_CREATE, &a);
}

static void mim_templates(struct fdrun *f)
{
	struct run *r = &f->r;
	static const struct mim_shape t[] = {
		{BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0}, {BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP, 0},
		{BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY_PROG, 0}, {BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_MMAPABLE, 0},
		{BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 1}, {BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 2},
		{BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP, 2},
		{BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0, 0}, {BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, BPF_F_INNER_MAP, 0},
		{BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 0}, {BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NO_PREALLOC, 0},
		{BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_INNER_MAP, 0}, {BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 3},
		{BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 4, 0, 0}, {BPF_MAP_TYPE_LRU_HASH, 4, 8, 8, 0, 0},
		{BPF_MAP_TYPE_LRU_HASH, 4, 8, 8, BPF_F_NO_COMMON_LRU, 0}, {BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 8, 0, 0},
		{BPF_MAP_TYPE_LPM_TRIE, 8, 8, 4, BPF_F_NO_PREALLOC, 0}, {BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0, 0},
		{BPF_MAP_TYPE_STACK, 0, 8, 4, 0, 0}, {BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 4, 0, 0},
		{BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0}, {BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, 0},
		{BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0}, {BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, 0},
		{BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, 0},
	};
	/* What a candidate inner map changes. */
	enum { C_SAME, C_MORE, C_FEWER, C_KEY, C_VALUE, C_FLAG, C_TYPE, C_LOCK, C_NCAND };
	static const uint32_t cflags[] = {BPF_F_INNER_MAP, BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
					  BPF_F_RDONLY, BPF_F_MMAPABLE, BPF_F_NO_COMMON_LRU, BPF_F_ZERO_SEED};
	if (mim_btf[0] < 0 && mim_btf[1] < 0)
		mim_btf_load();
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int tmpl[2], outer[2], ret[2];
		char op[160];
		for (int s = 0; s < 2; s++) {
			tmpl[s] = mim_make(s, &t[i], t[i].type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
							     t[i].type == BPF_MAP_TYPE_HASH_OF_MAPS ? f->obj[s][0] : 0);
			outer[s] = tmpl[s] < 0 ? tmpl[s] : map_make(s, r->tc->type, r->tc->key_size, 4, 4, 0, tmpl[s]);
		}
		snprintf(op, sizeof(op), "MAP_CREATE template type %u flags %#x btf %u", t[i].type, t[i].flags,
			 t[i].lock);
		r->ops++, r->idx++;
		if (!same_ret(r, op, tmpl[0], tmpl[1]) || tmpl[0] < 0 || !same_ret(r, op, outer[0], outer[1]) ||
		    outer[0] < 0) {
			for (int s = 0; s < 2; s++)
				close_fd(s, tmpl[s]), close_fd(s, outer[s]);
			continue;
		}
		for (int c = 0; c < C_NCAND; c++) {
			for (uint32_t v = 0; v < (c == C_FLAG ? 8u : c == C_LOCK ? 4u : c == C_TYPE ? 3u : 1u); v++) {
				struct mim_shape m = t[i];
				switch (c) {
				case C_MORE: m.n = m.type == BPF_MAP_TYPE_RINGBUF ? 8192 : m.n * 2; break;
				case C_FEWER: m.n = m.type == BPF_MAP_TYPE_RINGBUF ? 4096 : m.n - 2; break;
				case C_KEY: m.ks += 4; break;
				case C_VALUE: m.vs += 8; break;
				case C_FLAG: m.flags ^= cflags[v]; break;
				case C_TYPE:
					m.type = v == 0 ? BPF_MAP_TYPE_ARRAY : v == 1 ? BPF_MAP_TYPE_HASH : BPF_MAP_TYPE_PERCPU_ARRAY;
					if (m.type == t[i].type)
						continue;
					break;
				case C_LOCK:
					m.lock = v;
					if (m.lock == t[i].lock)
						continue;
					break;
				}
				if (m.lock && (m.type == BPF_MAP_TYPE_QUEUE || m.vs != 8))
					m.lock = 0; /* only where the value is one of the BTF structs */
				int in[2];
				uint8_t key[MAX_KEY] = {0};
				for (int s = 0; s < 2; s++) {
					in[s] = mim_make(s, &m, m.type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
									    m.type == BPF_MAP_TYPE_HASH_OF_MAPS ? f->obj[s][0] : 0);
					union bpf_attr a;
					memset(&a, 0, sizeof(a));
					uint32_t val = (uint32_t)in[s];
					a.map_fd = (uint32_t)outer[s], a.key = (uintptr_t)key, a.value = (uintptr_t)&val;
					ret[s] = in[s] < 0 ? in[s] : sys_bpf(s, BPF_MAP_UPDATE_ELEM, &a);
				}
				snprintf(op, sizeof(op),
					 "UPDATE_ELEM template type %u flags %#x btf %u: inner type %u key %u value %u "
					 "max_entries %u flags %#x btf %u",
					 t[i].type, t[i].flags, t[i].lock, m.type, m.ks, m.vs, m.n, m.flags, m.lock);
				r->ops++, r->idx++;
				same_ret(r, op, ret[0], ret[1]);
				for (int s = 0; s < 2; s++)
					close_fd(s, in[s]);
			}
		}
		for (int s = 0; s < 2; s++)
			close_fd(s, tmpl[s]), close_fd(s, outer[s]);
	}
}

static uint64_t mim_max_ops = 10000; /* per seed: the issue's 10,000 over the seed list */

static int run_fd_type(const struct tcase *tc, uint64_t seed, uint64_t nops, bool *skipped)
{
	struct fdrun *f = calloc(1, sizeof(*f));
	struct run *r = &f->r;
	r->tc = tc;
	r->rng.s = seed ^ ((uint64_t)tc->type * 0x9e3779b97f4a7c15ull);
	r->uvs = 4;
	int err = fd_objects(f);
	bool mim = tc->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || tc->type == BPF_MAP_TYPE_HASH_OF_MAPS;
	/* The kernel waits for an RCU grace period after each map-in-map update and delete
	 * (maybe_wait_bpf_programs), milliseconds each: these types run the issue's minimum of
	 * 10,000 ops (in all, over the seed list) rather than more. */
	if (mim && nops > mim_max_ops)
		nops = mim_max_ops;
	for (int s = 0; s < 2 && !err; s++)
		r->fd[s] = map_make(s, tc->type, tc->key_size, tc->value_size, tc->max_entries, tc->map_flags,
				    mim ? f->obj[s][0] : 0);
	if (err || r->fd[0] < 0 || r->fd[1] < 0) {
		*skipped = true;
		printf("map diff %s: skipped (setup: %s; kernel map %d, bpfrt map %d)\n", tc->name, strerror(-err),
		       r->fd[0], r->fd[1]);
	} else {
		if (tc->type == BPF_MAP_TYPE_PROG_ARRAY) {
			uint8_t key[MAX_KEY] = {0}; /* the first program sets the array's type: an XDP one */
			fd_elem(f, BPF_MAP_UPDATE_ELEM, key, 0, BPF_ANY, false);
		}
		if (mim)
			mim_templates(f);
		uint64_t freeze_at = nops - nops / 20;
		for (r->idx = r->ops; r->idx < nops && r->mismatches < MAX_MISMATCH; r->idx++, r->ops++) {
			if (r->idx == freeze_at) {
				int ret[2];
				for (int s = 0; s < 2; s++) {
					union bpf_attr a;
					memset(&a, 0, sizeof(a));
					a.map_fd = (uint32_t)r->fd[s];
					ret[s] = sys_bpf(s, BPF_MAP_FREEZE, &a);
				}
				same_ret(r, "FREEZE", ret[0], ret[1]);
				continue;
			}
			fd_one_op(f);
		}
		if (r->mismatches < MAX_MISMATCH)
			fd_compare_contents(f);
		printf("map diff %s: %" PRIu64 " ops, %" PRIu64 " mismatches\n", tc->name, r->ops, r->mismatches);
		fflush(stdout);
	}
	int fail = r->mismatches ? 1 : 0;
	for (int s = 0; s < 2; s++) {
		if (r->fd[s] > 0)
			close_fd(s, r->fd[s]);
		for (uint32_t j = 0; j < f->nobj; j++)
			if (f->obj[s][j] >= 0 && f->obj[s][j] != 0x7fffffff)
				close_fd(s, f->obj[s][j]);
	}
	free(f);
	return fail;
}

/* ---- RINGBUF ----
 * Creates with bad attributes and the element commands (which a ring buffer refuses) are
 * compared; then XDP programs on both sides bpf_ringbuf_output records of various sizes (via
 * BPF_PROG_TEST_RUN) while the test consumes some now and then (the kernel's ring through its
 * mmap()ed pages, bpfrt's through bpfrt_ringbuf_consume): every output's result (0 or -EAGAIN
 * when full), every bpf_ringbuf_query answer and every consumed record must agree. */

#define RB_SIZE 4096u
static const uint32_t rb_out_sizes[] = {0, 1, 7, 8, 9, 60, 200, 256};

struct rbside {
	int map, out[8], query[4];
	volatile uint64_t *cons;       /* kernel: the consumer page */
	const volatile uint64_t *prod; /* kernel: the producer page; data follows */
	struct bpfrt_ringbuf *rb;      /* bpfrt */
	uint8_t got[RB_SIZE * 2];      /* consumed records: u32 size + data, 8-aligned */
	uint32_t ngot, want, taken;
};

static int rb_sample(void *ctx, void *data, size_t size)
{
	struct rbside *s = ctx;
	uint32_t sz = (uint32_t)size;
	if (s->ngot + 4 + sz <= sizeof(s->got)) {
		memcpy(s->got + s->ngot, &sz, 4);
		memcpy(s->got + s->ngot + 4, data, sz);
		s->ngot += 4 + sz;
	}
	return ++s->taken >= s->want;
}

/* Consume up to want records from the kernel's ring as libbpf's ringbuf__consume does. */
static void rb_kernel_consume(struct rbside *s)
{
	const uint8_t *data = (const uint8_t *)s->prod + 4096;
	uint64_t cons = *s->cons;
	while (s->taken < s->want) {
		uint64_t prod = __atomic_load_n(s->prod, __ATOMIC_ACQUIRE);
		if (cons >= prod)
			break;
		uint32_t hdr = __atomic_load_n((const uint32_t *)(data + (cons & (RB_SIZE - 1))), __ATOMIC_ACQUIRE);
		if (hdr & (1u << 31))
			break;
		uint32_t len = hdr & ~(3u << 30);
		if (!(hdr & (1u << 30)))
			rb_sample(s, (void *)(data + (cons & (RB_SIZE - 1)) + 8), len);
		cons += (len + 8 + 7) & ~7ull;
		__atomic_store_n(s->cons, cons, __ATOMIC_RELEASE);
	}
}

static int rb_test_run(int side, int prog)
{
	uint8_t pkt[64] = {0};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog, a.test.data_in = (uintptr_t)pkt, a.test.data_size_in = sizeof(pkt);
	int ret = sys_bpf(side, BPF_PROG_TEST_RUN, &a);
	return ret ? ret : (int)a.test.retval;
}

static int rb_side_setup(int side, struct rbside *s)
{
	memset(s, 0, sizeof(*s));
	s->map = map_make(side, BPF_MAP_TYPE_RINGBUF, 0, 0, RB_SIZE, 0, 0);
	if (s->map < 0)
		return s->map;
	for (int k = 0; k < 8; k++) {
		struct bpf_insn p[48];
		uint32_t n = 0;
		for (int o = 1; o <= 32; o++)
			p[n++] = ST_DW(10, (int16_t)(-8 * o), (int32_t)(0x01020304u * (uint32_t)(o + k)));
		p[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, s->map);
		p[n++] = INSN(0, 0, 0, 0, 0);
		p[n++] = MOV_REG(2, 10);
		p[n++] = ADD_IMM(2, -256);
		p[n++] = MOV_IMM(3, (int32_t)rb_out_sizes[k]);
		p[n++] = MOV_IMM(4, 0);
		p[n++] = CALL(BPF_FUNC_ringbuf_output);
		p[n++] = EXIT();
		if ((s->out[k] = prog_load(side, BPF_PROG_TYPE_XDP, p, n)) < 0)
			return s->out[k];
	}
	for (int q = 0; q < 4; q++) { /* AVAIL_DATA, RING_SIZE, CONS_POS, PROD_POS */
		struct bpf_insn p[] = {INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, s->map),
				       INSN(0, 0, 0, 0, 0), MOV_IMM(2, q), CALL(BPF_FUNC_ringbuf_query), EXIT()};
		if ((s->query[q] = prog_load(side, BPF_PROG_TYPE_XDP, p, 5)) < 0)
			return s->query[q];
	}
	if (side == 0) {
		void *c = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s->map, 0);
		void *p = mmap(NULL, 4096 + 2 * RB_SIZE, PROT_READ, MAP_SHARED, s->map, 4096);
		if (c == MAP_FAILED || p == MAP_FAILED)
			return -errno;
		s->cons = c, s->prod = p;
	} else {
		s->rb = bpfrt_ringbuf_new(rt, s->map, rb_sample, s);
		if (!s->rb)
			return -errno;
	}
	return 0;
}

static void rb_side_free(int side, struct rbside *s)
{
	if (s->cons)
		munmap((void *)s->cons, 4096);
	if (s->prod)
		munmap((void *)s->prod, 4096 + 2 * RB_SIZE);
	if (s->rb)
		bpfrt_ringbuf_free(s->rb);
	for (int k = 0; k < 8; k++)
		if (s->out[k] > 0)
			close_fd(side, s->out[k]);
	for (int q = 0; q < 4; q++)
		if (s->query[q] > 0)
			close_fd(side, s->query[q]);
	if (s->map > 0)
		close_fd(side, s->map);
}

static void rb_create_op(struct run *r)
{
	static const uint32_t sizes[] = {0, 1, 8, 4095, 4096, 6144, 8192, 12288, 1u << 20, 1u << 31, 0xfffff000u};
	static const uint32_t flags[] = {BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG,
					 BPF_F_WRONLY_PROG, BPF_F_MMAPABLE, BPF_F_NO_PREALLOC, BPF_F_INNER_MAP,
					 BPF_F_ZERO_SEED, 1u << 30};
	uint32_t ks = 0, vs = 0, n = RB_SIZE, fl = 0;
	char op[96];
	switch (below(&r->rng, 4)) {
	case 0:
		n = sizes[below(&r->rng, 11)];
		break;
	case 1:
		ks = below(&r->rng, 2) ? 4 : below(&r->rng, 9);
		break;
	case 2:
		vs = below(&r->rng, 2) ? 8 : below(&r->rng, 9);
		break;
	default:
		fl = flags[below(&r->rng, 10)];
		break;
	}
	snprintf(op, sizeof(op), "MAP_CREATE key_size %u value_size %u max_entries %#x flags %#x", ks, vs, n, fl);
	int ret[2];
	for (int s = 0; s < 2; s++)
		ret[s] = map_make(s, BPF_MAP_TYPE_RINGBUF, ks, vs, n, fl, 0);
	if (ret[0] != -ENOMEM)
		same_ret(r, op, ret[0], ret[1]);
	close_fd(0, ret[0]);
	close_fd(1, ret[1]);
}

/* The element commands with a key and value pointer or not: both sides refuse alike. */
static void rb_elem_op(struct run *r)
{
	static const int cmds[] = {BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
				   BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_LOOKUP_BATCH};
	int cmd = cmds[below(&r->rng, 6)];
	bool with_key = below(&r->rng, 2), with_value = below(&r->rng, 2);
	uint64_t fl = below(&r->rng, 4) ? 0 : below(&r->rng, 2) ? BPF_F_LOCK : BPF_EXIST;
	uint8_t buf[2][64];
	int ret[2];
	for (int s = 0; s < 2; s++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		memset(buf[s], 0, sizeof(buf[s]));
		if (cmd == BPF_MAP_LOOKUP_BATCH) {
			a.batch.map_fd = (uint32_t)r->fd[s], a.batch.count = 4;
			a.batch.keys = (uintptr_t)buf[s], a.batch.values = (uintptr_t)(buf[s] + 32);
		} else {
			a.map_fd = (uint32_t)r->fd[s];
			a.key = with_key ? (uintptr_t)buf[s] : 0;
			if (cmd == BPF_MAP_GET_NEXT_KEY)
				a.next_key = (uintptr_t)(buf[s] + 32);
			else if (cmd != BPF_MAP_DELETE_ELEM)
				a.value = with_value ? (uintptr_t)(buf[s] + 32) : 0, a.flags = fl;
		}
		ret[s] = sys_bpf(s, cmd, &a);
	}
	char op[96];
	snprintf(op, sizeof(op), "%s key %s value %s flags %#" PRIx64, cmd_name(cmd), with_key ? "set" : "NULL",
		 with_value ? "set" : "NULL", fl);
	same_ret(r, op, ret[0], ret[1]);
}

static int run_ringbuf(uint64_t seed, uint64_t nops, bool *skipped)
{
	static const struct tcase tc = {"RINGBUF", BPF_MAP_TYPE_RINGBUF, 0, 0, RB_SIZE, 0, K_QUEUE, false, 0};
	static struct rbside side[2];
	struct run r;
	memset(&r, 0, sizeof(r));
	r.tc = &tc;
	r.rng.s = seed ^ ((uint64_t)tc.type * 0x9e3779b97f4a7c15ull);
	int err = 0;
	for (int s = 0; s < 2 && !err; s++)
		err = rb_side_setup(s, &side[s]);
	if (err) {
		*skipped = true;
		printf("map diff RINGBUF: skipped (setup: %s)\n", strerror(-err));
	} else {
		r.fd[0] = side[0].map, r.fd[1] = side[1].map;
		uint64_t outputs = 0, full = 0;
		for (r.idx = 0; r.idx < nops && r.mismatches < MAX_MISMATCH; r.idx++, r.ops++) {
			uint32_t w = below(&r.rng, 100);
			char op[64];
			if (w < 3) {
				rb_create_op(&r);
			} else if (w < 10) {
				rb_elem_op(&r);
			} else if (w < 80) {
				uint32_t k = below(&r.rng, 8);
				int ret[2];
				for (int s = 0; s < 2; s++)
					ret[s] = rb_test_run(s, side[s].out[k]);
				snprintf(op, sizeof(op), "bpf_ringbuf_output size %u", rb_out_sizes[k]);
				same_ret(&r, op, ret[0], ret[1]);
				outputs++, full += ret[0] == -EAGAIN;
			} else if (w < 94) {
				uint32_t q = below(&r.rng, 4);
				int ret[2];
				for (int s = 0; s < 2; s++)
					ret[s] = rb_test_run(s, side[s].query[q]);
				snprintf(op, sizeof(op), "bpf_ringbuf_query flags %u", q);
				if (ret[0] != ret[1])
					mismatch(&r, op, NULL, ret[0], ret[1]);
			} else {
				uint32_t want = below(&r.rng, 3) ? 1 + below(&r.rng, 8) : 1000;
				for (int s = 0; s < 2; s++) {
					side[s].ngot = 0, side[s].taken = 0, side[s].want = want;
					if (s == 0)
						rb_kernel_consume(&side[s]);
					else
						bpfrt_ringbuf_consume(side[s].rb);
				}
				snprintf(op, sizeof(op), "consume %u records", want);
				if (side[0].taken != side[1].taken || side[0].ngot != side[1].ngot) {
					char d[96];
					snprintf(d, sizeof(d), "records kernel %u (%u bytes), bpfrt %u (%u bytes)",
						 side[0].taken, side[0].ngot, side[1].taken, side[1].ngot);
					mismatch(&r, op, d, 0, 0);
				} else {
					same_bytes(&r, op, "records", side[0].got, side[1].got, side[0].ngot);
				}
			}
		}
		printf("map diff RINGBUF: %" PRIu64 " ops (%" PRIu64 " outputs, %" PRIu64 " -EAGAIN), %" PRIu64
		       " mismatches\n", r.ops, outputs, full, r.mismatches);
		fflush(stdout);
	}
	for (int s = 0; s < 2; s++)
		rb_side_free(s, &side[s]);
	return r.mismatches ? 1 : 0;
}

static uint32_t possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	uint32_t n = 0;
	char buf[256];
	if (f && fgets(buf, sizeof(buf), f)) {
		char *s = buf;
		while (*s && *s != '\n') {
			char *end;
			long a = strtol(s, &end, 10), b = a;
			if (end == s)
				break;
			s = end;
			if (*s == '-')
				b = strtol(s + 1, &s, 10);
			n += (uint32_t)(b - a + 1);
			if (*s == ',')
				s++;
		}
	}
	if (f)
		fclose(f);
	return n ? n : 1;
}

int main(int argc, char **argv)
{
	(void)argc;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY, a.key_size = 4, a.value_size = 4, a.max_entries = 1;
	int probe = sys_bpf(0, BPF_MAP_CREATE, &a);
	if (probe < 0) {
		printf("SKIP: bpf() unavailable: %s\n", strerror(-probe));
		return 77;
	}
	close(probe);
	ncpus = possible_cpus();
	if (ncpus * 16 > 4096) {
		printf("SKIP: %u possible CPUs: per-CPU values exceed the test's buffers\n", ncpus);
		return 77;
	}
	/* Seeds: by default a fixed list, so `make test` never fails by chance; BPFRT_MAP_DIFF_SEED=N
	 * replays one seed, BPFRT_MAP_DIFF_SEED=random picks one (the kernel.map_diff_random test,
	 * label `random`, run by `make test-random`).  BPFRT_MAP_DIFF_OPS is the operations per type
	 * in all, shared among the seeds. */
	static const uint64_t fixed_seeds[] = {
		34365829723798ull, /* found the PERCPU_ARRAY template's max_entries rule (issue 7) */
		0x6d61706469666632ull,
	};
	uint64_t seeds[2];
	uint32_t nseeds = 0;
	const char *e = getenv("BPFRT_MAP_DIFF_SEED");
	const char *mode = "fixed seeds";
	if (e && *e && strcmp(e, "random") != 0) {
		seeds[nseeds++] = strtoull(e, NULL, 0), mode = "seed from BPFRT_MAP_DIFF_SEED";
	} else if (e && !strcmp(e, "random")) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seeds[nseeds++] = ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) ^ ((uint64_t)getpid() << 40);
		mode = "random seed";
	} else {
		for (; nseeds < sizeof(fixed_seeds) / sizeof(fixed_seeds[0]); nseeds++)
			seeds[nseeds] = fixed_seeds[nseeds];
	}
	e = getenv("BPFRT_MAP_DIFF_OPS");
	uint64_t total = e ? strtoull(e, NULL, 0) : 12000, nops = (total + nseeds - 1) / nseeds;
	mim_max_ops = (10000 + nseeds - 1) / nseeds;
	printf("map diff: %s, %" PRIu64 " ops per type and seed, %u CPUs\n", mode, nops, ncpus);
	fflush(stdout);
	rt = bpfrt_new(NULL);
	if (!rt) {
		printf("bpfrt_new failed: %s\n", strerror(errno));
		return 1;
	}
	int failed = 0;
	for (uint32_t k = 0; k < nseeds; k++) {
		uint64_t seed = seeds[k];
		printf("map diff: seed %" PRIu64 "\n", seed);
		fflush(stdout);
		int fail = 0;
		char skipped[256] = "";
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			bool skip = false;
			fail |= run_type(&cases[i], seed, nops, &skip);
			if (skip)
				snprintf(skipped + strlen(skipped), sizeof(skipped) - strlen(skipped), " %s", cases[i].name);
		}
		for (size_t i = 0; i < sizeof(fd_cases) / sizeof(fd_cases[0]); i++) {
			bool skip = false;
			fail |= run_fd_type(&fd_cases[i], seed, nops, &skip);
			if (skip)
				snprintf(skipped + strlen(skipped), sizeof(skipped) - strlen(skipped), " %s",
					 fd_cases[i].name);
		}
		bool skip = false;
		fail |= run_ringbuf(seed, nops, &skip);
		if (skip)
			snprintf(skipped + strlen(skipped), sizeof(skipped) - strlen(skipped), " RINGBUF");
		printf("map diff: seed %" PRIu64 " %s, skipped types:%s\n", seed, fail ? "FAILED" : "passed",
		       skipped[0] ? skipped : " none");
		if (fail)
			printf("map diff: replay with: BPFRT_MAP_DIFF_SEED=%" PRIu64 " BPFRT_MAP_DIFF_OPS=%" PRIu64 " %s\n",
			       seed, nops, argv[0]);
		fflush(stdout);
		failed |= fail;
	}
	for (int s = 0; s < 2; s++)
		close_fd(s, mim_btf[s]);
	bpfrt_free(rt);
	return failed;
}
