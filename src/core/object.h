/* object.h — reference-counted bpfrt objects (maps, programs, links, BTF),
 * the per-runtime fd table and id allocation.
 *
 * An object lives while anything holds a reference: an fd, a pin, a link,
 * a program that uses a map.  fds and ids are per runtime, like a process's
 * fds and the kernel's ids; the tables are guarded by the runtime's lock.
 */
#ifndef BPFRT_CORE_OBJECT_H
#define BPFRT_CORE_OBJECT_H

#include <stdint.h>

struct bpfrt;

enum bpfrt_obj_type {
	BPFRT_OBJ_NONE = 0,
	BPFRT_OBJ_MAP,
	BPFRT_OBJ_PROG,
	BPFRT_OBJ_LINK,
	BPFRT_OBJ_BTF,
	BPFRT_OBJ_TYPE_COUNT
};

struct bpfrt_obj {
	enum bpfrt_obj_type type;
	uint32_t id;      /* 0 until bpfrt_obj_publish() */
	uint32_t refcnt;  /* atomic */
	struct bpfrt *rt;
	void (*release)(struct bpfrt_obj *obj); /* frees the object on the last put */
	uint32_t fdcnt;   /* open fds (the kernel's "user references"), under rt->fd_lock */
	/* Optional: called when the last fd closes (the kernel's map_release_uref:
	 * a prog array drops its programs then, which breaks the program <->
	 * prog array reference cycle). */
	void (*release_uref)(struct bpfrt_obj *obj);
};

void bpfrt_obj_init(struct bpfrt_obj *obj, struct bpfrt *rt, enum bpfrt_obj_type type,
		    void (*release)(struct bpfrt_obj *));
void bpfrt_obj_get(struct bpfrt_obj *obj);
void bpfrt_obj_put(struct bpfrt_obj *obj);

/* Give the object an id (visible to *_GET_NEXT_ID / *_GET_FD_BY_ID). */
int bpfrt_obj_publish(struct bpfrt_obj *obj);

/* A new fd holding a new reference to obj; negative errno on failure. */
int bpfrt_fd_install(struct bpfrt *rt, struct bpfrt_obj *obj);
/* The object behind fd with a new reference (put it when done), or NULL
 * with *err = -EBADF (no such fd) or -EINVAL (another type). */
struct bpfrt_obj *bpfrt_fd_get(struct bpfrt *rt, int fd, enum bpfrt_obj_type type, int *err);
/* Close fd, dropping its reference. */
int bpfrt_fd_close(struct bpfrt *rt, int fd);

/* Put obj's reference later, when the runtime is freed: for references that
 * a running program may still be using (no RCU in user space). */
void bpfrt_defer_put(struct bpfrt *rt, struct bpfrt_obj *obj);
/* Drop every deferred reference (bpfrt_free). */
void bpfrt_deferred_drain(struct bpfrt *rt);

/* The next published id after `id` of that type (0 if none); and the
 * object with that id, with a new reference, or NULL. */
uint32_t bpfrt_id_next(struct bpfrt *rt, enum bpfrt_obj_type type, uint32_t id);
struct bpfrt_obj *bpfrt_id_get(struct bpfrt *rt, enum bpfrt_obj_type type, uint32_t id);

#endif
