/* bloom_filter.c — BPF_MAP_TYPE_BLOOM_FILTER: push adds a value, peek says
 * "maybe present" (0) or "certainly absent" (-ENOENT).
 *
 * A power-of-two bit array in the map's shared region, sized like the
 * kernel's (about 1.4 * max_entries * nr_hashes bits).  Bits are only ever
 * set, with atomic ORs, so no lock is needed and a value once pushed is
 * always found (no false negatives) whatever other threads or processes do,
 * even if one dies mid-push.  The hash is our own, not the kernel's jhash.
 */
#define _GNU_SOURCE
#include "maps/map.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define BLOOM_FLAGS                                                                          \
	(BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
	 BPF_F_WRONLY_PROG)
#define BLOOM_VALUE_MAX (1u << 22) /* the kernel's largest kmalloc */
#define BLOOM_DEFAULT_HASHES 5     /* map_extra's low 4 bits = 0 */

struct bloom_head {
	uint32_t seed;
	uint32_t nr_hashes;
	uint32_t bit_mask; /* number of bits - 1 */
	uint32_t pad;
};

#define HEAD_SIZE 64

/* The kernel's sizing: n * k / ln 2 bits (7/5 for 1/ln 2), a power of two,
 * at least 64, at most 2^32. */
static uint64_t bloom_bits(const union bpf_attr *attr)
{
	uint64_t k = attr->map_extra & 0xf ? attr->map_extra & 0xf : BLOOM_DEFAULT_HASHES;
	uint64_t bits = (uint64_t)attr->max_entries * k;
	if (bits > UINT32_MAX || (bits / 5) * 7 > (1ull << 31))
		return 1ull << 32;
	bits = (bits / 5) * 7;
	uint64_t p = 64;
	while (p < bits)
		p <<= 1;
	return p;
}

static int bloom_check(const union bpf_attr *attr)
{
	/* The kernel checks the value size before everything else. */
	if (attr->value_size > BLOOM_VALUE_MAX)
		return -E2BIG;
	if (attr->key_size != 0 || attr->value_size == 0 || attr->max_entries == 0 ||
	    (attr->map_flags & ~BLOOM_FLAGS) ||
	    ((attr->map_flags & BPF_F_RDONLY_PROG) && (attr->map_flags & BPF_F_WRONLY_PROG)) ||
	    (attr->map_extra & ~0xfull))
		return -EINVAL;
	return 0;
}

static uint64_t bloom_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	(void)nr_cpus;
	return HEAD_SIZE + bloom_bits(attr) / 8;
}

static struct bloom_head *head_of(const struct bpfrt_map *map)
{
	return map->data;
}

static uint64_t *bitset(const struct bpfrt_map *map)
{
	return (uint64_t *)((uint8_t *)map->data + HEAD_SIZE);
}

static int bloom_init(struct bpfrt_map *map)
{
	struct bloom_head *h = head_of(map);
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.max_entries = map->max_entries;
	attr.map_extra = map->shm->map_extra;
	h->nr_hashes = (uint32_t)(attr.map_extra & 0xf) ? (uint32_t)(attr.map_extra & 0xf)
							 : BLOOM_DEFAULT_HASHES;
	h->bit_mask = (uint32_t)(bloom_bits(&attr) - 1);
	if (!(map->flags & BPF_F_ZERO_SEED) &&
	    getrandom(&h->seed, sizeof(h->seed), GRND_NONBLOCK) != sizeof(h->seed)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		h->seed = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec;
	}
	return 0;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	x ^= x >> 33;
	return x;
}

/* One 64-bit hash of the value; the k bit positions are derived from its two
 * halves (h1 + i * h2), which keeps the false-positive rate of k hashes. */
static uint64_t value_hash(const struct bpfrt_map *map, const void *value)
{
	const uint8_t *p = value;
	uint32_t n = map->value_size;
	uint64_t h = mix64(head_of(map)->seed ^ ((uint64_t)n << 32));
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = mix64(h ^ w) + 0x9e3779b97f4a7c15ull;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = mix64(h ^ w ^ ((uint64_t)n << 59));
	}
	return mix64(h);
}

static uint32_t bit_index(const struct bpfrt_map *map, uint64_t hash, uint32_t i)
{
	uint32_t h1 = (uint32_t)hash, h2 = (uint32_t)(hash >> 32) | 1;
	return (h1 + i * h2) & head_of(map)->bit_mask;
}

static int bloom_push(struct bpfrt_map *map, const void *value, uint64_t flags)
{
	if (flags != BPF_ANY)
		return -EINVAL;
	uint64_t hash = value_hash(map, value);
	uint64_t *bits = bitset(map);
	for (uint32_t i = 0; i < head_of(map)->nr_hashes; i++) {
		uint32_t b = bit_index(map, hash, i);
		__atomic_fetch_or(&bits[b / 64], 1ull << (b % 64), __ATOMIC_RELEASE);
	}
	return 0;
}

static int bloom_peek(struct bpfrt_map *map, void *value)
{
	uint64_t hash = value_hash(map, value);
	const uint64_t *bits = bitset(map);
	for (uint32_t i = 0; i < head_of(map)->nr_hashes; i++) {
		uint32_t b = bit_index(map, hash, i);
		if (!(__atomic_load_n(&bits[b / 64], __ATOMIC_ACQUIRE) & (1ull << (b % 64))))
			return -ENOENT;
	}
	return 0;
}

/* What the kernel answers for the operations a bloom filter lacks. */
static int bloom_pop(struct bpfrt_map *map, void *value)
{
	(void)map, (void)value;
	return -EOPNOTSUPP;
}

static void *bloom_lookup(struct bpfrt_map *map, const void *key)
{
	(void)map, (void)key;
	return NULL; /* programs use bpf_map_peek_elem */
}

static int bloom_update(struct bpfrt_map *map, const void *key, const void *value,
			uint64_t flags, bool from_user)
{
	(void)map, (void)key, (void)value, (void)flags, (void)from_user;
	return -EINVAL; /* programs use bpf_map_push_elem */
}

static int bloom_delete(struct bpfrt_map *map, const void *key)
{
	(void)map, (void)key;
	return -EOPNOTSUPP;
}

static int bloom_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
	(void)map, (void)key, (void)next_key;
	return -EOPNOTSUPP;
}

const struct bpfrt_map_ops bpfrt_bloom_filter_map_ops = {
	.check = bloom_check,
	.data_size = bloom_data_size,
	.init = bloom_init,
	.lookup = bloom_lookup,
	.update = bloom_update,
	.delete = bloom_delete,
	.get_next_key = bloom_get_next_key,
	.push = bloom_push,
	.pop = bloom_pop,
	.peek = bloom_peek,
};
