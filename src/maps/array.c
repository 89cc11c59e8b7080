/* array.c — BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY.
 *
 * max_entries values of round_up(value_size, 8) bytes, preallocated and
 * zeroed; per-CPU arrays keep nr_cpus values per index, CPU-major within an
 * index.  Keys are u32 indexes; elements can't be deleted (-EINVAL).
 * Lookups never lock; updates are plain copies, as in the kernel (a reader
 * may see a value being written; bpf_spin_lock exists for that: with
 * BPF_F_LOCK the copy holds the value's lock, see map_btf.c).
 */
#include "maps/map.h"

#include <errno.h>
#include <string.h>

#define ARRAY_FLAGS                                                                          \
	(BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
	 BPF_F_WRONLY_PROG | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP)

static bool is_percpu(const struct bpfrt_map *map)
{
	return map->type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static int array_check(const union bpf_attr *attr)
{
	bool percpu = attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
	if (attr->key_size != 4 || attr->value_size == 0 || attr->max_entries == 0 ||
	    (attr->map_flags & ~ARRAY_FLAGS) || (percpu && (attr->map_flags & BPF_F_NUMA_NODE)) ||
	    (percpu && (attr->map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP))) ||
	    (attr->map_flags & BPF_F_PRESERVE_ELEMS)) /* the kernel: perf event arrays only */
		return -EINVAL;
	if (attr->value_size > (1u << 22))
		return -E2BIG;
	if (percpu && bpfrt_round_up8(attr->value_size) > 32768)
		return -E2BIG;
	return 0;
}

static uint64_t array_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	uint64_t elem = bpfrt_round_up8(attr->value_size);
	if (attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY)
		elem *= nr_cpus;
	return elem * attr->max_entries;
}

static uint8_t *elem_at(const struct bpfrt_map *map, uint32_t idx, uint32_t cpu)
{
	uint64_t stride = bpfrt_round_up8(map->value_size);
	uint64_t per_index = is_percpu(map) ? stride * map->nr_cpus : stride;
	return (uint8_t *)map->data + per_index * idx + stride * cpu;
}

static void *array_lookup(struct bpfrt_map *map, const void *key)
{
	uint32_t idx;
	memcpy(&idx, key, 4);
	if (idx >= map->max_entries)
		return NULL;
	return elem_at(map, idx, is_percpu(map) ? bpfrt_current_cpu(map->nr_cpus) : 0);
}

static int array_lookup_copy(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t idx;
	memcpy(&idx, key, 4);
	if (idx >= map->max_entries)
		return -ENOENT;
	if (!is_percpu(map)) {
		if (flags & BPF_F_LOCK)
			bpfrt_map_value_copy_locked(map, elem_at(map, idx, 0), value, true);
		else
			memcpy(value, elem_at(map, idx, 0), map->value_size);
		return 0;
	}
	uint32_t stride = bpfrt_round_up8(map->value_size);
	for (uint32_t cpu = 0; cpu < map->nr_cpus; cpu++)
		memcpy((uint8_t *)value + (uint64_t)stride * cpu, elem_at(map, idx, cpu), stride);
	return 0;
}

static int array_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags,
			bool from_user)
{
	uint32_t idx;
	memcpy(&idx, key, 4);
	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST || (is_percpu(map) && (flags & BPF_F_LOCK)))
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	if (flags & BPF_NOEXIST)
		return -EEXIST;
	if ((flags & BPF_F_LOCK) && !bpfrt_map_has_lock(map))
		return -EINVAL;
	if (!is_percpu(map)) {
		/* Around the bpf_spin_lock word, if the value has one. */
		if (flags & BPF_F_LOCK)
			bpfrt_map_value_copy_locked(map, elem_at(map, idx, 0), (void *)value, false);
		else
			bpfrt_map_value_copy(map, elem_at(map, idx, 0), value);
		return 0;
	}
	uint32_t stride = bpfrt_round_up8(map->value_size);
	if (!from_user) {
		memcpy(elem_at(map, idx, bpfrt_current_cpu(map->nr_cpus)), value, map->value_size);
		return 0;
	}
	for (uint32_t cpu = 0; cpu < map->nr_cpus; cpu++)
		memcpy(elem_at(map, idx, cpu), (const uint8_t *)value + (uint64_t)stride * cpu, stride);
	return 0;
}

static int array_delete(struct bpfrt_map *map, const void *key)
{
	(void)map, (void)key;
	return -EINVAL;
}


/* One table for ARRAY and PERCPU_ARRAY (is_percpu() tells them apart). */
const struct bpfrt_map_ops bpfrt_array_map_ops = {
	.check = array_check,
	.data_size = array_data_size,
	.lookup = array_lookup,
	.lookup_copy = array_lookup_copy,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = bpfrt_index_next_key,
};

