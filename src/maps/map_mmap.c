/* map_mmap.c — BPF_F_MMAPABLE arrays mapped into the application: the same
 * values programs see, through a MAP_SHARED mapping of the map's storage.
 *
 * Like the kernel: only arrays created with BPF_F_MMAPABLE (-EINVAL
 * otherwise), no writable mapping of a frozen map (-EPERM), and
 * MAP_FREEZE refuses (-EBUSY) while writable mappings exist — counted in
 * the shared header, so this holds across processes.
 */
#include "maps/map.h"

#include <errno.h>
#include <sys/mman.h>

static struct bpfrt_map *mmapable_map(struct bpfrt *rt, int map_fd, int *err)
{
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, map_fd, BPFRT_OBJ_MAP, err);
	if (!obj)
		return NULL;
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	if (map->type != BPF_MAP_TYPE_ARRAY || !(map->flags & BPF_F_MMAPABLE)) {
		bpfrt_obj_put(obj);
		*err = -EINVAL;
		return NULL;
	}
	return map;
}

/* Page-aligned file offset of the values, and the slack before them. */
static void values_span(const struct bpfrt_map *map, off_t *off, size_t *slack, size_t *len)
{
	uint64_t start = (uint64_t)((const uint8_t *)map->data - (const uint8_t *)map->shm);
	*off = (off_t)(start & ~4095ull);
	*slack = (size_t)(start - (uint64_t)*off);
	*len = (size_t)bpfrt_round_up8(map->value_size) * map->max_entries;
}

void *bpfrt_map_mmap(struct bpfrt *rt, int map_fd, bool writable, size_t *size)
{
	int err = 0;
	struct bpfrt_map *map = mmapable_map(rt, map_fd, &err);
	if (!map) {
		errno = -err;
		return NULL;
	}
	void *ret = NULL;
	if (writable) {
		__atomic_add_fetch(&map->shm->mmap_writers, 1, __ATOMIC_ACQ_REL);
		if (__atomic_load_n(&map->shm->frozen, __ATOMIC_ACQUIRE)) {
			__atomic_sub_fetch(&map->shm->mmap_writers, 1, __ATOMIC_ACQ_REL);
			errno = EPERM;
			goto out;
		}
	}
	off_t off;
	size_t slack, len;
	values_span(map, &off, &slack, &len);
	uint8_t *p = mmap(NULL, slack + len, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, map->shm_fd, off);
	if (p == MAP_FAILED) {
		if (writable)
			__atomic_sub_fetch(&map->shm->mmap_writers, 1, __ATOMIC_ACQ_REL);
		goto out;
	}
	ret = p + slack;
	if (size)
		*size = len;
out:
	bpfrt_obj_put(&map->obj);
	return ret;
}

int bpfrt_map_munmap(struct bpfrt *rt, int map_fd, void *addr, bool writable)
{
	int err = 0;
	struct bpfrt_map *map = mmapable_map(rt, map_fd, &err);
	if (!map)
		return err;
	off_t off;
	size_t slack, len;
	values_span(map, &off, &slack, &len);
	if (munmap((uint8_t *)addr - slack, slack + len))
		err = -errno;
	else if (writable)
		__atomic_sub_fetch(&map->shm->mmap_writers, 1, __ATOMIC_ACQ_REL);
	bpfrt_obj_put(&map->obj);
	return err;
}
