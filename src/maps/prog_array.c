/* prog_array.c — BPF_MAP_TYPE_PROG_ARRAY: the jump table of bpf_tail_call.
 *
 * Slots hold program objects, which live in one process, so the slots are
 * process-local (map->priv) while the header stays in shared storage: a
 * pinned prog array shares its shape, not its contents.  A slot is read
 * without a lock by tail calls; a replaced program is kept (referenced)
 * until the map goes, so a run that just read the old pointer stays safe.
 */
#include "core/prog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct prog_array {
	pthread_mutex_t lock;        /* writers */
	struct bpfrt_prog **slots;   /* max_entries, read atomically */
	struct bpfrt_prog **retired; /* replaced programs, released with the map */
	uint32_t nr_retired, cap_retired;
	uint32_t prog_type;          /* the type every program must share (0: none yet) */
};

static int pa_check(const union bpf_attr *attr)
{
	/* BPF_F_PRESERVE_ELEMS is the perf event array's alone (-EINVAL here, as the kernel) */
	const uint32_t ok = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY;
	if (attr->key_size != 4 || attr->value_size != 4 || attr->max_entries == 0 || (attr->map_flags & ~ok))
		return -EINVAL;
	return 0;
}

static uint64_t pa_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	(void)attr, (void)nr_cpus;
	return 0;
}

static int pa_init(struct bpfrt_map *map)
{
	struct prog_array *pa = calloc(1, sizeof(*pa));
	if (!pa)
		return -ENOMEM;
	pa->slots = bpfrt_map_slots_alloc(map->max_entries, sizeof(*pa->slots));
	if (!pa->slots) {
		free(pa);
		return -ENOMEM;
	}
	pthread_mutex_init(&pa->lock, NULL);
	map->priv = pa;
	return 0;
}

static void pa_release(struct bpfrt_map *map)
{
	struct prog_array *pa = map->priv;
	if (!pa)
		return;
	for (uint32_t i = 0; i < map->max_entries; i++)
		if (pa->slots[i])
			bpfrt_obj_put(&pa->slots[i]->obj);
	for (uint32_t i = 0; i < pa->nr_retired; i++)
		bpfrt_obj_put(&pa->retired[i]->obj);
	free(pa->retired);
	bpfrt_map_slots_free(pa->slots, map->max_entries, sizeof(*pa->slots));
	pthread_mutex_destroy(&pa->lock);
	free(pa);
}

static int retire(struct prog_array *pa, struct bpfrt_prog *old)
{
	if (!old)
		return 0;
	if (pa->nr_retired == pa->cap_retired) {
		uint32_t cap = pa->cap_retired ? pa->cap_retired * 2 : 8;
		struct bpfrt_prog **n = realloc(pa->retired, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		pa->retired = n;
		pa->cap_retired = cap;
	}
	pa->retired[pa->nr_retired++] = old;
	return 0;
}

/* The last fd closed: drop the programs, as the kernel clears a prog array
 * when its user references go.  A program holding this map (it tail-calls
 * through it) and the map holding that program would otherwise keep each
 * other alive.  A run may be reading a slot right now, so the programs'
 * references are put when the runtime is freed, not here. */
static void pa_release_uref(struct bpfrt_map *map)
{
	struct prog_array *pa = map->priv;
	if (!pa)
		return;
	pthread_mutex_lock(&pa->lock);
	for (uint32_t i = 0; i < map->max_entries; i++) {
		struct bpfrt_prog *p = __atomic_exchange_n(&pa->slots[i], NULL, __ATOMIC_ACQ_REL);
		if (p)
			bpfrt_defer_put(map->obj.rt, &p->obj);
	}
	for (uint32_t i = 0; i < pa->nr_retired; i++)
		bpfrt_defer_put(map->obj.rt, &pa->retired[i]->obj);
	pa->nr_retired = 0;
	pa->prog_type = 0;
	pthread_mutex_unlock(&pa->lock);
}

/* Programs can't look into a prog array; only bpf_tail_call uses it. */
static void *pa_lookup(struct bpfrt_map *map, const void *key)
{
	(void)map, (void)key;
	return NULL;
}

static int pa_lookup_copy(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
	struct prog_array *pa = map->priv;
	uint32_t idx;
	(void)flags;
	memcpy(&idx, key, 4);
	if (idx >= map->max_entries)
		return -ENOENT;
	pthread_mutex_lock(&pa->lock);
	struct bpfrt_prog *p = pa->slots[idx];
	uint32_t id = p ? p->obj.id : 0;
	pthread_mutex_unlock(&pa->lock);
	if (!p)
		return -ENOENT;
	memcpy(value, &id, 4); /* the kernel reports the program's id */
	return 0;
}

static int pa_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags, bool from_user)
{
	struct prog_array *pa = map->priv;
	uint32_t idx;
	int fd, err = 0;
	memcpy(&idx, key, 4);
	memcpy(&fd, value, 4);
	if (!from_user)
		return -EINVAL; /* programs can't update prog arrays */
	if (flags != BPF_ANY)
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	struct bpfrt_obj *obj = bpfrt_fd_get(map->obj.rt, fd, BPFRT_OBJ_PROG, &err);
	if (!obj)
		return err;
	struct bpfrt_prog *p = bpfrt_prog_from_obj(obj);
	pthread_mutex_lock(&pa->lock);
	if (pa->prog_type && pa->prog_type != p->type)
		err = -EINVAL; /* every program of a prog array has one type */
	if (!err)
		err = retire(pa, pa->slots[idx]);
	if (!err) {
		pa->prog_type = p->type;
		__atomic_store_n(&pa->slots[idx], p, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&pa->lock);
	if (err)
		bpfrt_obj_put(obj);
	return err;
}

static int pa_delete(struct bpfrt_map *map, const void *key)
{
	struct prog_array *pa = map->priv;
	uint32_t idx;
	memcpy(&idx, key, 4);
	if (idx >= map->max_entries)
		return -E2BIG;
	pthread_mutex_lock(&pa->lock);
	struct bpfrt_prog *old = pa->slots[idx];
	int err = old ? retire(pa, old) : -ENOENT;
	if (!err)
		__atomic_store_n(&pa->slots[idx], NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&pa->lock);
	return err;
}


const struct bpfrt_vm_prog *bpfrt_prog_array_get(struct bpfrt_map *map, uint32_t index)
{
	if (map->type != BPF_MAP_TYPE_PROG_ARRAY || index >= map->max_entries)
		return NULL;
	struct prog_array *pa = map->priv;
	struct bpfrt_prog *p = __atomic_load_n(&pa->slots[index], __ATOMIC_ACQUIRE);
	return p ? p->vm : NULL;
}

const struct bpfrt_map_ops bpfrt_prog_array_map_ops = {
	.check = pa_check,
	.data_size = pa_data_size,
	.init = pa_init,
	.open = pa_init,
	.release = pa_release,
	.release_uref = pa_release_uref,
	.lookup = pa_lookup,
	.lookup_copy = pa_lookup_copy,
	.update = pa_update,
	.delete = pa_delete,
	.get_next_key = bpfrt_index_next_key,
};
