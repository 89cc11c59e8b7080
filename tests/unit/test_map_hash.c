/* test_map_hash.c — HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH: the
 * kernel's errno for every create and element case (values checked
 * against Linux 6.18), full maps, LRU eviction, get_next_key walks,
 * per-CPU layout, threads racing on one map, and writers SIGKILLed while
 * holding the map lock. */
#define _GNU_SOURCE
#include "bpfrt/bpfrt.h"
#include "check.h"
#include "core/object.h"
#include "maps/map.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct bpfrt *rt;
static uint32_t ncpus;

static int map_create_numa(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags,
			   uint32_t numa)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n, a.map_flags = flags;
	a.numa_node = numa;
	strcpy(a.map_name, "test_hash");
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

static int map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags)
{
	return map_create_numa(type, ks, vs, n, flags, 0);
}

/* Create, then close: the errno alone. */
static int try_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags, uint32_t numa)
{
	int fd = map_create_numa(type, ks, vs, n, flags, numa);
	if (fd < 0)
		return fd;
	bpfrt_close(rt, fd);
	return 0;
}

static int elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.value = (uintptr_t)value, a.flags = flags;
	return bpfrt_bpf(rt, cmd, &a, sizeof(a));
}

static int update(int fd, const void *k, const void *v, uint64_t f)
{
	return elem(BPF_MAP_UPDATE_ELEM, fd, k, (void *)v, f);
}

static int lookup(int fd, const void *k, void *v)
{
	return elem(BPF_MAP_LOOKUP_ELEM, fd, k, v, 0);
}

static int next_key(int fd, const void *key, void *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.next_key = (uintptr_t)next;
	return bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a));
}

/* The map object behind fd, for the program-side ops (a reference the
 * caller drops with bpfrt_obj_put). */
static struct bpfrt_map *map_of(int fd)
{
	int err;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, fd, BPFRT_OBJ_MAP, &err);
	return obj ? bpfrt_map_from_obj(obj) : NULL;
}

/* Elements reachable by get_next_key from the start; -1 if the walk sees a
 * key twice or a key lookup can't find. */
static int walk_count(int fd, uint32_t vbytes)
{
	uint32_t k, prev;
	uint8_t *seen = calloc(1 << 16, 1), *v = malloc(vbytes);
	int n = 0, err = next_key(fd, NULL, &k);
	while (!err) {
		if (seen[k & 0xffff] || lookup(fd, &k, v)) {
			n = -1;
			break;
		}
		seen[k & 0xffff] = 1;
		n++;
		prev = k;
		err = next_key(fd, &prev, &k);
	}
	free(seen);
	free(v);
	return n;
}

static const uint32_t H = BPF_MAP_TYPE_HASH, PH = BPF_MAP_TYPE_PERCPU_HASH, L = BPF_MAP_TYPE_LRU_HASH,
		      LP = BPF_MAP_TYPE_LRU_PERCPU_HASH;

static void test_create_errors(void)
{
	const uint32_t types[] = {H, PH, L, LP};
	for (int i = 0; i < 4; i++) {
		uint32_t t = types[i];
		bool lru = t == L || t == LP, percpu = t == PH || t == LP;
		CHECK(try_create(t, 0, 4, 4, 0, 0) == -EINVAL, "type %u key 0", t);
		CHECK(try_create(t, 4, 0, 4, 0, 0) == -EINVAL, "type %u value 0", t);
		CHECK(try_create(t, 4, 4, 0, 0, 0) == -EINVAL, "type %u entries 0", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_NO_PREALLOC, 0) == (lru ? -ENOTSUPP : 0),
		      "type %u no_prealloc", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_NO_COMMON_LRU, 0) == (lru ? 0 : -EINVAL),
		      "type %u no_common_lru", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_NUMA_NODE, 0) == (percpu ? -EINVAL : 0), "type %u numa 0", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_NUMA_NODE, 5000) == -EINVAL, "type %u numa 5000", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_NUMA_NODE, UINT32_MAX) == 0, "type %u numa none", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_ZERO_SEED, 0) == 0, "type %u zero seed", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_RDONLY_PROG, 0) == 0, "type %u rdonly_prog", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_WRONLY_PROG, 0) == 0, "type %u wronly_prog", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, 0) == -EINVAL,
		      "type %u rdonly_prog|wronly_prog", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_RDONLY | BPF_F_WRONLY, 0) == -EINVAL, "type %u rd|wr", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_MMAPABLE, 0) == -EINVAL, "type %u mmapable", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_INNER_MAP, 0) == -EINVAL, "type %u inner_map", t);
		CHECK(try_create(t, 4, 4, 4, BPF_F_PRESERVE_ELEMS, 0) == -EINVAL, "type %u preserve", t);
		CHECK(try_create(t, 4, 4, 4, 1u << 20, 0) == -EINVAL, "type %u unknown flag", t);
		/* Key and value together must fit the kernel's 4 MiB element. */
		CHECK(try_create(t, 4, 4194252, 1, 0, 0) == -E2BIG, "type %u key+value", t);
		CHECK(try_create(t, 4194252, 4, 1, 0, 0) == -E2BIG, "type %u key+value", t);
		CHECK(try_create(t, 4, 4, (1u << 27) + 1, 0, 0) == -E2BIG, "type %u > 2^27 buckets", t);
		CHECK(try_create(t, 4, 4, UINT32_MAX, 0, 0) == -E2BIG, "type %u 2^32-1 entries", t);
	}
	CHECK(try_create(H, 4, 4194251, 1, BPF_F_NO_PREALLOC, 0) == 0, "largest value");
	CHECK(try_create(H, 513, 4, 4, 0, 0) == 0, "key larger than the BPF stack is fine");
	CHECK(try_create(PH, 4, 32768, 1, 0, 0) == 0, "per-CPU 32 KiB value");
	CHECK(try_create(PH, 4, 32769, 1, 0, 0) == -E2BIG, "per-CPU value past 32 KiB");
	CHECK(try_create(LP, 4, 32761, 1, 0, 0) == 0, "LRU per-CPU value rounds up to 32 KiB");
	CHECK(try_create(LP, 4, 32769, 1, 0, 0) == -E2BIG, "LRU per-CPU value past 32 KiB");
	CHECK(try_create(L, 4, 4, 4, BPF_F_NUMA_NODE | BPF_F_NO_COMMON_LRU, 0) == -EINVAL,
	      "numa with per-CPU LRU lists");
	CHECK(try_create(H, 4, 4, 1u << 27, BPF_F_NO_PREALLOC, 0) == 0, "2^27 entries");

	/* The kernel gives every per-CPU LRU list the same length. */
	int fd = map_create(L, 4, 4, ncpus + 1, BPF_F_NO_COMMON_LRU);
	struct bpfrt_map *m = map_of(fd);
	CHECK(m && m->max_entries == 2 * ncpus, "NO_COMMON_LRU rounds %u up to %u", ncpus + 1,
	      m ? m->max_entries : 0);
	if (m)
		bpfrt_obj_put(&m->obj);
	bpfrt_close(rt, fd);
}

static void test_elem_errors(uint32_t type)
{
	bool percpu = type == PH || type == LP, lru = type == L || type == LP;
	int fd = map_create(type, 4, 8, 2, 0);
	CHECK(fd >= 0, "create %u: %d", type, fd);
	uint32_t vbytes = percpu ? 8 * ncpus : 8;
	uint64_t *v = calloc(ncpus, 8), *o = calloc(ncpus, 8);
	uint32_t k = 1, nk;
	v[0] = 5;
	CHECK(lookup(fd, &k, o) == -ENOENT, "%u lookup absent", type);
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0) == -ENOENT, "%u delete absent", type);
	CHECK(next_key(fd, NULL, &nk) == -ENOENT, "%u first of empty", type);
	CHECK(next_key(fd, &k, &nk) == -ENOENT, "%u next of absent in empty", type);
	CHECK(update(fd, &k, v, BPF_EXIST) == -ENOENT, "%u exist on absent", type);
	CHECK(update(fd, &k, v, 4) == -EINVAL, "%u flags 4", type);
	CHECK(update(fd, &k, v, BPF_F_LOCK) == -EINVAL, "%u F_LOCK", type);
	CHECK(update(fd, &k, v, BPF_F_LOCK | BPF_EXIST) == -EINVAL, "%u F_LOCK|EXIST", type);
	CHECK(update(fd, &k, v, BPF_NOEXIST) == 0, "%u noexist new", type);
	CHECK(update(fd, &k, v, BPF_NOEXIST) == -EEXIST, "%u noexist present", type);
	CHECK(lookup(fd, &k, o) == 0 && o[0] == 5, "%u lookup", type);
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, o, BPF_F_LOCK) == -EINVAL, "%u lookup F_LOCK", type);
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, o, 2) == -EINVAL, "%u lookup flags", type);
	k = 2;
	CHECK(update(fd, &k, v, BPF_ANY) == 0, "%u second", type);
	/* Full: a new key is E2BIG for HASH; LRU evicts instead. */
	k = 3;
	CHECK(update(fd, &k, v, BPF_ANY) == (lru ? 0 : -E2BIG), "%u new key in full map", type);
	if (!lru) {
		CHECK(update(fd, &k, v, BPF_EXIST) == -ENOENT, "%u exist absent in full", type);
		CHECK(update(fd, &k, v, BPF_NOEXIST) == -E2BIG, "%u noexist absent in full", type);
		k = 2;
		v[0] = 6;
		CHECK(update(fd, &k, v, BPF_EXIST) == 0, "%u replace in full map", type);
		CHECK(update(fd, &k, v, BPF_ANY) == 0, "%u replace in full map (any)", type);
		CHECK(update(fd, &k, v, BPF_NOEXIST) == -EEXIST, "%u noexist present in full", type);
		CHECK(lookup(fd, &k, o) == 0 && o[0] == 6, "%u replaced value", type);
	}
	CHECK(walk_count(fd, vbytes) == 2, "%u two elements", type);
	/* lookup_and_delete returns the value, then the key is gone. */
	k = lru ? 3 : 2;
	memset(o, 0, vbytes);
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &k, o, 0) == 0 && o[0] == (lru ? 5u : 6u),
	      "%u lookup_and_delete", type);
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &k, o, 0) == -ENOENT, "%u lookup_and_delete absent",
	      type);
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &k, o, BPF_F_LOCK) == -EINVAL, "%u l&d F_LOCK", type);
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &k, o, 2) == -EINVAL, "%u l&d flags", type);
	CHECK(lookup(fd, &k, o) == -ENOENT, "%u gone", type);
	CHECK(walk_count(fd, vbytes) == 1, "%u one element", type);
	/* get_next_key: the last key ends, an absent key restarts. */
	uint32_t first;
	CHECK(next_key(fd, NULL, &first) == 0, "%u first", type);
	CHECK(next_key(fd, &first, &nk) == -ENOENT, "%u next of last", type);
	k = 77;
	CHECK(next_key(fd, &k, &nk) == 0 && nk == first, "%u absent restarts", type);
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &first, NULL, 0) == 0, "%u delete", type);
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &first, NULL, 0) == -ENOENT, "%u delete twice", type);
	CHECK(walk_count(fd, vbytes) == 0, "%u empty", type);
	free(v);
	free(o);
	bpfrt_close(rt, fd);

	/* Read-only and write-only maps, from the syscall side. */
	fd = map_create(type, 4, 8, 2, BPF_F_RDONLY);
	uint64_t big[1024] = {0};
	CHECK(update(fd, &k, big, 0) == -EPERM, "%u rdonly update", type);
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0) == -EPERM, "%u rdonly delete", type);
	CHECK(lookup(fd, &k, big) == -ENOENT, "%u rdonly lookup", type);
	bpfrt_close(rt, fd);
	fd = map_create(type, 4, 8, 2, BPF_F_WRONLY);
	CHECK(update(fd, &k, big, 0) == 0, "%u wronly update", type);
	CHECK(lookup(fd, &k, big) == -EPERM, "%u wronly lookup", type);
	CHECK(next_key(fd, NULL, &nk) == -EPERM, "%u wronly next", type);
	bpfrt_close(rt, fd);
}

/* Fill to exactly max_entries, walk everything, empty it, fill again: the
 * free list gives every slot back. */
static void test_full_and_walk(void)
{
	const uint32_t n = 1000;
	int fd = map_create(H, 4, 4, n, 0);
	for (int round = 0; round < 2; round++) {
		uint32_t ok = 0, k;
		for (k = 0; k < n + 5; k++) {
			int e = update(fd, &k, &k, BPF_NOEXIST);
			if (!e)
				ok++;
			else
				CHECK(e == -E2BIG && k >= n, "round %d key %u: %d", round, k, e);
		}
		CHECK(ok == n, "round %d: %u inserted", round, ok);
		CHECK(walk_count(fd, 4) == (int)n, "round %d: walk", round);
		/* Deleting the current key while walking: the walk restarts at
		 * the first element, as the kernel's does, and still ends. */
		uint32_t cur, deleted = 0;
		while (!next_key(fd, NULL, &cur)) {
			CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &cur, NULL, 0) == 0, "delete %u", cur);
			deleted++;
		}
		CHECK(deleted == n, "round %d: deleted %u", round, deleted);
	}
	bpfrt_close(rt, fd);
}

static void test_lru(void)
{
	const uint32_t n = 64;
	int fd = map_create(L, 4, 8, n, 0);
	struct bpfrt_map *m = map_of(fd);
	uint64_t v;
	for (uint32_t k = 0; k < n; k++) {
		v = k;
		CHECK(update(fd, &k, &v, BPF_NOEXIST) == 0, "lru fill %u", k);
	}
	/* Programs use the first half; the second half is evicted first. */
	for (uint32_t k = 0; k < n / 2; k++)
		CHECK(m->ops->lookup(m, &k) != NULL, "prog lookup %u", k);
	for (uint32_t k = n; k < n + n / 2; k++) {
		v = k;
		CHECK(update(fd, &k, &v, BPF_NOEXIST) == 0, "lru insert %u", k);
	}
	uint32_t kept = 0, newer = 0;
	for (uint32_t k = 0; k < n + n / 2; k++) {
		if (lookup(fd, &k, &v) == 0) {
			CHECK(v == k, "value of %u", k);
			kept += k < n / 2, newer += k >= n;
		}
	}
	CHECK(kept == n / 2, "referenced elements kept: %u", kept);
	CHECK(newer == n / 2, "new elements present: %u", newer);
	CHECK(walk_count(fd, 8) == (int)n, "lru stays full at %u", n);
	/* Many more inserts: always succeeds, never more than n. */
	for (uint32_t k = 1000; k < 5000; k++)
		CHECK(update(fd, &k, &v, BPF_ANY) == 0, "lru churn %u", k);
	CHECK(walk_count(fd, 8) == (int)n, "lru full after churn");
	uint32_t k = 4999;
	CHECK(lookup(fd, &k, &v) == 0, "newest survives");
	bpfrt_obj_put(&m->obj);
	bpfrt_close(rt, fd);
}

static void pin_cpu0(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void test_percpu(uint32_t type)
{
	/* value_size 12: each CPU's slot is round_up(12, 8) = 16 bytes. */
	int fd = map_create(type, 4, 12, 8, 0);
	struct bpfrt_map *m = map_of(fd);
	uint32_t stride = 16;
	uint8_t *vals = malloc((size_t)stride * ncpus), *out = malloc((size_t)stride * ncpus);
	for (uint32_t i = 0; i < stride * ncpus; i++)
		vals[i] = (uint8_t)(i * 7 + 1);
	uint32_t k = 9;
	CHECK(update(fd, &k, vals, BPF_ANY) == 0, "%u percpu update", type);
	memset(out, 0, (size_t)stride * ncpus);
	CHECK(lookup(fd, &k, out) == 0 && !memcmp(out, vals, (size_t)stride * ncpus),
	      "%u every CPU's value, padding too", type);
	/* The program side sees its CPU's value. */
	pin_cpu0();
	uint8_t *p = m->ops->lookup(m, &k);
	CHECK(p && !memcmp(p, vals, 12), "%u prog lookup on cpu 0", type);
	/* A program's update of a present key changes only its CPU. */
	uint8_t nv[12];
	memset(nv, 0xab, sizeof(nv));
	CHECK(m->ops->update(m, &k, nv, BPF_EXIST, false) == 0, "%u prog update", type);
	CHECK(lookup(fd, &k, out) == 0 && !memcmp(out, nv, 12) &&
		      !memcmp(out + stride, vals + stride, (size_t)stride * (ncpus - 1)),
	      "%u prog update touches cpu 0 only", type);
	/* A program's update of a new key zeroes the other CPUs, even in a
	 * slot that held another key before. */
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0) == 0, "%u delete", type);
	k = 10;
	CHECK(m->ops->update(m, &k, nv, BPF_NOEXIST, false) == 0, "%u prog insert", type);
	memset(out, 0x55, (size_t)stride * ncpus);
	CHECK(lookup(fd, &k, out) == 0 && !memcmp(out, nv, 12), "%u prog insert cpu 0", type);
	bool zero = true;
	for (uint32_t i = stride; i < stride * ncpus; i++)
		zero = zero && out[i] == 0;
	CHECK(zero, "%u other CPUs zeroed", type);
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &k, out, 0) == 0 && !memcmp(out, nv, 12),
	      "%u percpu lookup_and_delete", type);
	free(vals);
	free(out);
	bpfrt_obj_put(&m->obj);
	bpfrt_close(rt, fd);
	cpu_set_t all;
	CPU_ZERO(&all);
	for (uint32_t c = 0; c < ncpus && c < CPU_SETSIZE; c++)
		CPU_SET(c, &all);
	sched_setaffinity(0, sizeof(all), &all);
}

/* ---- threads ---------------------------------------------------------- */

#define THREADS 4
#define KEYS_PER_THREAD 256

struct value {
	uint32_t key, thread;
	uint64_t serial;
};

struct worker {
	int fd;
	struct bpfrt_map *map;
	bool lru;
	uint32_t id;
	double seconds;
	int errors;
	uint64_t ops;
	uint64_t last[KEYS_PER_THREAD]; /* serial written last, 0: deleted */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

/* Each thread owns keys id*K .. id*K+K-1 and knows what it last wrote
 * there; it also reads the other threads' keys, where any value found
 * must carry the key it was found under (never a half-reused slot). */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (w->id + 1), serial = 0;
	double end = now() + w->seconds;
	while (now() < end) {
		for (int i = 0; i < 256; i++, w->ops++) {
			uint64_t r = rnd(&seed);
			uint32_t idx = (uint32_t)(r >> 8) % KEYS_PER_THREAD;
			uint32_t key = w->id * KEYS_PER_THREAD + idx;
			struct value v;
			switch (r % 8) {
			case 0:
			case 1:
			case 2: {
				v.key = key, v.thread = w->id, v.serial = ++serial;
				int e = w->map->ops->update(w->map, &key, &v, BPF_ANY, false);
				if (e) {
					w->errors++;
					fprintf(stderr, "update %u: %d\n", key, e);
				}
				w->last[idx] = serial;
				break;
			}
			case 3: {
				int e = w->map->ops->delete(w->map, &key);
				/* An LRU map may have evicted it already. */
				if (e && !(e == -ENOENT && (!w->last[idx] || w->lru))) {
					w->errors++;
					fprintf(stderr, "delete %u: %d (last %llu)\n", key, e,
						(unsigned long long)w->last[idx]);
				}
				w->last[idx] = 0;
				break;
			}
			case 4:
			case 5: {
				int e = w->map->ops->lookup_copy(w->map, &key, &v, 0);
				bool ok = e == 0 ? v.key == key && v.serial == w->last[idx]
						 : e == -ENOENT && (!w->last[idx] || w->lru);
				if (!ok) {
					w->errors++;
					fprintf(stderr, "own lookup %u: %d serial %llu want %llu\n", key, e,
						e ? 0ull : (unsigned long long)v.serial,
						(unsigned long long)w->last[idx]);
				}
				break;
			}
			case 6: {
				/* The program side: a pointer to our own value, which
				 * only this thread changes (unless evicted). */
				struct value *p = w->map->ops->lookup(w->map, &key);
				if (!w->lru && ((p == NULL) != (w->last[idx] == 0) ||
						(p && (p->key != key || p->serial != w->last[idx])))) {
					w->errors++;
					fprintf(stderr, "prog lookup %u\n", key);
				}
				break;
			}
			default: {
				uint32_t other = (uint32_t)(r >> 20) % (THREADS * KEYS_PER_THREAD);
				int e = w->map->ops->lookup_copy(w->map, &other, &v, 0);
				if (e == 0 ? v.key != other : e != -ENOENT) {
					w->errors++;
					fprintf(stderr, "foreign lookup %u: %d key %u\n", other, e, v.key);
				}
			}
			}
		}
	}
	return NULL;
}

static void stress(uint32_t type, uint32_t max_entries)
{
	bool lru = type == L;
	int fd = map_create(type, 4, sizeof(struct value), max_entries, 0);
	struct bpfrt_map *m = map_of(fd);
	static struct worker w[THREADS];
	pthread_t t[THREADS];
	for (uint32_t i = 0; i < THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].fd = fd, w[i].map = m, w[i].lru = lru, w[i].id = i, w[i].seconds = 0.6;
		pthread_create(&t[i], NULL, worker_run, &w[i]);
	}
	uint64_t ops = 0;
	int errors = 0;
	for (uint32_t i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ops += w[i].ops;
		errors += w[i].errors;
	}
	CHECK(errors == 0, "%u: %d errors in %llu ops", type, errors, (unsigned long long)ops);
	/* Quiet now: the walk sees every element once, each one lookup-able
	 * with its own key, and each thread's last writes are all there. */
	uint32_t expect = 0, found = 0, k, prev;
	for (uint32_t i = 0; i < THREADS; i++)
		for (uint32_t j = 0; j < KEYS_PER_THREAD; j++)
			expect += w[i].last[j] != 0;
	int n = walk_count(fd, sizeof(struct value));
	CHECK(n >= 0 && (uint32_t)n <= max_entries, "%u walk: %d", type, n);
	for (int e = next_key(fd, NULL, &k); !e; prev = k, e = next_key(fd, &prev, &k)) {
		struct value v;
		uint32_t idx = k % KEYS_PER_THREAD, th = k / KEYS_PER_THREAD;
		if (lookup(fd, &k, &v) || v.key != k || th >= THREADS || v.serial != w[th].last[idx])
			CHECK(0, "%u key %u: stale or wrong value", type, k);
		found++;
	}
	if (lru)
		CHECK(found <= expect && found == (uint32_t)n, "%u lru: %u found, %u written", type, found,
		      expect);
	else
		CHECK(found == expect, "%u: %u found, %u expected", type, found, expect);
	/* The count is right: exactly max_entries - found more keys fit. */
	if (!lru) {
		uint32_t extra = 0;
		struct value v = {0};
		for (k = 100000; k < 100000 + max_entries + 2; k++)
			if (update(fd, &k, &v, BPF_NOEXIST) == 0)
				extra++;
		CHECK(found + extra == max_entries, "%u: %u + %u != %u", type, found, extra, max_entries);
	}
	printf("stress type %u: %llu ops in 0.6 s, %u elements\n", type, (unsigned long long)ops, found);
	bpfrt_obj_put(&m->obj);
	bpfrt_close(rt, fd);
}

/* ---- writers killed holding the lock ------------------------------------- */

static void test_kill_writers(uint32_t type)
{
	const uint32_t n = 128;
	bool lru = type == L;
	int fd = map_create(type, 4, 8, n, 0);
	struct bpfrt_map *m = map_of(fd);
	uint64_t seed = 12345;
	int killed_holding = 0;
	for (int round = 0; round < 30; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			/* The child shares the map's storage (MAP_SHARED) and
			 * hammers it until it is killed. */
			uint64_t s = (uint64_t)getpid() * 7919;
			for (;;) {
				uint32_t k = (uint32_t)(rnd(&s) % (2 * n));
				uint64_t v = k;
				if (rnd(&s) & 1)
					m->ops->update(m, &k, &v, BPF_ANY, false);
				else
					m->ops->delete(m, &k);
			}
		}
		usleep(1000 + (useconds_t)(rnd(&seed) % 3000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		/* Did it die holding the lock? (trylock sees EOWNERDEAD) */
		int e = pthread_mutex_trylock(&m->shm->lock);
		if (e == EOWNERDEAD) {
			killed_holding++;
			m->ops->recover(m);
			pthread_mutex_consistent(&m->shm->lock);
		}
		if (e == 0 || e == EOWNERDEAD)
			pthread_mutex_unlock(&m->shm->lock);
		int cnt = walk_count(fd, 8);
		CHECK(cnt >= 0 && (uint32_t)cnt <= n, "%u round %d: walk %d", type, round, cnt);
	}
	/* Every value is its key; the map fills to exactly n (LRU: stays n). */
	uint32_t k, prev, bad = 0;
	uint64_t v;
	for (int e = next_key(fd, NULL, &k); !e; prev = k, e = next_key(fd, &prev, &k))
		bad += lookup(fd, &k, &v) || v != k;
	CHECK(bad == 0, "%u: %u bad values", type, bad);
	int present = walk_count(fd, 8);
	uint32_t extra = 0;
	for (k = 1000; k < 1000 + n + 2; k++) {
		v = k;
		extra += update(fd, &k, &v, BPF_NOEXIST) == 0;
	}
	if (lru)
		CHECK(walk_count(fd, 8) == (int)n, "%u: lru full at n", type);
	else
		CHECK(present + (int)extra == (int)n, "%u: %d + %u != %u after kills", type, present, extra,
		      n);
	printf("kill test type %u: %d of 30 children died holding the lock\n", type, killed_holding);
	bpfrt_obj_put(&m->obj);
	bpfrt_close(rt, fd);
}

static void bench_lookup(void)
{
	int fd = map_create(H, 4, 8, 4096, 0);
	struct bpfrt_map *m = map_of(fd);
	for (uint32_t k = 0; k < 4096; k++) {
		uint64_t v = k;
		update(fd, &k, &v, 0);
	}
	const uint32_t iters = 2000000;
	uint64_t sum = 0;
	double t0 = now();
	for (uint32_t i = 0; i < iters; i++) {
		uint32_t k = (i * 2654435761u) & 4095;
		uint64_t *p = m->ops->lookup(m, &k);
		sum += p ? *p : 0;
	}
	double ns = (now() - t0) * 1e9 / iters;
	printf("program-side lookup: %.1f ns (checksum %llu)\n", ns, (unsigned long long)sum);
	CHECK(sum != 0, "lookups found values");
	bpfrt_obj_put(&m->obj);
	bpfrt_close(rt, fd);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	ncpus = bpfrt_possible_cpus();
	test_create_errors();
	test_elem_errors(H);
	test_elem_errors(PH);
	test_elem_errors(L);
	test_elem_errors(LP);
	test_full_and_walk();
	test_lru();
	test_percpu(PH);
	test_percpu(LP);
	stress(H, THREADS * KEYS_PER_THREAD);
	stress(L, THREADS * KEYS_PER_THREAD / 2);
	test_kill_writers(H);
	test_kill_writers(L);
	bench_lookup();
	bpfrt_free(rt);
	return CHECK_DONE();
}
