/* callbacks.c — helpers that call back into the running program: bpf_loop
 * and bpf_for_each_map_elem, through bpfrt_run_callback().  A callback
 * returning non-zero stops the iteration (the kernel's contract: 0 continue,
 * 1 stop); a fault inside a callback ends the whole run (interp.c).  For
 * for_each_map_elem the key is a copy the callback may read and the value
 * the element itself; in checked mode both are regions during the call.
 */
#include "core/prog.h"
#include "helpers/helpers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BPF_MAX_LOOPS (8u * 1024 * 1024)

static uint64_t h_loop(uint64_t nr_loops, uint64_t fn, uint64_t ctx, uint64_t flags, uint64_t r5,
		       struct bpfrt_run *run)
{
	(void)r5;
	uint32_t n = (uint32_t)nr_loops;
	if (flags)
		return (uint64_t)-EINVAL;
	if (n > BPF_MAX_LOOPS)
		return (uint64_t)-E2BIG;
	uint32_t i;
	for (i = 0; i < n; i++) {
		const uint64_t args[5] = {i, ctx, 0, 0, 0};
		uint64_t r0 = 0;
		int err = bpfrt_run_callback(run, fn, args, &r0);
		if (err)
			return (uint64_t)(int64_t)err;
		if (r0)
			return i + 1;
	}
	return i;
}

static struct bpfrt_map *arg_map(struct bpfrt_run *run, uint64_t r1)
{
	const struct bpfrt_prog *p = run->prog ? run->prog->owner : NULL;
	struct bpfrt_map *map = (struct bpfrt_map *)(uintptr_t)r1;
	return p && bpfrt_prog_uses_map(p, map) ? map : NULL;
}

static uint64_t h_for_each_map_elem(uint64_t r1, uint64_t fn, uint64_t ctx, uint64_t flags, uint64_t r5,
				    struct bpfrt_run *run)
{
	(void)r5;
	struct bpfrt_map *map = arg_map(run, r1);
	if (!map || !map->ops->get_next_key || !map->ops->lookup)
		return (uint64_t)-EINVAL;
	if (flags)
		return (uint64_t)-EINVAL;
	/* Two key buffers: the one handed to the callback and the cursor,
	 * so a callback cannot steer the iteration by writing its key. */
	uint8_t small[2 * 64];
	uint8_t *mem = map->key_size <= 64 ? small : malloc(2 * (size_t)map->key_size);
	if (!mem)
		return (uint64_t)-ENOMEM;
	uint8_t *cur = mem, *key = mem + map->key_size;
	uint32_t saved_regions = run->nr_regions;
	uint64_t visited = 0;
	int64_t ret = 0;
	const void *prev = NULL;
	while (map->ops->get_next_key(map, prev, cur) == 0) {
		prev = cur;
		void *value = bpfrt_map_lookup_prog(map, cur, run);
		if (!value)
			continue; /* deleted meanwhile */
		memcpy(key, cur, map->key_size);
		if (run->checked) {
			uint32_t vflags = BPFRT_REGION_READ;
			if (!(map->flags & BPF_F_RDONLY_PROG))
				vflags |= BPFRT_REGION_WRITE;
			struct bpfrt_region k = {.name = "map key", .start = key, .size = map->key_size,
						 .flags = BPFRT_REGION_READ};
			struct bpfrt_region v = {.name = "map value", .start = value, .size = map->value_size,
						 .flags = vflags};
			if (bpfrt_run_add_region(run, &k) || bpfrt_run_add_region(run, &v)) {
				ret = -ENOSPC;
				break;
			}
		}
		const uint64_t args[5] = {(uintptr_t)map, (uintptr_t)key, (uintptr_t)value, ctx, 0};
		uint64_t r0 = 0;
		int err = bpfrt_run_callback(run, fn, args, &r0);
		run->nr_regions = saved_regions;
		if (err) {
			ret = err;
			break;
		}
		visited++;
		if (r0)
			break;
	}
	run->nr_regions = saved_regions;
	if (mem != small)
		free(mem);
	return ret ? (uint64_t)ret : visited;
}

void bpfrt_helpers_register_callbacks(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_loop, "loop", h_loop);
	bpfrt_register_helper(rt, BPF_FUNC_for_each_map_elem, "for_each_map_elem", h_for_each_map_elem);
}
