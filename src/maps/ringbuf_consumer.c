/* ringbuf_consumer.c — the application side of a ring buffer: the public
 * bpfrt_ringbuf_* consumer (libbpf's ring_buffer__* shape). */
#define _GNU_SOURCE
#include "maps/map.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct bpfrt_ringbuf {
	struct bpfrt_map *map; /* one reference */
	bpfrt_ringbuf_sample_fn fn;
	void *ctx;
};

struct bpfrt_ringbuf *bpfrt_ringbuf_new(struct bpfrt *rt, int map_fd, bpfrt_ringbuf_sample_fn fn, void *ctx)
{
	int err = 0;
	struct bpfrt_obj *obj = rt && fn ? bpfrt_fd_get(rt, map_fd, BPFRT_OBJ_MAP, &err) : NULL;
	if (!obj) {
		errno = err ? -err : EINVAL;
		return NULL;
	}
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	struct bpfrt_ringbuf *rb = map->type == BPF_MAP_TYPE_RINGBUF ? calloc(1, sizeof(*rb)) : NULL;
	if (!rb) {
		errno = map->type == BPF_MAP_TYPE_RINGBUF ? ENOMEM : EINVAL;
		bpfrt_obj_put(obj);
		return NULL;
	}
	rb->map = map;
	rb->fn = fn;
	rb->ctx = ctx;
	return rb;
}

int bpfrt_ringbuf_consume(struct bpfrt_ringbuf *rb)
{
	return bpfrt_ringbuf_consume_map(rb->map, rb->fn, rb->ctx);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int bpfrt_ringbuf_poll(struct bpfrt_ringbuf *rb, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int efd = bpfrt_ringbuf_event_fd(rb->map);
	for (;;) {
		int n = bpfrt_ringbuf_consume(rb);
		if (n != 0)
			return n;
		int64_t left = deadline < 0 ? 10 : deadline - now_ms();
		if (left <= 0)
			return 0;
		/* Wake on this process's producers at once; look again every
		 * 10 ms for producers in other processes. */
		struct pollfd p = {.fd = efd, .events = POLLIN};
		if (poll(&p, 1, left < 10 ? (int)left : 10) > 0) {
			uint64_t v;
			if (read(efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				return -errno;
		}
	}
}

int bpfrt_ringbuf_epoll_fd(const struct bpfrt_ringbuf *rb)
{
	return bpfrt_ringbuf_event_fd(rb->map);
}

void bpfrt_ringbuf_free(struct bpfrt_ringbuf *rb)
{
	if (!rb)
		return;
	bpfrt_obj_put(&rb->map->obj);
	free(rb);
}
