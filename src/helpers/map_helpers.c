/* map_helpers.c — the map helpers programs call: bpf_map_lookup_elem,
 * update_elem, delete_elem, push/pop/peek_elem.
 *
 * r1 is the map's address as BPF_PROG_LOAD wrote it into the program; it
 * is accepted only if it is one of the running program's maps, so a
 * forged pointer never reaches map code.  In checked mode key and value
 * pointers must lie in the run's regions, and a looked-up value becomes a
 * region for the rest of the run.
 */
#include "core/prog.h"

#include <errno.h>
#include <string.h>

/* The map r1 names, or NULL if the running program does not own it. */
static struct bpfrt_map *arg_map(struct bpfrt_run *run, uint64_t r1)
{
	const struct bpfrt_prog *p = run->prog ? run->prog->owner : NULL;
	struct bpfrt_map *map = (struct bpfrt_map *)(uintptr_t)r1;
	if (!p)
		return NULL;
	if (bpfrt_prog_uses_map(p, map))
		return map;
	/* An inner map a program got from a map-in-map lookup. */
	for (uint32_t i = 0; i < p->nr_maps; i++)
		if (bpfrt_map_in_map_holds(p->maps[i], map))
			return map;
	return NULL;
}

static bool arg_mem(struct bpfrt_run *run, uint64_t ptr, uint32_t size, bool write)
{
	return bpfrt_run_access_ok(run, (const void *)(uintptr_t)ptr, size, write);
}

static uint64_t h_map_lookup_elem(uint64_t r1, uint64_t key, uint64_t r3, uint64_t r4, uint64_t r5,
				  struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	struct bpfrt_map *map = arg_map(run, r1);
	if (!map || !map->ops->lookup || !arg_mem(run, key, map->key_size, false))
		return 0;
	void *value = bpfrt_map_lookup_prog(map, (const void *)(uintptr_t)key, run);
	if (value && run->checked) {
		uint32_t flags = BPFRT_REGION_READ;
		if (!(map->flags & BPF_F_RDONLY_PROG))
			flags |= BPFRT_REGION_WRITE;
		struct bpfrt_region r = {.name = "map value", .start = value, .size = map->value_size, .flags = flags};
		if (bpfrt_run_add_region(run, &r))
			return 0; /* out of region slots: behave as a miss, never unchecked */
	}
	return (uintptr_t)value;
}

static uint64_t h_map_update_elem(uint64_t r1, uint64_t key, uint64_t value, uint64_t flags, uint64_t r5,
				  struct bpfrt_run *run)
{
	(void)r5;
	struct bpfrt_map *map = arg_map(run, r1);
	if (!map)
		return (uint64_t)-EINVAL;
	if (map->flags & BPF_F_RDONLY_PROG)
		return (uint64_t)-EPERM;
	if (!map->ops->update)
		return (uint64_t)-ENOTSUPP;
	if (!arg_mem(run, key, map->key_size, false) || !arg_mem(run, value, map->value_size, false))
		return (uint64_t)-EFAULT;
	return (uint64_t)(int64_t)map->ops->update(map, (const void *)(uintptr_t)key,
						   (const void *)(uintptr_t)value, flags, false);
}

static uint64_t h_map_delete_elem(uint64_t r1, uint64_t key, uint64_t r3, uint64_t r4, uint64_t r5,
				  struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	struct bpfrt_map *map = arg_map(run, r1);
	if (!map)
		return (uint64_t)-EINVAL;
	if (map->flags & BPF_F_RDONLY_PROG)
		return (uint64_t)-EPERM;
	if (!map->ops->delete)
		return (uint64_t)-ENOTSUPP;
	if (!arg_mem(run, key, map->key_size, false))
		return (uint64_t)-EFAULT;
	return (uint64_t)(int64_t)map->ops->delete(map, (const void *)(uintptr_t)key);
}

static uint64_t h_map_push_elem(uint64_t r1, uint64_t value, uint64_t flags, uint64_t r4, uint64_t r5,
				struct bpfrt_run *run)
{
	(void)r4, (void)r5;
	struct bpfrt_map *map = arg_map(run, r1);
	if (!map || !map->ops->push)
		return (uint64_t)-EINVAL;
	if (!arg_mem(run, value, map->value_size, false))
		return (uint64_t)-EFAULT;
	return (uint64_t)(int64_t)map->ops->push(map, (const void *)(uintptr_t)value, flags);
}

static uint64_t pop_or_peek(uint64_t r1, uint64_t value, struct bpfrt_run *run, bool pop)
{
	struct bpfrt_map *map = arg_map(run, r1);
	int (*fn)(struct bpfrt_map *, void *) = !map ? NULL : pop ? map->ops->pop : map->ops->peek;
	if (!fn)
		return (uint64_t)-EINVAL;
	if (!arg_mem(run, value, map->value_size, true))
		return (uint64_t)-EFAULT;
	return (uint64_t)(int64_t)fn(map, (void *)(uintptr_t)value);
}

static uint64_t h_map_pop_elem(uint64_t r1, uint64_t value, uint64_t r3, uint64_t r4, uint64_t r5,
			       struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	return pop_or_peek(r1, value, run, true);
}

static uint64_t h_map_peek_elem(uint64_t r1, uint64_t value, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	return pop_or_peek(r1, value, run, false);
}

/* ---- ring buffers ---- */

static uint64_t h_ringbuf_output(uint64_t r1, uint64_t data, uint64_t size, uint64_t flags, uint64_t r5,
				 struct bpfrt_run *run)
{
	(void)r5;
	struct bpfrt_map *map = arg_map(run, r1);
	if (!map || map->type != BPF_MAP_TYPE_RINGBUF)
		return (uint64_t)-EINVAL;
	if (flags & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))
		return (uint64_t)-EINVAL;
	if (!arg_mem(run, data, (uint32_t)size, false))
		return (uint64_t)-EFAULT;
	void *rec = bpfrt_ringbuf_reserve(map, size);
	if (!rec)
		return (uint64_t)-EAGAIN;
	memcpy(rec, (const void *)(uintptr_t)data, size);
	bpfrt_ringbuf_commit(map, rec, false, flags);
	return 0;
}

static uint64_t h_ringbuf_reserve(uint64_t r1, uint64_t size, uint64_t flags, uint64_t r4, uint64_t r5,
				  struct bpfrt_run *run)
{
	(void)r4, (void)r5;
	struct bpfrt_map *map = arg_map(run, r1);
	if (!map || map->type != BPF_MAP_TYPE_RINGBUF || flags)
		return 0;
	void *rec = bpfrt_ringbuf_reserve(map, size);
	if (rec && run->checked) {
		struct bpfrt_region r = {.name = "ringbuf record", .start = rec, .size = size,
					 .flags = BPFRT_REGION_READ | BPFRT_REGION_WRITE};
		if (bpfrt_run_add_region(run, &r)) {
			bpfrt_ringbuf_commit(map, rec, true, BPF_RB_NO_WAKEUP);
			return 0;
		}
	}
	return (uintptr_t)rec;
}

/* submit/discard get only the record: find its ring among the program's maps. */
static uint64_t ringbuf_commit(uint64_t data, uint64_t flags, struct bpfrt_run *run, bool discard)
{
	const struct bpfrt_prog *p = run->prog ? run->prog->owner : NULL;
	if (!p || (flags & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)))
		return 0;
	for (uint32_t i = 0; i < p->nr_maps; i++) {
		if (p->maps[i]->type == BPF_MAP_TYPE_RINGBUF && bpfrt_ringbuf_owns(p->maps[i], (void *)(uintptr_t)data)) {
			bpfrt_ringbuf_commit(p->maps[i], (void *)(uintptr_t)data, discard, flags);
			return 0;
		}
	}
	return 0;
}

static uint64_t h_ringbuf_submit(uint64_t data, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
				 struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	return ringbuf_commit(data, flags, run, false);
}

static uint64_t h_ringbuf_discard(uint64_t data, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
				  struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	return ringbuf_commit(data, flags, run, true);
}

static uint64_t h_ringbuf_query(uint64_t r1, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	struct bpfrt_map *map = arg_map(run, r1);
	if (!map || map->type != BPF_MAP_TYPE_RINGBUF)
		return 0;
	return bpfrt_ringbuf_query(map, flags);
}

/* ---- perf event output: r1 ctx (unused), r2 map, r3 flags, r4 data, r5 size ---- */

static uint64_t h_perf_event_output(uint64_t ctx, uint64_t r2, uint64_t flags, uint64_t data, uint64_t size,
				    struct bpfrt_run *run)
{
	(void)ctx;
	struct bpfrt_map *map = arg_map(run, r2);
	if (!map)
		return (uint64_t)-EINVAL;
	if (!arg_mem(run, data, (uint32_t)size, false))
		return (uint64_t)-EFAULT;
	return (uint64_t)(int64_t)bpfrt_perf_event_output(map, flags, (const void *)(uintptr_t)data, size);
}

/* ---- bpf_spin_lock: a test-and-set lock on the u32 in a map value ---- */

static uint64_t h_spin_lock(uint64_t lock, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			    struct bpfrt_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	if (!lock || (lock & 3) || !arg_mem(run, lock, 4, true))
		return 0;
	uint32_t *word = (uint32_t *)(uintptr_t)lock;
	/* The value may be shared with other processes: the lock is the word
	 * itself, never a process-local mutex. */
	while (__atomic_exchange_n(word, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(word, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	return 0;
}

static uint64_t h_spin_unlock(uint64_t lock, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct bpfrt_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	if (!lock || (lock & 3) || !arg_mem(run, lock, 4, true))
		return 0;
	__atomic_store_n((uint32_t *)(uintptr_t)lock, 0, __ATOMIC_RELEASE);
	return 0;
}

bpfrt_helper_fn bpfrt_helpers_map_builtin(uint32_t id)
{
	switch (id) {
	case BPF_FUNC_map_lookup_elem: return h_map_lookup_elem;
	case BPF_FUNC_map_update_elem: return h_map_update_elem;
	case BPF_FUNC_map_delete_elem: return h_map_delete_elem;
	default: return NULL;
	}
}

void bpfrt_helpers_register_maps(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_perf_event_output, "perf_event_output", h_perf_event_output);
	bpfrt_register_helper(rt, BPF_FUNC_spin_lock, "spin_lock", h_spin_lock);
	bpfrt_register_helper(rt, BPF_FUNC_spin_unlock, "spin_unlock", h_spin_unlock);
	bpfrt_register_helper(rt, BPF_FUNC_ringbuf_output, "ringbuf_output", h_ringbuf_output);
	bpfrt_register_helper(rt, BPF_FUNC_ringbuf_reserve, "ringbuf_reserve", h_ringbuf_reserve);
	bpfrt_register_helper(rt, BPF_FUNC_ringbuf_submit, "ringbuf_submit", h_ringbuf_submit);
	bpfrt_register_helper(rt, BPF_FUNC_ringbuf_discard, "ringbuf_discard", h_ringbuf_discard);
	bpfrt_register_helper(rt, BPF_FUNC_ringbuf_query, "ringbuf_query", h_ringbuf_query);
	bpfrt_register_helper(rt, BPF_FUNC_map_lookup_elem, "map_lookup_elem", h_map_lookup_elem);
	bpfrt_register_helper(rt, BPF_FUNC_map_update_elem, "map_update_elem", h_map_update_elem);
	bpfrt_register_helper(rt, BPF_FUNC_map_delete_elem, "map_delete_elem", h_map_delete_elem);
	bpfrt_register_helper(rt, BPF_FUNC_map_push_elem, "map_push_elem", h_map_push_elem);
	bpfrt_register_helper(rt, BPF_FUNC_map_pop_elem, "map_pop_elem", h_map_pop_elem);
	bpfrt_register_helper(rt, BPF_FUNC_map_peek_elem, "map_peek_elem", h_map_peek_elem);
}
