/* map_cmd.c — the bpf() commands on maps: argument checks and errno values
 * as the kernel's kernel/bpf/syscall.c gives them, then the family's ops.
 *
 * Pointers in attr are user addresses (u64); sizes come from the map.
 * Per-CPU maps exchange round_up(value_size, 8) * nr_cpus bytes with the
 * application, like the kernel.
 */
#include "maps/map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define U64_PTR(x) ((void *)(uintptr_t)(x))

static bool map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

uint64_t bpfrt_map_user_value_size(const struct bpfrt_map *map)
{
	if (map_is_percpu(map->type))
		return (uint64_t)bpfrt_round_up8(map->value_size) * map->nr_cpus;
	if (map->type == BPF_MAP_TYPE_PROG_ARRAY || map->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	    map->type == BPF_MAP_TYPE_HASH_OF_MAPS || map->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return 4; /* fds in, ids out */
	return map->value_size;
}

/* BPF_F_LOCK asked for a map whose values have no bpf_spin_lock: -EINVAL. */
static bool lock_bad(const struct bpfrt_map *map, uint64_t flags)
{
	return (flags & BPF_F_LOCK) && !bpfrt_map_has_lock(map);
}

static struct bpfrt_map *map_get(struct bpfrt *rt, uint32_t fd, int *err)
{
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, (int)fd, BPFRT_OBJ_MAP, err);
	return obj ? bpfrt_map_from_obj(obj) : NULL;
}

static void map_put(struct bpfrt_map *map)
{
	bpfrt_obj_put(&map->obj);
}

/* Queue, stack and bloom filter have no keys: the kernel's lookup is a
 * peek and its update a push. */
static bool map_is_keyless(uint32_t type)
{
	return type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK ||
	       type == BPF_MAP_TYPE_BLOOM_FILTER;
}

/* A key pointer for a map without keys (ring buffer): the kernel copies the
 * key before dispatching, so this is -EINVAL even where the op is -ENOTSUPP. */
static bool stray_key(const struct bpfrt_map *map, const union bpf_attr *attr)
{
	return attr->key && !map->key_size;
}

int bpfrt_cmd_map_create(struct bpfrt *rt, union bpf_attr *attr)
{
	if ((attr->map_flags & BPF_F_RDONLY) && (attr->map_flags & BPF_F_WRONLY))
		return -EINVAL;
	if ((attr->map_flags & BPF_F_RDONLY_PROG) && (attr->map_flags & BPF_F_WRONLY_PROG))
		return -EINVAL;
	if (attr->map_type != BPF_MAP_TYPE_BLOOM_FILTER && attr->map_extra != 0)
		return -EINVAL;
	/* The name: printable identifier characters only, NUL-terminated. */
	for (size_t i = 0; i < sizeof(attr->map_name); i++) {
		char c = attr->map_name[i];
		if (!c)
			break;
		if (i == sizeof(attr->map_name) - 1 ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.'))
			return -EINVAL;
	}
	struct bpfrt_map *map;
	int err = bpfrt_map_create(rt, attr, &map);
	if (err)
		return err;
	err = bpfrt_obj_publish(&map->obj);
	int fd = err ? err : bpfrt_fd_install(rt, &map->obj);
	map_put(map);
	return fd;
}

/* Keys and values up to this size go through the caller's stack buffer
 * (struct sbuf) instead of the heap: most map syscalls then make no
 * allocation, and threads doing them don't meet in malloc. */
#define SBUF_SIZE 256
struct sbuf {
	_Alignas(8) uint8_t b[SBUF_SIZE];
};

/* size bytes from sb when they fit, else malloc'd; zeroed if zero.  Give
 * back with sbuf_free. */
static void *sbuf_alloc(struct sbuf *sb, uint64_t size, bool zero)
{
	if (sb && size <= SBUF_SIZE) {
		if (zero)
			memset(sb->b, 0, size);
		return sb->b;
	}
	return zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
}

static void sbuf_free(struct sbuf *sb, void *p)
{
	if (!sb || p != sb->b)
		free(p);
}

/* Copy a key (or value) from the application into sb (NULL: the heap);
 * NULL key allowed only where noted.  A map without keys takes no key
 * pointer (-EINVAL, as the kernel). */
static void *copy_in_buf(uint64_t uptr, uint64_t size, int *err, struct sbuf *sb)
{
	if (!size && uptr) {
		*err = -EINVAL;
		return NULL;
	}
	if (size && !uptr) {
		*err = -EFAULT; /* the kernel's copy from a NULL user pointer */
		return NULL;
	}
	void *buf = sbuf_alloc(sb, size, false);
	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	if (size)
		memcpy(buf, U64_PTR(uptr), size);
	return buf;
}

static void *copy_in(struct bpfrt_map *map, uint64_t uptr, uint64_t size, int *err)
{
	(void)map;
	return copy_in_buf(uptr, size, err, NULL);
}

/* Lookup on a keyless map peeks.  The bloom filter tests the value the
 * caller passes in and writes nothing back: 0 maybe present, -ENOENT not. */
static int lookup_by_peek(struct bpfrt_map *map, union bpf_attr *attr)
{
	int err = 0;
	bool bloom = map->type == BPF_MAP_TYPE_BLOOM_FILTER;
	if (attr->key)
		return -EINVAL;
	void *value = bloom ? copy_in(map, attr->value, map->value_size, &err)
			    : calloc(1, map->value_size);
	if (!value)
		return err ? err : -ENOMEM;
	err = map->ops->peek(map, value);
	if (!err && !bloom)
		memcpy(U64_PTR(attr->value), value, map->value_size);
	free(value);
	return err;
}

/* Copy the key in, run op (lookup, lookup-and-delete), copy the value out
 * (all CPUs' for per-CPU maps; a spin lock word reads as 0). */
static int key_to_value(struct bpfrt_map *map, union bpf_attr *attr,
			int (*op)(struct bpfrt_map *, const void *, void *, uint64_t))
{
	int err = 0;
	uint64_t vsize = bpfrt_map_user_value_size(map);
	struct sbuf kb, vb;
	void *key = copy_in_buf(attr->key, map->key_size, &err, &kb);
	void *value = key ? sbuf_alloc(&vb, vsize, true) : NULL;
	if (key && value) {
		err = op(map, key, value, attr->flags);
		bpfrt_map_value_clear_lock(map, value);
		if (!err)
			memcpy(U64_PTR(attr->value), value, vsize);
	} else if (!err) {
		err = -ENOMEM;
	}
	sbuf_free(&kb, key);
	sbuf_free(&vb, value);
	return err;
}

int bpfrt_cmd_map_lookup(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	if (attr->flags & ~(uint64_t)BPF_F_LOCK)
		return -EINVAL;
	struct bpfrt_map *map = map_get(rt, attr->map_fd, &err);
	if (!map)
		return err;
	if (map->flags & BPF_F_WRONLY) {
		err = -EPERM;
	} else if (map_is_keyless(map->type) && !(attr->flags & BPF_F_LOCK)) {
		err = lookup_by_peek(map, attr);
	} else if (lock_bad(map, attr->flags) || stray_key(map, attr) || !map->ops->lookup_copy) {
		err = lock_bad(map, attr->flags) || stray_key(map, attr) ? -EINVAL : -ENOTSUPP;
	} else {
		err = key_to_value(map, attr, map->ops->lookup_copy);
	}
	map_put(map);
	return err;
}

int bpfrt_cmd_map_update(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	struct bpfrt_map *map = map_get(rt, attr->map_fd, &err);
	if (!map)
		return err;
	if ((map->flags & BPF_F_RDONLY) || __atomic_load_n(&map->shm->frozen, __ATOMIC_ACQUIRE)) {
		err = -EPERM;
	} else if (lock_bad(map, attr->flags) || stray_key(map, attr) || !map->ops->update) {
		err = lock_bad(map, attr->flags) || stray_key(map, attr) ? -EINVAL : -ENOTSUPP;
	} else {
		struct sbuf kb, vb;
		void *key = copy_in_buf(attr->key, map->key_size, &err, &kb);
		void *value = key ? copy_in_buf(attr->value, bpfrt_map_user_value_size(map), &err, &vb) : NULL;
		if (key && value && map_is_keyless(map->type))
			err = map->ops->push(map, value, attr->flags);
		else if (key && value)
			err = map->ops->update(map, key, value, attr->flags, true);
		sbuf_free(&kb, key);
		sbuf_free(&vb, value);
	}
	map_put(map);
	return err;
}

int bpfrt_cmd_map_delete(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	struct bpfrt_map *map = map_get(rt, attr->map_fd, &err);
	if (!map)
		return err;
	if ((map->flags & BPF_F_RDONLY) || __atomic_load_n(&map->shm->frozen, __ATOMIC_ACQUIRE)) {
		err = -EPERM;
	} else if (!map->ops->delete) {
		err = stray_key(map, attr) ? -EINVAL : -ENOTSUPP;
	} else {
		struct sbuf kb;
		void *key = copy_in_buf(attr->key, map->key_size, &err, &kb);
		if (key)
			err = map->ops->delete(map, key);
		sbuf_free(&kb, key);
	}
	map_put(map);
	return err;
}

int bpfrt_cmd_map_get_next_key(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	struct bpfrt_map *map = map_get(rt, attr->map_fd, &err);
	if (!map)
		return err;
	if (map->flags & BPF_F_WRONLY) {
		err = -EPERM;
	} else if (!map->ops->get_next_key) {
		err = stray_key(map, attr) ? -EINVAL : -ENOTSUPP;
	} else {
		void *key = attr->key ? copy_in(map, attr->key, map->key_size, &err) : NULL;
		void *next = malloc(map->key_size ? map->key_size : 1);
		if ((attr->key && !key) || !next) {
			err = err ? err : -ENOMEM;
		} else {
			err = map->ops->get_next_key(map, key, next);
			if (!err)
				memcpy(U64_PTR(attr->next_key), next, map->key_size);
		}
		free(key);
		free(next);
	}
	map_put(map);
	return err;
}

int bpfrt_cmd_map_lookup_and_delete(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	struct bpfrt_map *map = map_get(rt, attr->map_fd, &err);
	if (!map)
		return err;
	bool stackish = map->type == BPF_MAP_TYPE_QUEUE || map->type == BPF_MAP_TYPE_STACK;
	if (attr->flags & ~(uint64_t)BPF_F_LOCK) {
		err = -EINVAL;
	} else if ((map->flags & (BPF_F_RDONLY | BPF_F_WRONLY)) ||
		   __atomic_load_n(&map->shm->frozen, __ATOMIC_ACQUIRE)) {
		err = -EPERM;
	} else if (attr->key && !map->key_size) {
		err = -EINVAL; /* a key pointer on a keyless map, before any dispatch */
	} else if (stackish) {
		void *value = calloc(1, map->value_size);
		err = attr->flags ? -EINVAL : value ? map->ops->pop(map, value) : -ENOMEM;
		if (!err)
			memcpy(U64_PTR(attr->value), value, map->value_size);
		free(value);
	} else if (!map->ops->lookup_and_delete || lock_bad(map, attr->flags)) {
		err = lock_bad(map, attr->flags) ? -EINVAL : -ENOTSUPP;
	} else {
		err = key_to_value(map, attr, map->ops->lookup_and_delete);
	}
	map_put(map);
	return err;
}

int bpfrt_cmd_map_freeze(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	struct bpfrt_map *map = map_get(rt, attr->map_fd, &err);
	if (!map)
		return err;
	/* As the kernel: no freeze while the application can write through
	 * a mapping, and only once. */
	if (__atomic_load_n(&map->shm->mmap_writers, __ATOMIC_ACQUIRE) ||
	    __atomic_exchange_n(&map->shm->frozen, 1, __ATOMIC_ACQ_REL))
		err = -EBUSY;
	map_put(map);
	return err;
}
