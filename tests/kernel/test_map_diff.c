/* test_map_diff.c — differential test of bpfrt's maps against the host kernel's.
 * Per map type, the same map is made in the kernel (bpf(2)) and in bpfrt, the same seeded random
 * sequence of operations (creates with bad attributes, updates with every flag, lookups, deletes,
 * get_next_key, lookup_and_delete, push/pop/peek, the batch commands, freeze) runs on both, and
 * every return value, errno and returned value must agree; then the full contents are compared.
 * Env: BPFRT_MAP_DIFF_SEED, BPFRT_MAP_DIFF_OPS.  Exits 77 (CTest skip) when bpf() is unavailable. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"

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

int main(void)
{
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
	const char *e = getenv("BPFRT_MAP_DIFF_SEED");
	uint64_t seed = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	e = getenv("BPFRT_MAP_DIFF_OPS");
	uint64_t nops = e ? strtoull(e, NULL, 0) : 12000;
	printf("map diff: seed %" PRIu64 " (BPFRT_MAP_DIFF_SEED to replay), %" PRIu64 " ops per type, %u CPUs\n",
	       seed, nops, ncpus);
	fflush(stdout);
	rt = bpfrt_new(NULL);
	if (!rt) {
		printf("bpfrt_new failed: %s\n", strerror(errno));
		return 1;
	}
	int fail = 0;
	char skipped[256] = "";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool skip = false;
		fail |= run_type(&cases[i], seed, nops, &skip);
		if (skip)
			snprintf(skipped + strlen(skipped), sizeof(skipped) - strlen(skipped), " %s", cases[i].name);
	}
	bpfrt_free(rt);
	printf("map diff: seed %" PRIu64 ", skipped types:%s\n", seed, skipped[0] ? skipped : " none");
	return fail;
}
