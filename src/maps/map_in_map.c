/* map_in_map.c — BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS.
 *
 * Values are maps: the application stores a map fd, reads back the map's
 * id, and a program's lookup returns the inner map itself, to be used with
 * the map helpers.  Inner maps must match the template given at creation
 * (inner_map_fd) as the kernel's map_meta_equal ops decide (checked
 * against Linux 6.18 by kernel.map_diff): the same type, key and value
 * size, map flags (BPF_F_RDONLY and BPF_F_WRONLY are the fd's access, not
 * the map's, and don't count) and special fields of the value's BTF (a
 * bpf_spin_lock at the same offset, or none; BTF without one is the same
 * as no BTF); max_entries only for ARRAY and PERCPU_ARRAY templates
 * without BPF_F_INNER_MAP (array_map_meta_equal; every other type uses
 * bpf_map_meta_equal, which ignores it).  A prog array can't be a
 * template (-ENOTSUPP: it has no map_meta_equal), nor can a map of maps
 * (-EINVAL: one level only).
 *
 * Map objects live in one process, so the contents are process-local
 * (map->priv); the hash variant keeps its keys in a private hash map whose
 * values index the list of held maps.  Every map ever stored is held until
 * the outer map goes, so a program that just looked one up never sees it
 * freed under it.
 */
#include "maps/map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 64
#define MAX_CHUNKS 1024

struct mim {
	pthread_mutex_t lock;
	uint32_t t_type, t_key, t_value, t_entries, t_flags; /* the inner template */
	int32_t t_lock_off; /* its bpf_spin_lock's offset in the value, -1: none */
	/* Held maps, one reference each; slot i is chunks[i / CHUNK][i % CHUNK].
	 * Chunks never move, so lock-free readers never see freed memory. */
	struct bpfrt_map **chunks[MAX_CHUNKS];
	uint32_t nr_held;
	uint32_t *array;         /* ARRAY_OF_MAPS: slot + 1 per index (0: empty) */
	struct bpfrt_map *index; /* HASH_OF_MAPS: key -> slot */
};

static bool is_hash(const struct bpfrt_map *map)
{
	return map->type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int mim_check(const union bpf_attr *attr)
{
	if (attr->value_size != 4 || attr->max_entries == 0 || attr->key_size == 0)
		return -EINVAL;
	if (attr->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS &&
	    (attr->key_size != 4 || (attr->map_flags & ~(uint32_t)(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY))))
		return -EINVAL;
	/* The hash variant takes a hash map's flags (htab_map_alloc_check), the
	 * program access flags and BPF_F_ZERO_SEED included. */
	if (attr->map_type == BPF_MAP_TYPE_HASH_OF_MAPS &&
	    (attr->map_flags & ~(uint32_t)(BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY |
					   BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED)))
		return -EINVAL;
	return 0;
}

static uint64_t mim_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	(void)attr, (void)nr_cpus;
	return 0;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* Flags that are the map's (the kernel's map->map_flags keeps these; RDONLY
 * and WRONLY only set the fd's mode). */
#define META_FLAGS(f) ((f) & ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY))

static void set_template(struct mim *m, const struct bpfrt_map *tmpl)
{
	m->t_type = tmpl->type, m->t_key = tmpl->key_size, m->t_value = tmpl->value_size;
	m->t_entries = tmpl->max_entries, m->t_flags = META_FLAGS(tmpl->flags);
	m->t_lock_off = tmpl->shm->spin_lock_off;
}

static int mim_setup(struct bpfrt_map *map, const struct bpfrt_map *tmpl)
{
	struct mim *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	if (tmpl)
		set_template(m, tmpl);
	int err = 0;
	if (!is_hash(map)) {
		m->array = bpfrt_map_slots_alloc(map->max_entries, sizeof(*m->array));
		err = m->array ? 0 : -ENOMEM;
	} else {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_type = BPF_MAP_TYPE_HASH, a.key_size = map->key_size, a.value_size = 4;
		a.max_entries = map->max_entries, a.map_flags = map->flags & BPF_F_NO_PREALLOC;
		err = bpfrt_map_create(map->obj.rt, &a, &m->index);
	}
	map->priv = m;
	return err;
}

static int mim_init(struct bpfrt_map *map)
{
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(map->obj.rt, (int)map->create_attr->inner_map_fd, BPFRT_OBJ_MAP, &err);
	if (!obj)
		return err;
	struct bpfrt_map *tmpl = bpfrt_map_from_obj(obj);
	err = is_map_in_map(tmpl->type) ? -EINVAL
	      : tmpl->type == BPF_MAP_TYPE_PROG_ARRAY ? -ENOTSUPP
						     : mim_setup(map, tmpl);
	bpfrt_obj_put(obj);
	return err;
}

/* Contents are process-local, so a map-in-map opened from a pin starts
 * empty and takes its template from the first inner map stored. */
static int mim_open(struct bpfrt_map *map)
{
	return mim_setup(map, NULL);
}

static void mim_release(struct bpfrt_map *map)
{
	struct mim *m = map->priv;
	if (!m)
		return;
	for (uint32_t i = 0; i < m->nr_held; i++)
		bpfrt_obj_put(&m->chunks[i / CHUNK][i % CHUNK]->obj);
	for (uint32_t c = 0; c < MAX_CHUNKS && m->chunks[c]; c++)
		free(m->chunks[c]);
	bpfrt_map_slots_free(m->array, map->max_entries, sizeof(*m->array));
	if (m->index)
		bpfrt_obj_put(&m->index->obj);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static struct bpfrt_map *held_at(struct mim *m, uint32_t i)
{
	return __atomic_load_n(&m->chunks[i / CHUNK][i % CHUNK], __ATOMIC_ACQUIRE);
}

/* The slot of inner among the held maps, adding it (with the caller's
 * reference) if new; the lock is held. */
static int hold(struct mim *m, struct bpfrt_map *inner, uint32_t *slot)
{
	for (uint32_t i = 0; i < m->nr_held; i++) {
		if (held_at(m, i) == inner) {
			*slot = i;
			bpfrt_obj_put(&inner->obj); /* already held once */
			return 0;
		}
	}
	uint32_t i = m->nr_held, c = i / CHUNK;
	if (c >= MAX_CHUNKS)
		return -E2BIG;
	if (!m->chunks[c] && !(m->chunks[c] = calloc(CHUNK, sizeof(struct bpfrt_map *))))
		return -ENOMEM;
	__atomic_store_n(&m->chunks[c][i % CHUNK], inner, __ATOMIC_RELEASE);
	__atomic_store_n(&m->nr_held, i + 1, __ATOMIC_RELEASE);
	*slot = i;
	return 0;
}

/* The kernel's ops->map_meta_equal of the template's type. */
static bool template_ok(struct mim *m, const struct bpfrt_map *inner)
{
	if (!m->t_type) { /* reopened from a pin: the first inner map sets it */
		if (is_map_in_map(inner->type) || inner->type == BPF_MAP_TYPE_PROG_ARRAY)
			return false;
		set_template(m, inner);
		return true;
	}
	if (inner->type != m->t_type || inner->key_size != m->t_key || inner->value_size != m->t_value ||
	    META_FLAGS(inner->flags) != m->t_flags || inner->shm->spin_lock_off != m->t_lock_off)
		return false;
	bool array = m->t_type == BPF_MAP_TYPE_ARRAY || m->t_type == BPF_MAP_TYPE_PERCPU_ARRAY;
	return !array || (m->t_flags & BPF_F_INNER_MAP) || inner->max_entries == m->t_entries;
}

static struct bpfrt_map *slot_map(struct mim *m, uint32_t slot_plus_one)
{
	if (!slot_plus_one || slot_plus_one > __atomic_load_n(&m->nr_held, __ATOMIC_ACQUIRE))
		return NULL;
	return held_at(m, slot_plus_one - 1);
}

/* Slot + 1 stored for key, or 0. */
static uint32_t find(struct bpfrt_map *map, const void *key)
{
	struct mim *m = map->priv;
	if (!is_hash(map)) {
		uint32_t idx;
		memcpy(&idx, key, 4);
		return idx < map->max_entries ? __atomic_load_n(&m->array[idx], __ATOMIC_ACQUIRE) : 0;
	}
	uint32_t *v = m->index->ops->lookup(m->index, key);
	return v ? __atomic_load_n(v, __ATOMIC_ACQUIRE) : 0;
}

static void *mim_lookup(struct bpfrt_map *map, const void *key)
{
	return slot_map(map->priv, find(map, key));
}

static int mim_lookup_copy(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
	(void)flags;
	struct bpfrt_map *inner = mim_lookup(map, key);
	if (!inner)
		return -ENOENT;
	uint32_t id = inner->obj.id;
	memcpy(value, &id, 4);
	return 0;
}

static int mim_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags, bool from_user)
{
	struct mim *m = map->priv;
	int fd, err = 0;
	if (!from_user)
		return -EINVAL; /* programs can't store maps */
	if (!is_hash(map)) {
		uint32_t idx;
		memcpy(&idx, key, 4);
		if (flags != BPF_ANY)
			return -EINVAL;
		if (idx >= map->max_entries)
			return -E2BIG;
	}
	/* The hash variant takes the fd (and checks the template) before the
	 * flags, as the kernel's bpf_fd_htab_map_update_elem does. */
	memcpy(&fd, value, 4);
	struct bpfrt_obj *obj = bpfrt_fd_get(map->obj.rt, fd, BPFRT_OBJ_MAP, &err);
	if (!obj)
		return err;
	struct bpfrt_map *inner = bpfrt_map_from_obj(obj);
	pthread_mutex_lock(&m->lock);
	uint32_t slot = 0;
	if (is_hash(map) && flags > BPF_EXIST) {
		err = -EINVAL;
		bpfrt_obj_put(obj);
	} else if (!template_ok(m, inner)) {
		err = -EINVAL;
		bpfrt_obj_put(obj);
	} else {
		err = hold(m, inner, &slot);
		if (err)
			bpfrt_obj_put(obj);
	}
	if (!err) {
		uint32_t v = slot + 1;
		if (!is_hash(map)) {
			uint32_t idx;
			memcpy(&idx, key, 4);
			__atomic_store_n(&m->array[idx], v, __ATOMIC_RELEASE);
		} else {
			err = m->index->ops->update(m->index, key, &v, flags, false);
		}
	}
	pthread_mutex_unlock(&m->lock);
	return err;
}

static int mim_delete(struct bpfrt_map *map, const void *key)
{
	struct mim *m = map->priv;
	if (is_hash(map))
		return m->index->ops->delete(m->index, key);
	uint32_t idx;
	memcpy(&idx, key, 4);
	if (idx >= map->max_entries)
		return -E2BIG;
	return __atomic_exchange_n(&m->array[idx], 0, __ATOMIC_ACQ_REL) ? 0 : -ENOENT;
}

static int mim_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
	struct mim *m = map->priv;
	if (is_hash(map))
		return m->index->ops->get_next_key(m->index, key, next_key);
	return bpfrt_index_next_key(map, key, next_key);
}

/* HASH_OF_MAPS: the batch walk's cursor is the index map's. */
static int mim_key_at(struct bpfrt_map *map, uint32_t *pos, void *key)
{
	struct mim *m = map->priv;
	if (!is_hash(map) || !m->index->ops->key_at)
		return -ENOTSUPP;
	return m->index->ops->key_at(m->index, pos, key);
}

bool bpfrt_map_in_map_holds(struct bpfrt_map *outer, const struct bpfrt_map *inner)
{
	if (!is_map_in_map(outer->type))
		return false;
	struct mim *m = outer->priv;
	uint32_t n = __atomic_load_n(&m->nr_held, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < n; i++)
		if (held_at(m, i) == inner)
			return true;
	return false;
}

#define MIM_OPS                                   \
	.check = mim_check, .data_size = mim_data_size, .init = mim_init, .open = mim_open, \
	.release = mim_release, .lookup = mim_lookup, .lookup_copy = mim_lookup_copy,       \
	.update = mim_update, .delete = mim_delete, .get_next_key = mim_get_next_key, .key_at = mim_key_at

const struct bpfrt_map_ops bpfrt_array_of_maps_map_ops = {MIM_OPS};
const struct bpfrt_map_ops bpfrt_hash_of_maps_map_ops = {MIM_OPS};

bool bpfrt_map_in_map_template(const struct bpfrt_map *outer, uint32_t *type, uint32_t *key_size,
			       uint32_t *value_size, uint32_t *max_entries, uint32_t *flags)
{
	if (!is_map_in_map(outer->type) || !outer->priv)
		return false;
	const struct mim *m = outer->priv;
	if (!m->t_type)
		return false;
	*type = m->t_type, *key_size = m->t_key, *value_size = m->t_value;
	*max_entries = m->t_entries, *flags = m->t_flags;
	return true;
}
