/* stack_trace.c — BPF_MAP_TYPE_STACK_TRACE: the stacks bpf_get_stackid
 * stores, one per bucket, the bucket (the stack id) chosen by a hash of the
 * addresses, as the kernel's stackmap: roundup_pow_of_two(max_entries)
 * buckets; a second, different stack hashing to a used bucket is -EEXIST
 * unless BPF_F_REUSE_STACKID replaces it.  Programs cannot look stacks up
 * (the verifier gives this map only to bpf_get_stackid); the syscall side
 * reads (the addresses, zero-padded), deletes and walks ids, and cannot
 * update (-EINVAL).  With BPF_F_STACK_BUILD_ID each element is a struct
 * bpf_stack_build_id (status BPF_STACK_BUILD_ID_IP: bpfrt reads no build
 * ids).  A bucket: u32 entry count (0: empty), u32 pad, u64 hash, then
 * value_size bytes; a store is written under the map lock with the count
 * published last.
 */
#include "maps/map.h"

#include <errno.h>
#include <string.h>

#define STACK_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_STACK_BUILD_ID)
#define PERF_MAX_STACK 127

struct bucket {
	uint32_t nr;
	uint32_t pad;
	uint64_t hash;
	uint8_t data[];
};

static uint32_t n_buckets(uint32_t max_entries)
{
	uint32_t n = 1;
	while (n < max_entries)
		n <<= 1;
	return n;
}

static uint32_t elem_size(uint32_t map_flags)
{
	return map_flags & BPF_F_STACK_BUILD_ID ? (uint32_t)sizeof(struct bpf_stack_build_id) : 8u;
}

static int stack_check(const union bpf_attr *attr)
{
	uint32_t es = elem_size(attr->map_flags);
	if ((attr->map_flags & ~(uint32_t)STACK_FLAGS) || attr->key_size != 4 || attr->value_size < 8 ||
	    attr->value_size % es || attr->max_entries == 0 || attr->max_entries > (1u << 31))
		return -EINVAL;
	if (attr->value_size / es > PERF_MAX_STACK)
		return -EINVAL;
	return 0;
}

static uint64_t bucket_size(uint32_t value_size)
{
	return sizeof(struct bucket) + bpfrt_round_up8(value_size);
}

static uint64_t stack_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	(void)nr_cpus;
	return bucket_size(attr->value_size) * n_buckets(attr->max_entries);
}

static struct bucket *bucket_at(const struct bpfrt_map *map, uint32_t id)
{
	return (struct bucket *)((uint8_t *)map->data + bucket_size(map->value_size) * id);
}

static void *stack_lookup(struct bpfrt_map *map, const void *key)
{
	(void)map, (void)key;
	return NULL; /* the kernel: -EOPNOTSUPP; the verifier never lets a program ask */
}

static int stack_lookup_copy(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
	(void)flags;
	uint32_t id;
	memcpy(&id, key, 4);
	if (id >= n_buckets(map->max_entries))
		return -ENOENT;
	struct bucket *b = bucket_at(map, id);
	uint32_t nr = __atomic_load_n(&b->nr, __ATOMIC_ACQUIRE);
	if (!nr)
		return -ENOENT;
	size_t len = (size_t)nr * elem_size(map->flags);
	memcpy(value, b->data, len);
	memset((uint8_t *)value + len, 0, map->value_size - len);
	return 0;
}

static int stack_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags, bool from_user)
{
	(void)map, (void)key, (void)value, (void)flags, (void)from_user;
	return -EINVAL;
}

static int stack_delete(struct bpfrt_map *map, const void *key)
{
	uint32_t id;
	memcpy(&id, key, 4);
	if (id >= n_buckets(map->max_entries))
		return -EINVAL;
	struct bucket *b = bucket_at(map, id);
	bpfrt_map_lock(map);
	int err = b->nr ? 0 : -ENOENT;
	__atomic_store_n(&b->nr, 0, __ATOMIC_RELEASE);
	bpfrt_map_unlock(map);
	return err;
}

static int stack_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
	uint32_t n = n_buckets(map->max_entries), id = 0;
	if (key) {
		memcpy(&id, key, 4);
		id = id >= n ? 0 : id + 1;
	}
	for (; id < n; id++)
		if (__atomic_load_n(&bucket_at(map, id)->nr, __ATOMIC_ACQUIRE)) {
			memcpy(next_key, &id, 4);
			return 0;
		}
	return -ENOENT;
}

/* FNV-1a over the addresses: any fixed hash will do (ids are opaque). */
static uint64_t hash_ips(const uint64_t *ips, uint32_t nr)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const uint8_t *p = (const uint8_t *)ips;
	for (size_t i = 0; i < (size_t)nr * 8; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

int bpfrt_stack_trace_store(struct bpfrt_map *map, const uint64_t *ips, uint32_t nr, uint64_t flags)
{
	uint32_t es = elem_size(map->flags), max = map->value_size / es;
	if (nr > max)
		nr = max;
	if (!nr)
		return -EFAULT;
	uint64_t h = hash_ips(ips, nr);
	uint32_t id = (uint32_t)h & (n_buckets(map->max_entries) - 1);
	struct bucket *b = bucket_at(map, id);
	bpfrt_map_lock(map);
	int ret = (int)id;
	if (b->nr && b->hash == h &&
	    ((flags & BPF_F_FAST_STACK_CMP) || (b->nr == nr && (es != 8 || !memcmp(b->data, ips, (size_t)nr * 8)))))
		goto out; /* the same stack: its id */
	if (b->nr && !(flags & BPF_F_REUSE_STACKID)) {
		ret = -EEXIST;
		goto out;
	}
	__atomic_store_n(&b->nr, 0, __ATOMIC_RELEASE);
	if (es == 8) {
		memcpy(b->data, ips, (size_t)nr * 8);
	} else {
		struct bpf_stack_build_id *ids = (struct bpf_stack_build_id *)b->data;
		memset(ids, 0, (size_t)nr * es);
		for (uint32_t i = 0; i < nr; i++) {
			ids[i].status = BPF_STACK_BUILD_ID_IP;
			ids[i].ip = ips[i];
		}
	}
	b->hash = h;
	__atomic_store_n(&b->nr, nr, __ATOMIC_RELEASE);
out:
	bpfrt_map_unlock(map);
	return ret;
}

const struct bpfrt_map_ops bpfrt_stack_trace_map_ops = {
	.check = stack_check,
	.data_size = stack_data_size,
	.lookup = stack_lookup,
	.lookup_copy = stack_lookup_copy,
	.update = stack_update,
	.delete = stack_delete,
	.get_next_key = stack_next_key,
};
