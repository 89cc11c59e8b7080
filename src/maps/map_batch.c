/* map_batch.c — BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH over
 * the families' element ops, with the kernel's checks, errno values and
 * count semantics (batch.count always says how many elements were done).
 * Which commands a type has, and which iteration token it uses, follow the
 * kernel (checked against 6.18): arrays and LPM use the generic walk whose
 * token is the last key visited; hash maps use an opaque u32 token.
 */
#include "maps/map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define U64_PTR(x) ((void *)(uintptr_t)(x))

enum batch_style {
	BATCH_NONE,    /* -ENOTSUPP for every batch command */
	BATCH_GENERIC, /* lookup/update(/delete): the kernel's generic_map_*_batch */
	BATCH_HASH,    /* all four; lookup walks with a u32 token */
};

static enum batch_style style_of(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_LPM_TRIE:
		return BATCH_GENERIC;
	case BPF_MAP_TYPE_HASH_OF_MAPS: /* values in and out as for the element commands */
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return BATCH_HASH;
	default:
		return BATCH_NONE;
	}
}

static bool has_cmd(const struct bpfrt_map *map, int cmd)
{
	switch (style_of(map->type)) {
	case BATCH_HASH:
		return true;
	case BATCH_GENERIC:
		/* Arrays have no delete at all; no generic lookup-and-delete. */
		if (cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH)
			return false;
		if (cmd == BPF_MAP_DELETE_BATCH)
			return map->type == BPF_MAP_TYPE_LPM_TRIE;
		return true;
	default:
		return false;
	}
}

/* The kernel's generic_map_lookup_batch: walk get_next_key from in_batch
 * (a key; NULL = from the start), skip keys that vanish between the walk
 * and the copy, stop after count elements (0) or at the end (-ENOENT).
 * out_batch gets the last key walked, if any element was copied. */
static int generic_lookup(struct bpfrt_map *map, union bpf_attr *attr, uint64_t vsize)
{
	uint32_t max = attr->batch.count, cp = 0;
	uint8_t *buf = malloc(2 * (size_t)map->key_size + vsize + 1);
	if (!buf)
		return -ENOMEM;
	uint8_t *prev = NULL, *key = buf, *value = buf + 2 * (size_t)map->key_size;
	if (attr->batch.in_batch) {
		prev = buf + map->key_size;
		memcpy(prev, U64_PTR(attr->batch.in_batch), map->key_size);
	}
	int err = 0;
	while (cp < max) {
		err = map->ops->get_next_key(map, prev, key);
		if (err)
			break;
		err = map->ops->lookup_copy(map, key, value, attr->batch.elem_flags);
		if (err && err != -ENOENT)
			break;
		if (!err) {
			bpfrt_map_value_clear_lock(map, value);
			memcpy((uint8_t *)U64_PTR(attr->batch.keys) + (uint64_t)cp * map->key_size, key,
			       map->key_size);
			memcpy((uint8_t *)U64_PTR(attr->batch.values) + cp * vsize, value, vsize);
			cp++;
		}
		/* The key just walked becomes the previous one. */
		uint8_t *t = prev ? prev : buf + map->key_size;
		prev = key;
		key = t;
	}
	attr->batch.count = cp;
	if ((!err || err == -ENOENT) && cp)
		memcpy(U64_PTR(attr->batch.out_batch), prev, map->key_size);
	free(buf);
	return err;
}

/* Hash maps.  The kernel's token is a bucket index (u32), and applications
 * size in_batch/out_batch for that, so bpfrt's token is a u32 too: the
 * family's key_at position of the next element to look at, which holds
 * still while elements come and go, so every element present throughout a
 * walk is visited exactly once.  Differences from the kernel, by design:
 * bpfrt takes elements one at a time, so it never returns -ENOSPC (the
 * kernel's "the next bucket doesn't fit in count") and always fills count
 * when enough elements remain.  Like the kernel, a batch that reaches the
 * last element returns -ENOENT with its count. */
static int hash_lookup(struct bpfrt_map *map, union bpf_attr *attr, uint64_t vsize, bool del)
{
	uint32_t max = attr->batch.count, cp = 0, pos = 0;
	if (!map->ops->key_at)
		return -ENOTSUPP;
	if (attr->batch.in_batch)
		memcpy(&pos, U64_PTR(attr->batch.in_batch), sizeof(pos));
	attr->batch.count = 0;
	uint8_t *key = malloc(map->key_size + vsize + 1);
	if (!key)
		return -ENOMEM;
	uint8_t *value = key + map->key_size;
	int err = 0;
	while (cp < max) {
		uint32_t at = pos;
		err = map->ops->key_at(map, &at, key);
		if (err)
			break;
		pos = at + 1;
		uint64_t ef = attr->batch.elem_flags;
		if (!del)
			err = map->ops->lookup_copy(map, key, value, ef);
		else if (map->ops->lookup_and_delete)
			err = map->ops->lookup_and_delete(map, key, value, ef);
		else if (!(err = map->ops->lookup_copy(map, key, value, ef)))
			err = map->ops->delete(map, key);
		if (err == -ENOENT)
			continue; /* gone since key_at saw it */
		if (err)
			break;
		bpfrt_map_value_clear_lock(map, value);
		memcpy((uint8_t *)U64_PTR(attr->batch.keys) + (uint64_t)cp * map->key_size, key,
		       map->key_size);
		memcpy((uint8_t *)U64_PTR(attr->batch.values) + cp * vsize, value, vsize);
		cp++;
	}
	if (!err) {
		uint32_t at = pos; /* more after this batch? */
		err = map->ops->key_at(map, &at, key);
	}
	if (!err || err == -ENOENT)
		memcpy(U64_PTR(attr->batch.out_batch), &pos, sizeof(pos));
	attr->batch.count = cp;
	free(key);
	return err;
}

/* generic_map_update_batch / generic_map_delete_batch: one element at a
 * time, stop at the first error; count = elements done before it. */
static int update_or_delete(struct bpfrt_map *map, union bpf_attr *attr, uint64_t vsize, bool del)
{
	uint32_t max = attr->batch.count, cp;
	const uint8_t *keys = U64_PTR(attr->batch.keys);
	const uint8_t *values = U64_PTR(attr->batch.values);
	uint8_t *key = malloc(map->key_size + 1), *value = malloc(vsize + 1);
	int err = key && value ? 0 : -ENOMEM;
	for (cp = 0; !err && cp < max; cp++) {
		memcpy(key, keys + (uint64_t)cp * map->key_size, map->key_size);
		if (del) {
			err = map->ops->delete(map, key);
		} else {
			memcpy(value, values + cp * vsize, vsize);
			err = map->ops->update(map, key, value, attr->batch.elem_flags, true);
		}
		if (err)
			break;
	}
	attr->batch.count = cp;
	free(key);
	free(value);
	return err;
}

int bpfrt_cmd_map_batch(struct bpfrt *rt, int cmd, union bpf_attr *attr)
{
	bool reads = cmd == BPF_MAP_LOOKUP_BATCH || cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH;
	bool writes = cmd != BPF_MAP_LOOKUP_BATCH;
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, (int)attr->batch.map_fd, BPFRT_OBJ_MAP, &err);
	if (!obj)
		return err;
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	bool frozen = __atomic_load_n(&map->shm->frozen, __ATOMIC_ACQUIRE);
	uint64_t vsize = bpfrt_map_user_value_size(map);
	/* The kernel's order: permissions, then "no such op", then the flags
	 * (BPF_F_LOCK needs a bpf_spin_lock in the value: map_btf.c), then
	 * the hash walk's own flags, then count == 0. */
	uint64_t ef = attr->batch.elem_flags;
	if ((reads && (map->flags & BPF_F_WRONLY)) ||
	    (writes && ((map->flags & BPF_F_RDONLY) || frozen)))
		err = -EPERM;
	else if (!has_cmd(map, cmd))
		err = -ENOTSUPP;
	else if ((ef & ~(uint64_t)BPF_F_LOCK) || ((ef & BPF_F_LOCK) && !bpfrt_map_has_lock(map)))
		err = -EINVAL;
	else if (reads && style_of(map->type) == BATCH_HASH && attr->batch.flags)
		err = -EINVAL;
	else if (attr->batch.count == 0)
		err = 0;
	else if (cmd == BPF_MAP_LOOKUP_BATCH && style_of(map->type) == BATCH_GENERIC)
		err = generic_lookup(map, attr, vsize);
	else if (reads)
		err = hash_lookup(map, attr, vsize, cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH);
	else
		err = update_or_delete(map, attr, vsize, cmd == BPF_MAP_DELETE_BATCH);
	bpfrt_obj_put(obj);
	return err;
}
