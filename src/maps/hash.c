/* hash.c — BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH.
 *
 * Storage (all offsets): a header, a power-of-two array of bucket heads and
 * max_entries + 1 element slots (the spare lets a full map replace a value).
 * Writers hold the map lock; lookups take no lock and validate each element
 * with its generation counter (a per-slot seqlock), so a slot freed and
 * reused under a reader sends it back to the bucket head.  Every change is
 * published by one atomic store; whatever a killed writer leaves half done
 * is repaired by hash_recover(), run from bpfrt_map_lock on EOWNERDEAD.
 */
#define _GNU_SOURCE
#include "maps/map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define HASH_FLAGS                                                                           \
	(BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | BPF_F_RDONLY |          \
	 BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED)

/* The kernel's limits: key + value must fit one kmalloc (4 MiB) beside its
 * 48-byte element header; per-CPU values fit a per-CPU unit; the bucket
 * array (16-byte buckets) must be indexable by u32 bytes, so at most 2^27
 * buckets.  All three give E2BIG. */
#define KMALLOC_MAX (4u << 20)
#define KERNEL_ELEM_HDR 48u
#define PCPU_UNIT_MAX 32768u
#define MAX_BUCKETS (1u << 27)

/* After this many restarts a reader stops racing the writers and takes
 * the lock: lookups always finish even under a storm of updates. */
#define READER_RESTARTS 64

/* Links in bucket heads and slot->next.  0 in a bucket head: empty.  Even
 * and non-zero: (slot index + 1) << 1.  Odd: the end of bucket b's chain,
 * (b << 1) | 1 — a reader that followed a slot into another bucket's chain
 * (the slot was moved while it looked) ends on the wrong marker and knows
 * to start again. */
#define LINK_SLOT(i) (((uint32_t)(i) + 1) << 1)
#define LINK_END(b) (((uint32_t)(b) << 1) | 1)
#define LINK_IS_END(l) ((l) & 1)
#define LINK_INDEX(l) (((l) >> 1) - 1)

struct htab {
	uint32_t n_buckets; /* power of two */
	uint32_t n_slots;   /* max_entries + 1 */
	uint32_t slot_size;
	uint32_t seed;
	uint64_t buckets_off; /* from map->data */
	uint64_t slots_off;
	/* Changed only under the lock; hash_recover() recomputes them all. */
	uint32_t count;       /* linked elements */
	uint32_t free_head;   /* slot index + 1 of the free list's top, 0: empty */
	uint32_t next_unused; /* slots at or past this were never used */
	uint32_t clock_hand;  /* LRU: the next slot the eviction sweep looks at */
};

struct slot {
	uint32_t gen;       /* even: linked (or being linked); odd: free */
	uint32_t next;      /* chain link */
	uint32_t hash;
	uint32_t free_next; /* free list link, slot index + 1 */
	uint32_t ref;       /* LRU: set by program lookups, cleared by the sweep */
	uint32_t pad;
	/* key (rounded to 8), then the value, or nr_cpus values, each rounded to 8 */
};

static bool type_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool type_is_lru(uint32_t type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static struct htab *htab_of(const struct bpfrt_map *map)
{
	return (struct htab *)map->data;
}

static uint32_t *bucket_at(const struct bpfrt_map *map, uint32_t b)
{
	return (uint32_t *)((uint8_t *)map->data + htab_of(map)->buckets_off) + b;
}

static struct slot *slot_at(const struct bpfrt_map *map, uint32_t idx)
{
	const struct htab *h = htab_of(map);
	return (struct slot *)((uint8_t *)map->data + h->slots_off + (uint64_t)h->slot_size * idx);
}

static uint32_t slot_index(const struct bpfrt_map *map, const struct slot *s)
{
	const struct htab *h = htab_of(map);
	return (uint32_t)(((const uint8_t *)s - ((uint8_t *)map->data + h->slots_off)) / h->slot_size);
}

static uint8_t *slot_key(struct slot *s)
{
	return (uint8_t *)(s + 1);
}

static uint8_t *slot_value(const struct bpfrt_map *map, struct slot *s, uint32_t cpu)
{
	return slot_key(s) + bpfrt_round_up8(map->key_size) +
	       (uint64_t)bpfrt_round_up8(map->value_size) * cpu;
}

/* ---- bytes that lock-free readers may read while a writer writes -------
 *
 * A slot's key and value are read without the lock (find_lockfree,
 * copy_out) while a writer may be refilling the slot or a program may be
 * adding to the value atomically; the gen check throws away what such a
 * read saw.  For that to be a defined race in C11 (and quiet under TSan)
 * both sides use relaxed atomic accesses, a word at a time: on x86-64 and
 * arm64 these are the same plain loads and stores memcpy makes.  Keys and
 * values start 8-aligned in a slot (struct slot is 24 bytes, sizes are
 * rounded to 8); the other side (the caller's buffer) may be unaligned. */

static void shared_load(void *dst, const uint8_t *src, uint64_t n)
{
	uint8_t *d = dst;
	for (; n >= 8; n -= 8, src += 8, d += 8) {
		uint64_t w = __atomic_load_n((const uint64_t *)src, __ATOMIC_RELAXED);
		memcpy(d, &w, 8);
	}
	for (; n; n--)
		*d++ = __atomic_load_n(src++, __ATOMIC_RELAXED);
}

/* src == NULL stores zeros. */
static void shared_store(uint8_t *dst, const void *src, uint64_t n)
{
	const uint8_t *s = src;
	for (; n >= 8; n -= 8, dst += 8) {
		uint64_t w = 0;
		if (s) {
			memcpy(&w, s, 8);
			s += 8;
		}
		__atomic_store_n((uint64_t *)dst, w, __ATOMIC_RELAXED);
	}
	for (; n; n--)
		__atomic_store_n(dst++, s ? *s++ : 0, __ATOMIC_RELAXED);
}

static bool shared_equal(const uint8_t *shared, const void *mem, uint64_t n)
{
	const uint8_t *m = mem;
	if (n == 4 && !((uintptr_t)shared & 3)) { /* u32 keys: one load, not four */
		uint32_t w;
		memcpy(&w, m, 4);
		return __atomic_load_n((const uint32_t *)(const void *)shared, __ATOMIC_RELAXED) == w;
	}
	for (; n >= 8; n -= 8, shared += 8, m += 8) {
		uint64_t w;
		memcpy(&w, m, 8);
		if (__atomic_load_n((const uint64_t *)shared, __ATOMIC_RELAXED) != w)
			return false;
	}
	for (; n; n--)
		if (__atomic_load_n(shared++, __ATOMIC_RELAXED) != *m++)
			return false;
	return true;
}

/* ---- creation -------------------------------------------------------- */

/* max_entries as the kernel sets it: per-CPU LRU lists get the same number
 * of elements each, so NO_COMMON_LRU rounds up to a multiple of the CPUs
 * (down if rounding up overflows). */
static uint32_t effective_entries(const union bpf_attr *attr, uint32_t nr_cpus)
{
	uint64_t n = attr->max_entries;
	if (type_is_lru(attr->map_type) && (attr->map_flags & BPF_F_NO_COMMON_LRU)) {
		uint64_t up = (n + nr_cpus - 1) / nr_cpus * nr_cpus;
		n = up > UINT32_MAX ? n / nr_cpus * nr_cpus : up;
	}
	return (uint32_t)n;
}

static uint32_t roundup_pow2(uint32_t v)
{
	uint32_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

/* Is NUMA node n online?  /sys/devices/system/node/online lists them as
 * "0-1,3"; without it (no NUMA support) only node 0 exists. */
static bool numa_node_online(uint32_t n)
{
	FILE *f = fopen("/sys/devices/system/node/online", "r");
	char buf[256];
	bool online = n == 0;
	if (f && fgets(buf, sizeof(buf), f)) {
		online = false;
		char *s = buf;
		while (*s && *s != '\n') {
			char *end;
			unsigned long a = strtoul(s, &end, 10), b = a;
			if (end == s)
				break;
			s = end;
			if (*s == '-')
				b = strtoul(s + 1, &s, 10);
			if (n >= a && n <= b)
				online = true;
			if (*s == ',')
				s++;
		}
	}
	if (f)
		fclose(f);
	return online;
}

/* The checks and their order are the kernel's (syscall map_create, then
 * htab_map_alloc_check, then htab_map_alloc), so the first failing one
 * decides the errno exactly as there. */
static int hash_check(const union bpf_attr *attr)
{
	bool percpu = type_is_percpu(attr->map_type), lru = type_is_lru(attr->map_type);
	bool numa = (attr->map_flags & BPF_F_NUMA_NODE) && attr->numa_node != UINT32_MAX;
	if (numa && !numa_node_online(attr->numa_node))
		return -EINVAL;
	if ((attr->map_flags & ~HASH_FLAGS) ||
	    ((attr->map_flags & BPF_F_RDONLY_PROG) && (attr->map_flags & BPF_F_WRONLY_PROG)))
		return -EINVAL;
	if (!lru && (attr->map_flags & BPF_F_NO_COMMON_LRU))
		return -EINVAL;
	if (lru && (attr->map_flags & BPF_F_NO_PREALLOC))
		return -ENOTSUPP; /* the kernel's LRU lists need preallocated elements */
	if (numa && (percpu || (attr->map_flags & BPF_F_NO_COMMON_LRU)))
		return -EINVAL;
	if (attr->max_entries == 0 || attr->key_size == 0 || attr->value_size == 0)
		return -EINVAL;
	if ((uint64_t)attr->key_size + attr->value_size >= KMALLOC_MAX - KERNEL_ELEM_HDR)
		return -E2BIG;
	if (percpu && bpfrt_round_up8(attr->value_size) > PCPU_UNIT_MAX)
		return -E2BIG;
	uint32_t n = effective_entries(attr, bpfrt_possible_cpus());
	if (n > (1u << 31) || roundup_pow2(n) > MAX_BUCKETS)
		return -E2BIG;
	return 0;
}

static uint64_t layout_slot_size(uint32_t key_size, uint32_t value_size, bool percpu, uint32_t nr_cpus)
{
	return sizeof(struct slot) + bpfrt_round_up8(key_size) +
	       (uint64_t)bpfrt_round_up8(value_size) * (percpu ? nr_cpus : 1);
}

static uint64_t buckets_offset(void)
{
	return (sizeof(struct htab) + 63) & ~63ull;
}

static uint64_t slots_offset(uint32_t n_buckets)
{
	return (buckets_offset() + 4ull * n_buckets + 63) & ~63ull;
}

/* The whole map is reserved up front (the kernel's preallocation; with
 * NO_PREALLOC too).  Slots are handed out from a bump index, so a big
 * map's pages are only touched as it fills. */
static uint64_t hash_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	uint32_t n = effective_entries(attr, nr_cpus);
	uint64_t slot = layout_slot_size(attr->key_size, attr->value_size,
					 type_is_percpu(attr->map_type), nr_cpus);
	return slots_offset(roundup_pow2(n)) + slot * ((uint64_t)n + 1);
}

static int hash_init(struct bpfrt_map *map)
{
	struct htab *h = htab_of(map);
	uint32_t n = map->max_entries;
	if (type_is_lru(map->type) && (map->flags & BPF_F_NO_COMMON_LRU)) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_type = map->type, a.map_flags = map->flags, a.max_entries = n;
		n = effective_entries(&a, map->nr_cpus);
		map->max_entries = map->shm->max_entries = n;
	}
	h->n_buckets = roundup_pow2(n);
	h->n_slots = n + 1;
	h->slot_size = (uint32_t)layout_slot_size(map->key_size, map->value_size,
						  type_is_percpu(map->type), map->nr_cpus);
	h->buckets_off = buckets_offset();
	h->slots_off = slots_offset(h->n_buckets);
	/* A random seed keeps chosen keys from piling into one bucket, as
	 * the kernel's; BPF_F_ZERO_SEED asks for a reproducible layout. */
	h->seed = 0;
	if (!(map->flags & BPF_F_ZERO_SEED) && getrandom(&h->seed, sizeof(h->seed), 0) < 0)
		h->seed = (uint32_t)getpid() * 2654435761u;
	return 0;
}

/* ---- hashing and finding -------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	x ^= x >> 33;
	return x;
}

static uint32_t key_hash(const void *key, uint32_t len, uint32_t seed)
{
	const uint8_t *p = key;
	uint64_t h = mix64(seed ^ ((uint64_t)len << 32));
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = mix64(h ^ w);
	}
	if (len) {
		uint64_t w = 0;
		if (len == 4) { /* a fixed-size copy the compiler inlines (same bytes) */
			uint32_t v;
			memcpy(&v, p, 4);
			memcpy(&w, &v, 4);
		} else {
			memcpy(&w, p, len);
		}
		h = mix64(h ^ w ^ 0x9e3779b97f4a7c15ull);
	}
	return (uint32_t)(h ^ (h >> 32));
}

static uint32_t bucket_of(const struct bpfrt_map *map, uint32_t hash)
{
	return hash & (htab_of(map)->n_buckets - 1);
}

/* Under the lock: the element with this key, and the link that points to
 * it (a bucket head or the previous element's next). */
static struct slot *find_locked(struct bpfrt_map *map, const void *key, uint32_t hash,
				uint32_t **pred_out)
{
	uint32_t *pred = bucket_at(map, bucket_of(map, hash));
	uint32_t steps = htab_of(map)->n_slots;
	for (uint32_t link = *pred; link && !LINK_IS_END(link) && steps--; link = *pred) {
		struct slot *s = slot_at(map, LINK_INDEX(link));
		if (s->hash == hash && !memcmp(slot_key(s), key, map->key_size)) {
			if (pred_out)
				*pred_out = pred;
			return s;
		}
		pred = &s->next;
	}
	return NULL;
}

/* Without the lock.  Each element is read between two loads of its gen:
 * if gen was odd or changed, the slot was freed (and maybe reused for
 * another key or bucket) while we looked, so its key and next can't be
 * trusted and the walk restarts.  A writer makes gen odd before it touches
 * a freed slot and even again before linking it (see slot_prepare).
 *
 * That alone is not enough: the link we followed may name a slot that was
 * freed and reused after we read the link, so its gen is new and even and
 * its contents consistent, yet it sits elsewhere.  A reuse in another
 * bucket ends on the wrong end marker; a replacement in this bucket takes
 * the replaced element's place, further down the chain, and a walk going
 * on from there would skip the elements in between — a lookup of a key
 * that was there all along would miss.  So once s's gen is read, the link
 * that led to it is read again, with its owner's gen: if s is still what
 * that link names, s is where we thought it was.  (The acquire load of a
 * reused slot's gen makes the writer's unlinking visible to these loads.) */
static struct slot *find_lockfree(struct bpfrt_map *map, const void *key, uint32_t hash,
				  uint32_t *gen_out)
{
	const struct htab *h = htab_of(map);
	uint32_t b = bucket_of(map, hash);
	uint32_t *head = bucket_at(map, b);
	for (int tries = 0; tries < READER_RESTARTS; tries++) {
		uint32_t link = __atomic_load_n(head, __ATOMIC_ACQUIRE);
		uint32_t steps = h->n_slots + 1;
		uint32_t *pred = head;          /* where link was read */
		struct slot *pred_slot = NULL;  /* its slot (NULL: the bucket head) */
		uint32_t pred_gen = 0;
		for (;;) {
			if (link == 0 || link == LINK_END(b))
				return NULL;
			if (LINK_IS_END(link) || LINK_INDEX(link) >= h->n_slots || !steps--)
				break; /* wandered into another chain: restart */
			struct slot *s = slot_at(map, LINK_INDEX(link));
			uint32_t g1 = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
			if (g1 & 1)
				break;
			if (__atomic_load_n(pred, __ATOMIC_RELAXED) != link ||
			    (pred_slot && __atomic_load_n(&pred_slot->gen, __ATOMIC_RELAXED) != pred_gen))
				break; /* s may have moved since we read link */
			bool match = __atomic_load_n(&s->hash, __ATOMIC_RELAXED) == hash &&
				     shared_equal(slot_key(s), key, map->key_size);
			uint32_t next = __atomic_load_n(&s->next, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&s->gen, __ATOMIC_RELAXED) != g1)
				break;
			if (match) {
				*gen_out = g1;
				return s;
			}
			pred = &s->next, pred_slot = s, pred_gen = g1;
			link = next;
		}
	}
	/* Writers keep moving this bucket under us: ask them to wait. */
	bpfrt_map_lock(map);
	struct slot *s = find_locked(map, key, hash, NULL);
	if (s)
		*gen_out = s->gen;
	bpfrt_map_unlock(map);
	return s;
}

/* ---- slots: free list, prepare, publish, free (all under the lock) ---- */

static struct slot *slot_alloc(struct bpfrt_map *map)
{
	struct htab *h = htab_of(map);
	if (h->free_head) {
		struct slot *s = slot_at(map, h->free_head - 1);
		h->free_head = s->free_next;
		return s;
	}
	if (h->next_unused < h->n_slots) {
		/* Claimed before use: a slot linked by a writer that then died
		 * is never handed out a second time from here. */
		uint32_t idx = h->next_unused;
		__atomic_store_n(&h->next_unused, idx + 1, __ATOMIC_RELAXED);
		return slot_at(map, idx);
	}
	return NULL; /* only if the invariants were broken */
}

/* The slot leaves the map: readers still on it see gen change and retry. */
static void slot_free(struct bpfrt_map *map, struct slot *s)
{
	struct htab *h = htab_of(map);
	uint32_t g = __atomic_load_n(&s->gen, __ATOMIC_RELAXED);
	if (!(g & 1))
		__atomic_store_n(&s->gen, g + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	s->free_next = h->free_head;
	h->free_head = slot_index(map, s) + 1;
}

/* Fill a slot that no reader can reach as a live element: its gen is odd
 * (or it is fresh), so a reader that still holds it from an earlier life
 * fails its gen check.  gen turns even just before the slot is linked. */
static void slot_prepare(struct bpfrt_map *map, struct slot *s, const void *key, uint32_t hash,
			 const void *value, bool from_user, uint32_t next)
{
	uint32_t g = __atomic_load_n(&s->gen, __ATOMIC_RELAXED);
	if (!(g & 1)) {
		/* A fresh slot: never reachable, but keep the parity rule. */
		g++;
		__atomic_store_n(&s->gen, g, __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&s->hash, hash, __ATOMIC_RELAXED);
	__atomic_store_n(&s->ref, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->next, next, __ATOMIC_RELAXED);
	shared_store(slot_key(s), key, map->key_size);
	if (!type_is_percpu(map->type)) {
		shared_store(slot_value(map, s, 0), value, map->value_size);
		/* A new element's bpf_spin_lock is free, whatever was passed. */
		if (bpfrt_map_has_lock(map))
			__atomic_store_n((uint32_t *)(slot_value(map, s, 0) + map->shm->spin_lock_off), 0,
					 __ATOMIC_RELAXED);
	} else if (from_user) {
		shared_store(slot_value(map, s, 0), value,
			     (uint64_t)bpfrt_round_up8(map->value_size) * map->nr_cpus);
	} else {
		/* A program sets only its CPU's value; the others start at
		 * zero, as the kernel's pcpu_init_value does, so no CPU sees
		 * what an earlier element left in the slot. */
		shared_store(slot_value(map, s, 0), NULL,
			     (uint64_t)bpfrt_round_up8(map->value_size) * map->nr_cpus);
		shared_store(slot_value(map, s, bpfrt_current_cpu(map->nr_cpus)), value,
			     map->value_size);
	}
	__atomic_store_n(&s->gen, g + 1, __ATOMIC_RELEASE);
}

/* Unlink s (found through pred) and free it: one store takes it out. */
static void unlink_and_free(struct bpfrt_map *map, uint32_t *pred, struct slot *s)
{
	struct htab *h = htab_of(map);
	uint32_t next = s->next;
	/* Emptying a bucket leaves the end marker: a head of 0 and one of
	 * LINK_END(b) both mean empty. */
	__atomic_store_n(pred, next, __ATOMIC_RELEASE);
	__atomic_store_n(&h->count, h->count - 1, __ATOMIC_RELAXED);
	slot_free(map, s);
}

/* ---- LRU: a CLOCK sweep approximates least-recently-used ------------- */

/* Program lookups set ref; the sweep clears it and passes over the element
 * once, and evicts the first element it finds unreferenced.  An element
 * nobody looked up since the hand last passed is evicted before one that
 * was.  The kernel's LRU is approximate too (active/inactive lists). */
static void lru_evict_one(struct bpfrt_map *map)
{
	struct htab *h = htab_of(map);
	uint32_t used = h->next_unused;
	if (!used)
		return;
	/* Two turns clear every ref; past that, take whatever is live so
	 * lookups racing the sweep can't keep it going for ever. */
	for (uint64_t step = 0; step < 3ull * used + 1; step++) {
		uint32_t idx = h->clock_hand % used;
		h->clock_hand = (idx + 1) % used;
		struct slot *s = slot_at(map, idx);
		if (s->gen & 1)
			continue;
		if (step < 2ull * used && __atomic_load_n(&s->ref, __ATOMIC_RELAXED)) {
			__atomic_store_n(&s->ref, 0, __ATOMIC_RELAXED);
			continue;
		}
		uint32_t *pred;
		if (find_locked(map, slot_key(s), s->hash, &pred) == s) {
			unlink_and_free(map, pred, s);
			return;
		}
	}
}

static void lru_mark(struct slot *s)
{
	/* Read first: writing a set bit again would bounce the cache line
	 * between CPUs on every lookup. */
	if (!__atomic_load_n(&s->ref, __ATOMIC_RELAXED))
		__atomic_store_n(&s->ref, 1, __ATOMIC_RELAXED);
}

/* ---- the operations --------------------------------------------------- */

static void *hash_lookup(struct bpfrt_map *map, const void *key)
{
	uint32_t gen;
	struct slot *s = find_lockfree(map, key, key_hash(key, map->key_size, htab_of(map)->seed), &gen);
	if (!s)
		return NULL;
	if (type_is_lru(map->type))
		lru_mark(s);
	return slot_value(map, s, type_is_percpu(map->type) ? bpfrt_current_cpu(map->nr_cpus) : 0);
}

/* The syscall's copy is checked against gen like a lookup: a value that
 * was replaced while it was copied is copied again, so the application
 * never sees half of two values (per-CPU values are updated in place, as
 * in the kernel, and have no such guarantee).  No ref mark: the kernel's
 * syscall lookup of an LRU map doesn't count as a use either. */
static int copy_out(struct bpfrt_map *map, const void *key, void *value)
{
	uint32_t hash = key_hash(key, map->key_size, htab_of(map)->seed);
	uint64_t size = type_is_percpu(map->type)
				? (uint64_t)bpfrt_round_up8(map->value_size) * map->nr_cpus
				: map->value_size;
	for (int tries = 0; tries < READER_RESTARTS; tries++) {
		uint32_t gen;
		struct slot *s = find_lockfree(map, key, hash, &gen);
		if (!s)
			return -ENOENT;
		shared_load(value, slot_value(map, s, 0), size);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->gen, __ATOMIC_RELAXED) == gen)
			return 0;
	}
	bpfrt_map_lock(map);
	struct slot *s = find_locked(map, key, hash, NULL);
	if (s)
		shared_load(value, slot_value(map, s, 0), size); /* programs may be adding to it */
	bpfrt_map_unlock(map);
	return s ? 0 : -ENOENT;
}

static int hash_lookup_copy(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
	if (flags & ~(uint64_t)BPF_F_LOCK || (flags && !bpfrt_map_has_lock(map)))
		return -EINVAL; /* BPF_F_LOCK needs a bpf_spin_lock in the value */
	if (!flags)
		return copy_out(map, key, value);
	/* BPF_F_LOCK: under the map lock the element can't be freed and
	 * reused while its spin lock is held here. */
	bpfrt_map_lock(map);
	struct slot *s = find_locked(map, key, key_hash(key, map->key_size, htab_of(map)->seed), NULL);
	if (s)
		bpfrt_map_value_copy_locked(map, slot_value(map, s, 0), value, true);
	bpfrt_map_unlock(map);
	return s ? 0 : -ENOENT;
}

static int hash_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags,
		       bool from_user)
{
	/* The kernel rejects unknown flags first, then BPF_F_LOCK where the
	 * value has no bpf_spin_lock (per-CPU and LRU maps never have one and
	 * reject it as "flags > BPF_EXIST", the same EINVAL). */
	bool locked_copy = flags & BPF_F_LOCK;
	flags &= ~(uint64_t)BPF_F_LOCK;
	if (flags > BPF_EXIST || (locked_copy && !bpfrt_map_has_lock(map)))
		return -EINVAL;
	struct htab *h = htab_of(map);
	uint32_t hash = key_hash(key, map->key_size, h->seed);
	int err = 0;
	bpfrt_map_lock(map);
	uint32_t *pred;
	struct slot *old = find_locked(map, key, hash, &pred);
	if (old && flags == BPF_NOEXIST) {
		err = -EEXIST;
		goto out;
	}
	if (!old && flags == BPF_EXIST) {
		err = -ENOENT;
		goto out;
	}
	if (old && locked_copy) {
		/* BPF_F_LOCK updates the element in place under its spin lock,
		 * as the kernel's copy_map_value_locked (not per-CPU: no lock). */
		bpfrt_map_value_copy_locked(map, slot_value(map, old, 0), (void *)value, false);
		goto out;
	}
	if (old && type_is_percpu(map->type)) {
		/* Per-CPU values are overwritten in place, as the kernel does. */
		uint32_t stride = bpfrt_round_up8(map->value_size);
		if (from_user)
			shared_store(slot_value(map, old, 0), value, (uint64_t)stride * map->nr_cpus);
		else
			shared_store(slot_value(map, old, bpfrt_current_cpu(map->nr_cpus)), value,
				     map->value_size);
		goto out;
	}
	if (!old && h->count >= map->max_entries) {
		if (!type_is_lru(map->type)) {
			err = -E2BIG;
			goto out;
		}
		lru_evict_one(map);
	}
	/* There is always a free slot here: at most max_entries are linked
	 * and there are max_entries + 1. */
	struct slot *s = slot_alloc(map);
	if (!s) {
		err = -ENOMEM;
		goto out;
	}
	uint32_t b = bucket_of(map, hash);
	if (old) {
		/* The new element takes the old one's place in one store, so a
		 * reader finds one or the other, never neither. */
		slot_prepare(map, s, key, hash, value, from_user, old->next);
		__atomic_store_n(pred, LINK_SLOT(slot_index(map, s)), __ATOMIC_RELEASE);
		slot_free(map, old);
	} else {
		uint32_t *head = bucket_at(map, b);
		uint32_t first = *head ? *head : LINK_END(b);
		slot_prepare(map, s, key, hash, value, from_user, first);
		__atomic_store_n(head, LINK_SLOT(slot_index(map, s)), __ATOMIC_RELEASE);
		__atomic_store_n(&h->count, h->count + 1, __ATOMIC_RELAXED);
	}
out:
	bpfrt_map_unlock(map);
	return err;
}

static int hash_delete(struct bpfrt_map *map, const void *key)
{
	uint32_t hash = key_hash(key, map->key_size, htab_of(map)->seed);
	bpfrt_map_lock(map);
	uint32_t *pred;
	struct slot *s = find_locked(map, key, hash, &pred);
	if (s)
		unlink_and_free(map, pred, s);
	bpfrt_map_unlock(map);
	return s ? 0 : -ENOENT;
}

static int hash_lookup_and_delete(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
	if (flags & ~(uint64_t)BPF_F_LOCK || (flags && !bpfrt_map_has_lock(map)))
		return -EINVAL;
	uint32_t hash = key_hash(key, map->key_size, htab_of(map)->seed);
	bpfrt_map_lock(map);
	uint32_t *pred;
	struct slot *s = find_locked(map, key, hash, &pred);
	if (s) {
		uint64_t size = type_is_percpu(map->type)
					? (uint64_t)bpfrt_round_up8(map->value_size) * map->nr_cpus
					: map->value_size;
		if (flags & BPF_F_LOCK)
			bpfrt_map_value_copy_locked(map, slot_value(map, s, 0), value, true);
		else
			shared_load(value, slot_value(map, s, 0), size);
		unlink_and_free(map, pred, s);
	}
	bpfrt_map_unlock(map);
	return s ? 0 : -ENOENT;
}

/* Bucket order, then chain order; a key that isn't there restarts from
 * the first element, as the kernel's.  Under the lock, so a walk over an
 * unchanged map visits each element once. */
static int hash_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
	struct htab *h = htab_of(map);
	int err = -ENOENT;
	uint32_t b = 0;
	bpfrt_map_lock(map);
	if (key) {
		uint32_t hash = key_hash(key, map->key_size, h->seed);
		struct slot *s = find_locked(map, key, hash, NULL);
		if (s) {
			if (s->next && !LINK_IS_END(s->next)) {
				memcpy(next_key, slot_key(slot_at(map, LINK_INDEX(s->next))), map->key_size);
				err = 0;
				goto out;
			}
			b = bucket_of(map, hash) + 1;
		}
	}
	for (; b < h->n_buckets; b++) {
		uint32_t link = *bucket_at(map, b);
		if (link && !LINK_IS_END(link)) {
			memcpy(next_key, slot_key(slot_at(map, LINK_INDEX(link))), map->key_size);
			err = 0;
			break;
		}
	}
out:
	bpfrt_map_unlock(map);
	return err;
}

/* For batch walks (map_batch.c): slot indexes are positions that hold
 * still while an element lives.  An update of an existing key in a
 * non-per-CPU map links a new element in another slot, so a walk running
 * beside such updates may see that key twice or miss it. */
static int hash_key_at(struct bpfrt_map *map, uint32_t *pos, void *key)
{
	struct htab *h = htab_of(map);
	int err = -ENOENT;
	bpfrt_map_lock(map);
	for (uint32_t i = *pos; i < h->next_unused; i++) {
		struct slot *s = slot_at(map, i);
		if (!(s->gen & 1)) {
			memcpy(key, slot_key(s), map->key_size);
			*pos = i;
			err = 0;
			break;
		}
	}
	bpfrt_map_unlock(map);
	return err;
}

/* ---- crash recovery ------------------------------------------------------ */

/* Called with the lock held after its previous holder died.  The chains
 * are always whole (every change to them is one store), but the dead
 * writer may have left a slot popped from the free list and never linked,
 * an unlinked slot not yet freed, or count one off.  The chains are the
 * truth: everything else is rebuilt from them.  Running it twice is
 * harmless, so dying inside it is too. */
static void hash_recover(struct bpfrt_map *map)
{
	struct htab *h = htab_of(map);
	uint8_t *linked = calloc(h->n_slots, 1);
	uint32_t count = 0, used = h->next_unused;
	if (!linked)
		return; /* can't repair now; the map still works, with slots lost */
	for (uint32_t b = 0; b < h->n_buckets; b++) {
		uint32_t *pred = bucket_at(map, b);
		uint32_t steps = h->n_slots;
		for (uint32_t link = *pred; link && !LINK_IS_END(link); link = *pred) {
			uint32_t idx = LINK_INDEX(link);
			if (idx >= h->n_slots || linked[idx] || !steps--) {
				/* Not a state a single store can leave; cut the
				 * chain here rather than loop or stray. */
				__atomic_store_n(pred, LINK_END(b), __ATOMIC_RELEASE);
				break;
			}
			linked[idx] = 1;
			count++;
			if (idx >= used)
				used = idx + 1;
			pred = &slot_at(map, idx)->next;
		}
	}
	h->next_unused = used;
	h->free_head = 0;
	for (uint32_t i = used; i-- > 0;)
		if (!linked[i])
			slot_free(map, slot_at(map, i));
	h->count = count;
	h->clock_hand = used ? h->clock_hand % used : 0;
	free(linked);
}

/* One table for HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH: the
 * functions read the differences from the map's type. */
const struct bpfrt_map_ops bpfrt_hash_map_ops = {
	.check = hash_check,
	.data_size = hash_data_size,
	.init = hash_init,
	.lookup = hash_lookup,
	.lookup_copy = hash_lookup_copy,
	.update = hash_update,
	.delete = hash_delete,
	.get_next_key = hash_get_next_key,
	.lookup_and_delete = hash_lookup_and_delete,
	.key_at = hash_key_at,
	.recover = hash_recover,
};

