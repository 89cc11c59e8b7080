/* object.c — reference counts, the fd table and ids (see object.h).
 *
 * The fd table is an array of object pointers; the lowest free slot >= 3
 * is handed out (0-2 are left alone so bpfrt fds look like a process's).
 * Ids grow monotonically per type, as the kernel's do; the id table maps
 * id -> object without holding a reference, and an object removes itself
 * when its last reference goes.  The fd table has its own read-write lock
 * (runtime.h: fd_lock), so threads looking up fds never wait for each
 * other; references are atomic counts, and only a put that may be the last
 * takes the runtime's lock.
 */
#include "core/object.h"
#include "core/runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define FD_FIRST 3

void bpfrt_obj_init(struct bpfrt_obj *obj, struct bpfrt *rt, enum bpfrt_obj_type type,
		    void (*release)(struct bpfrt_obj *))
{
	obj->type = type;
	obj->id = 0;
	obj->refcnt = 1;
	obj->rt = rt;
	obj->release = release;
	obj->fdcnt = 0;
	obj->release_uref = NULL;
}

void bpfrt_obj_get(struct bpfrt_obj *obj)
{
	__atomic_add_fetch(&obj->refcnt, 1, __ATOMIC_RELAXED);
}

static void id_remove(struct bpfrt *rt, struct bpfrt_obj *obj)
{
	struct bpfrt_id_table *t = &rt->ids[obj->type];
	for (uint32_t i = 0; i < t->len; i++) {
		if (t->objs[i] == obj) {
			t->objs[i] = NULL;
			return;
		}
	}
}

void bpfrt_obj_put(struct bpfrt_obj *obj)
{
	if (!obj)
		return;
	struct bpfrt *rt = obj->rt;
	/* A put that can't be the last needs no lock: drop the count while it
	 * stays above 0 (every bpf() command on an fd puts the reference it
	 * took, so this is the common case and must not serialise threads). */
	uint32_t n = __atomic_load_n(&obj->refcnt, __ATOMIC_RELAXED);
	while (n > 1)
		if (__atomic_compare_exchange_n(&obj->refcnt, &n, n - 1, true, __ATOMIC_RELEASE,
						__ATOMIC_RELAXED))
			return;
	/* Ids hand out references under the lock, so the last put takes it
	 * too: nobody can find the object between its count reaching 0 and
	 * its removal from the id table. */
	pthread_mutex_lock(&rt->lock);
	if (__atomic_sub_fetch(&obj->refcnt, 1, __ATOMIC_ACQ_REL) != 0) {
		pthread_mutex_unlock(&rt->lock);
		return;
	}
	if (obj->id)
		id_remove(rt, obj);
	pthread_mutex_unlock(&rt->lock);
	obj->release(obj);
}

int bpfrt_obj_publish(struct bpfrt_obj *obj)
{
	struct bpfrt *rt = obj->rt;
	struct bpfrt_id_table *t = &rt->ids[obj->type];
	pthread_mutex_lock(&rt->lock);
	if (t->len == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 64;
		struct bpfrt_obj **n = realloc(t->objs, cap * sizeof(*n));
		if (!n) {
			pthread_mutex_unlock(&rt->lock);
			return -ENOMEM;
		}
		t->objs = n;
		t->cap = cap;
	}
	/* Entry i holds id first_id + i: ids are dense and increasing. */
	t->objs[t->len++] = obj;
	obj->id = t->len;
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

uint32_t bpfrt_id_next(struct bpfrt *rt, enum bpfrt_obj_type type, uint32_t id)
{
	struct bpfrt_id_table *t = &rt->ids[type];
	uint32_t next = 0;
	pthread_mutex_lock(&rt->lock);
	for (uint32_t i = id; i < t->len; i++) {
		if (t->objs[i]) {
			next = i + 1;
			break;
		}
	}
	pthread_mutex_unlock(&rt->lock);
	return next;
}

struct bpfrt_obj *bpfrt_id_get(struct bpfrt *rt, enum bpfrt_obj_type type, uint32_t id)
{
	struct bpfrt_id_table *t = &rt->ids[type];
	struct bpfrt_obj *obj = NULL;
	pthread_mutex_lock(&rt->lock);
	if (id >= 1 && id <= t->len && (obj = t->objs[id - 1]))
		bpfrt_obj_get(obj);
	pthread_mutex_unlock(&rt->lock);
	return obj;
}

int bpfrt_fd_install(struct bpfrt *rt, struct bpfrt_obj *obj)
{
	pthread_rwlock_wrlock(&rt->fd_lock);
	uint32_t fd = FD_FIRST;
	while (fd < rt->fd_cap && rt->fds[fd])
		fd++;
	if (fd >= rt->fd_cap) {
		uint32_t cap = rt->fd_cap ? rt->fd_cap * 2 : 64;
		if (cap > BPFRT_MAX_FDS) {
			pthread_rwlock_unlock(&rt->fd_lock);
			return -EMFILE;
		}
		struct bpfrt_obj **n = realloc(rt->fds, cap * sizeof(*n));
		if (!n) {
			pthread_rwlock_unlock(&rt->fd_lock);
			return -ENOMEM;
		}
		for (uint32_t i = rt->fd_cap; i < cap; i++)
			n[i] = NULL;
		rt->fds = n;
		rt->fd_cap = cap;
	}
	bpfrt_obj_get(obj);
	rt->fds[fd] = obj;
	obj->fdcnt++;
	pthread_rwlock_unlock(&rt->fd_lock);
	return (int)fd;
}

struct bpfrt_obj *bpfrt_fd_get(struct bpfrt *rt, int fd, enum bpfrt_obj_type type, int *err)
{
	struct bpfrt_obj *obj = NULL;
	pthread_rwlock_rdlock(&rt->fd_lock);
	if (fd >= 0 && (uint32_t)fd < rt->fd_cap)
		obj = rt->fds[fd];
	if (obj && type != BPFRT_OBJ_NONE && obj->type != type) {
		pthread_rwlock_unlock(&rt->fd_lock);
		*err = -EINVAL;
		return NULL;
	}
	if (obj)
		bpfrt_obj_get(obj);
	pthread_rwlock_unlock(&rt->fd_lock);
	if (!obj)
		*err = -EBADF;
	return obj;
}

int bpfrt_fd_close(struct bpfrt *rt, int fd)
{
	struct bpfrt_obj *obj = NULL;
	bool last = false;
	pthread_rwlock_wrlock(&rt->fd_lock);
	if (fd >= 0 && (uint32_t)fd < rt->fd_cap) {
		obj = rt->fds[fd];
		rt->fds[fd] = NULL;
		last = obj && --obj->fdcnt == 0;
	}
	pthread_rwlock_unlock(&rt->fd_lock);
	if (!obj)
		return -EBADF;
	if (last && obj->release_uref)
		obj->release_uref(obj);
	bpfrt_obj_put(obj);
	return 0;
}

void bpfrt_defer_put(struct bpfrt *rt, struct bpfrt_obj *obj)
{
	pthread_mutex_lock(&rt->lock);
	if (rt->nr_deferred == rt->cap_deferred) {
		uint32_t cap = rt->cap_deferred ? rt->cap_deferred * 2 : 16;
		struct bpfrt_obj **n = realloc(rt->deferred, cap * sizeof(*n));
		if (!n) {
			/* Out of memory: keeping the reference is safe, only a leak. */
			pthread_mutex_unlock(&rt->lock);
			return;
		}
		rt->deferred = n;
		rt->cap_deferred = cap;
	}
	rt->deferred[rt->nr_deferred++] = obj;
	pthread_mutex_unlock(&rt->lock);
}

void bpfrt_deferred_drain(struct bpfrt *rt)
{
	for (;;) {
		pthread_mutex_lock(&rt->lock);
		struct bpfrt_obj *obj = rt->nr_deferred ? rt->deferred[--rt->nr_deferred] : NULL;
		pthread_mutex_unlock(&rt->lock);
		if (!obj)
			break;
		bpfrt_obj_put(obj); /* may defer more: loop until empty */
	}
	free(rt->deferred);
	rt->deferred = NULL;
	rt->cap_deferred = 0;
}
