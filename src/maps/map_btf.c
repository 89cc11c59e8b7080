/* map_btf.c — maps created with BTF (btf_fd, btf_key_type_id,
 * btf_value_type_id) and values that hold a bpf_spin_lock.
 *
 * MAP_CREATE's BTF checks follow the kernel's map_check_btf (errno values
 * checked against Linux 6.18): key and value types must have the map's
 * key and value sizes; a key type of 0 only where the family allows it;
 * array keys are 32-bit ints; a bpf_spin_lock in the value only in HASH
 * and ARRAY maps (EOPNOTSUPP elsewhere) and not with BPF_F_RDONLY_PROG or
 * BPF_F_WRONLY_PROG (EACCES); fd maps take no BTF (ENOTSUPP).
 *
 * The lock word of a value is the one programs' bpf_spin_lock spins on: a
 * u32, 0 free, 1 held, in the shared map memory, so a lock taken by a
 * program in one process is seen by the syscall side of another.  Like the
 * kernel, copies into and out of a value go around the lock word; copies
 * with BPF_F_LOCK take it.
 */
#include "maps/map.h"
#include "core/btf_obj.h"

#include <errno.h>
#include <string.h>

static bool allows_void_key(const union bpf_attr *attr, const struct btf_type *value_t)
{
	switch (attr->map_type) {
	case BPF_MAP_TYPE_ARRAY:
		return attr->max_entries == 1 && value_t &&
		       BTF_INFO_KIND(value_t->info) == BTF_KIND_DATASEC;
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return true;
	default:
		return false;
	}
}

static bool lock_allowed(uint32_t type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_ARRAY;
}

static bool takes_no_btf(uint32_t type)
{
	return type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	       type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* Families with the kernel's ops->map_check_btf. */
static bool has_family_check(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_BLOOM_FILTER:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return takes_no_btf(type);
	}
}

/* The family's own check of the key type (the kernel's ops->map_check_btf),
 * key_t NULL for a key id of 0. */
static int family_check(const union bpf_attr *attr, const struct btf_type *key_t,
			const struct btf_type *value_t)
{
	if (takes_no_btf(attr->map_type))
		return -ENOTSUPP;
	if (!key_t)
		return allows_void_key(attr, value_t) ? 0 : -EINVAL;
	switch (attr->map_type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY: {
		if (BTF_INFO_KIND(key_t->info) != BTF_KIND_INT)
			return -EINVAL;
		uint32_t enc = *(const uint32_t *)(key_t + 1);
		return BTF_INT_BITS(enc) == 32 && BTF_INT_OFFSET(enc) == 0 ? 0 : -EINVAL;
	}
	case BPF_MAP_TYPE_LPM_TRIE:
		return BTF_INFO_KIND(key_t->info) == BTF_KIND_STRUCT ? 0 : -EINVAL;
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return -EINVAL; /* keyless: only a void key */
	default:
		return 0;
	}
}

/* The size of type id (resolved), or -EINVAL: no such type or no size. */
static int64_t sized_type(const struct bpfrt_btf *btf, uint32_t id, const struct btf_type **out)
{
	if (!id || id >= bpfrt_btf_type_cnt(btf))
		return -EINVAL;
	*out = bpfrt_btf_skip_mods(btf, id, NULL);
	int64_t sz = bpfrt_btf_resolve_size(btf, id);
	return *out && sz >= 0 ? sz : -EINVAL;
}

int bpfrt_map_btf_check(struct bpfrt *rt, const union bpf_attr *attr, struct bpfrt_btf_obj **out,
			int32_t *lock_off)
{
	*out = NULL;
	*lock_off = -1;
	if (!attr->btf_key_type_id && !attr->btf_value_type_id && !attr->btf_vmlinux_value_type_id)
		return 0; /* btf_fd alone is ignored, as in the kernel */
	struct bpfrt_btf_obj *b;
	int err = bpfrt_btf_obj_get_fd(rt, (int)attr->btf_fd, &b);
	if (err)
		return err;
	const struct bpfrt_btf *btf = b->btf;
	const struct btf_type *key_t = NULL, *value_t = NULL;
	int64_t sz;
	err = -EINVAL;
	if (attr->btf_vmlinux_value_type_id) /* kernel structs: struct_ops only */
		goto fail;
	if (attr->btf_key_type_id &&
	    ((sz = sized_type(btf, attr->btf_key_type_id, &key_t)) < 0 || sz != attr->key_size))
		goto fail;
	/* No key type: only families with their own BTF check may allow it. */
	if (!attr->btf_key_type_id && !has_family_check(attr->map_type))
		goto fail;
	if ((sz = sized_type(btf, attr->btf_value_type_id, &value_t)) < 0 || sz != attr->value_size)
		goto fail;
	int64_t off = bpfrt_btf_spin_lock_off(btf, attr->btf_value_type_id);
	/* A value with special fields: programs must be able to read and write
	 * it (EACCES before the per-type EOPNOTSUPP, as in map_check_btf). */
	if (off >= 0 && (attr->map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG))) {
		err = -EACCES;
		goto fail;
	}
	if (off >= 0 && !lock_allowed(attr->map_type)) {
		err = -EOPNOTSUPP;
		goto fail;
	}
	err = family_check(attr, key_t, value_t);
	if (err)
		goto fail;
	*lock_off = (int32_t)off;
	*out = b;
	return 0;
fail:
	bpfrt_obj_put(&b->obj);
	return err;
}

/* ---- values with a lock word ------------------------------------------ */

static uint32_t *lock_word(const struct bpfrt_map *map, void *value)
{
	return (uint32_t *)((uint8_t *)value + map->shm->spin_lock_off);
}

void bpfrt_map_value_copy(const struct bpfrt_map *map, void *dst, const void *src)
{
	int32_t off = map->shm->spin_lock_off;
	if (off < 0) {
		memcpy(dst, src, map->value_size);
		return;
	}
	memcpy(dst, src, (size_t)off);
	memcpy((uint8_t *)dst + off + 4, (const uint8_t *)src + off + 4,
	       map->value_size - (size_t)off - 4);
}

void bpfrt_map_value_clear_lock(const struct bpfrt_map *map, void *value)
{
	if (map->shm->spin_lock_off >= 0)
		memset((uint8_t *)value + map->shm->spin_lock_off, 0, 4);
}

static void spin_lock(uint32_t *word)
{
	while (__atomic_exchange_n(word, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(word, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static void spin_unlock(uint32_t *word)
{
	__atomic_store_n(word, 0, __ATOMIC_RELEASE);
}

void bpfrt_map_value_copy_locked(const struct bpfrt_map *map, void *elem, void *buf, bool to_user)
{
	uint32_t *word = lock_word(map, elem);
	spin_lock(word);
	if (to_user)
		bpfrt_map_value_copy(map, buf, elem);
	else
		bpfrt_map_value_copy(map, elem, buf);
	spin_unlock(word);
	if (to_user)
		bpfrt_map_value_clear_lock(map, buf);
}
