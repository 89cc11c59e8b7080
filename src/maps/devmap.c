/* devmap.c — BPF_MAP_TYPE_DEVMAP and DEVMAP_HASH: the network devices
 * bpf_redirect_map sends XDP frames to.  The storage is the array family's
 * (DEVMAP: slot = key) or the hash family's (DEVMAP_HASH); this file adds
 * the kernel's value rules (kernel/bpf/devmap.c):
 *
 *  - key 4 bytes; value 4 bytes (ifindex) or 8 (struct bpf_devmap_val:
 *    ifindex, then a program fd on update / its id on lookup); flags only
 *    BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY;
 *  - an update's ifindex must name a device of this network namespace
 *    (-EINVAL otherwise, as dev_get_by_index failing); ifindex 0 empties a
 *    DEVMAP slot; a program fd is refused (-EOPNOTSUPP: bpfrt does not run
 *    BPF_XDP_DEVMAP programs after a redirect, a deliberate difference);
 *  - DEVMAP_HASH checks BPF_NOEXIST only (BPF_EXIST adds a missing key);
 *  - DEVMAP: an empty slot looks up as absent (-ENOENT, NULL for a
 *    program), BPF_NOEXIST always fails with -EEXIST, a key past the end
 *    is -E2BIG on update and -EINVAL on delete, delete of an empty slot
 *    succeeds; get_next_key walks every index.
 *
 * An occupied slot always has a non-zero ifindex, so "empty" needs no
 * extra state and the storage stays the plain family's.
 */
#include "maps/map.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>

#define DEV_CREATE_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)

static int devmap_check(const union bpf_attr *attr)
{
	if (attr->key_size != 4 || (attr->value_size != 4 && attr->value_size != 8) || attr->max_entries == 0 ||
	    (attr->map_flags & ~(uint32_t)DEV_CREATE_FLAGS))
		return -EINVAL;
	if (attr->map_type == BPF_MAP_TYPE_DEVMAP_HASH)
		return bpfrt_hash_map_ops.check(attr);
	return bpfrt_array_map_ops.check(attr);
}

static const struct bpfrt_map_ops *base(const struct bpfrt_map *map)
{
	return map->type == BPF_MAP_TYPE_DEVMAP_HASH ? &bpfrt_hash_map_ops : &bpfrt_array_map_ops;
}

static uint64_t devmap_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	return (attr->map_type == BPF_MAP_TYPE_DEVMAP_HASH ? &bpfrt_hash_map_ops : &bpfrt_array_map_ops)
		->data_size(attr, nr_cpus);
}

static int devmap_init(struct bpfrt_map *map)
{
	return base(map)->init ? base(map)->init(map) : 0;
}

static int devmap_open(struct bpfrt_map *map)
{
	return base(map)->open ? base(map)->open(map) : 0;
}

static void devmap_release(struct bpfrt_map *map)
{
	if (base(map)->release)
		base(map)->release(map);
}

static void devmap_release_uref(struct bpfrt_map *map)
{
	if (base(map)->release_uref)
		base(map)->release_uref(map);
}

static void devmap_recover(struct bpfrt_map *map)
{
	if (base(map)->recover)
		base(map)->recover(map);
}

static int devmap_key_at(struct bpfrt_map *map, uint32_t *pos, void *key)
{
	return base(map)->key_at ? base(map)->key_at(map, pos, key) : -ENOTSUPP;
}

static void *devmap_lookup(struct bpfrt_map *map, const void *key)
{
	uint32_t *v = base(map)->lookup(map, key);
	return v && __atomic_load_n(v, __ATOMIC_RELAXED) ? v : NULL;
}

static int devmap_lookup_copy(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
	if (flags)
		return -EINVAL;
	int err = base(map)->lookup_copy(map, key, value, 0);
	if (err)
		return err;
	uint32_t ifindex;
	memcpy(&ifindex, value, 4);
	return ifindex ? 0 : -ENOENT;
}

static int devmap_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags, bool from_user)
{
	uint32_t k, v[2] = {0, 0};
	memcpy(&k, key, 4);
	memcpy(v, value, map->value_size);
	bool hash = map->type == BPF_MAP_TYPE_DEVMAP_HASH;
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (!hash && k >= map->max_entries)
		return -E2BIG;
	if (!hash && flags == BPF_NOEXIST)
		return -EEXIST;
	if (map->value_size == 8 && (int32_t)v[1] > 0)
		return v[0] ? -EOPNOTSUPP : -EINVAL;
	if (v[0]) {
		char name[IF_NAMESIZE];
		if (!if_indextoname(v[0], name))
			return -EINVAL;
	} else if (hash) {
		return -EINVAL; /* a DEVMAP_HASH entry always names a device */
	}
	v[1] = 0; /* the program id a lookup reports: none */
	/* DEVMAP_HASH checks BPF_NOEXIST only: BPF_EXIST on a missing key adds it. */
	if (hash && flags == BPF_EXIST)
		flags = BPF_ANY;
	return base(map)->update(map, key, v, flags, from_user);
}

static int devmap_delete(struct bpfrt_map *map, const void *key)
{
	if (map->type == BPF_MAP_TYPE_DEVMAP_HASH)
		return bpfrt_hash_map_ops.delete(map, key);
	uint32_t k, zero[2] = {0, 0};
	memcpy(&k, key, 4);
	if (k >= map->max_entries)
		return -EINVAL;
	return bpfrt_array_map_ops.update(map, key, zero, BPF_ANY, true);
}

static int devmap_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
	return base(map)->get_next_key(map, key, next_key);
}

const struct bpfrt_map_ops bpfrt_devmap_map_ops = {
	.check = devmap_check,
	.data_size = devmap_data_size,
	.init = devmap_init,
	.open = devmap_open,
	.release_uref = devmap_release_uref,
	.release = devmap_release,
	.recover = devmap_recover,
	.key_at = devmap_key_at,
	.lookup = devmap_lookup,
	.lookup_copy = devmap_lookup_copy,
	.update = devmap_update,
	.delete = devmap_delete,
	.get_next_key = devmap_get_next_key,
};
