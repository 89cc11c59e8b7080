/* ringbuf.c — BPF_MAP_TYPE_RINGBUF: a multi-producer, single-consumer
 * byte ring shared by programs and an application, with the kernel's
 * record format (8-byte header: length with BUSY/DISCARD bits, 8-byte
 * aligned records) and positions (consumer and producer counters that only
 * grow; offset = pos & (size - 1)).
 *
 * The data pages are mapped twice, back to back, in each process (as the
 * kernel does), so a record that wraps around the end is still contiguous.
 * Producers serialise on the map's robust lock; the consumer takes no lock.
 * Notification: a process-local eventfd (epoll-able) plus a shared
 * sequence counter other processes can poll.
 */
#define _GNU_SOURCE
#include "maps/map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#define RB_PAGE 4096
#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8

struct rb_shared {          /* at map->data: positions on their own lines */
	uint64_t cons_pos;
	uint8_t pad0[RB_PAGE - 8];
	uint64_t prod_pos;
	uint64_t notify_seq;    /* bumped on every wakeup, for other processes */
	uint8_t pad1[RB_PAGE - 16];
};                          /* data pages follow, page aligned in the file */

struct rb_local {
	uint8_t *data;          /* 2 * size bytes: the data pages twice */
	int event_fd;
};

static struct rb_shared *rb_shared(struct bpfrt_map *map)
{
	return map->data;
}

static int rb_check(const union bpf_attr *attr)
{
	uint32_t n = attr->max_entries;
	if (attr->key_size || attr->value_size || n == 0 || (n & (n - 1)) || n % RB_PAGE ||
	    (attr->map_flags & ~(uint32_t)BPF_F_NUMA_NODE))
		return -EINVAL;
	return 0;
}

static uint64_t rb_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	(void)nr_cpus;
	/* Enough to put the data on a page boundary of the file whatever the
	 * header size: the header precedes map->data, see rb_open. */
	return sizeof(struct rb_shared) + attr->max_entries + RB_PAGE;
}

/* File offset of the data pages (page aligned, after struct rb_shared). */
static uint64_t rb_data_off(struct bpfrt_map *map)
{
	uint64_t off = (uint64_t)((uint8_t *)map->data - (uint8_t *)map->shm) + sizeof(struct rb_shared);
	return (off + RB_PAGE - 1) & ~(uint64_t)(RB_PAGE - 1);
}

static int rb_open(struct bpfrt_map *map)
{
	struct rb_local *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	size_t size = map->max_entries;
	uint8_t *area = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		free(l);
		return -ENOMEM;
	}
	off_t off = (off_t)rb_data_off(map);
	if (mmap(area, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, map->shm_fd, off) == MAP_FAILED ||
	    mmap(area + size, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, map->shm_fd, off) == MAP_FAILED) {
		munmap(area, 2 * size);
		free(l);
		return -ENOMEM;
	}
	l->data = area;
	l->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	map->priv = l;
	return 0;
}

static void rb_release(struct bpfrt_map *map)
{
	struct rb_local *l = map->priv;
	if (!l)
		return;
	munmap(l->data, 2 * (size_t)map->max_entries);
	if (l->event_fd >= 0)
		close(l->event_fd);
	free(l);
}

static void rb_notify(struct bpfrt_map *map)
{
	struct rb_local *l = map->priv;
	__atomic_add_fetch(&rb_shared(map)->notify_seq, 1, __ATOMIC_RELEASE);
	uint64_t one = 1;
	if (l->event_fd >= 0 && write(l->event_fd, &one, sizeof(one)) < 0) {
		/* counter saturated: the reader is already due to wake */
	}
}

void *bpfrt_ringbuf_reserve(struct bpfrt_map *map, uint64_t size)
{
	struct rb_shared *s = rb_shared(map);
	struct rb_local *l = map->priv;
	if (size > (RB_DISCARD - 1) || size + RB_HDR > map->max_entries)
		return NULL;
	uint64_t len = (size + RB_HDR + 7) & ~7ull;
	bpfrt_map_lock(map);
	uint64_t cons = __atomic_load_n(&s->cons_pos, __ATOMIC_ACQUIRE);
	uint64_t prod = s->prod_pos;
	/* The kernel's rule: the producer stays at most size - 1 bytes ahead
	 * (new_prod_pos - cons_pos > mask), so a ring is never completely full. */
	if (prod + len - cons > map->max_entries - 1) {
		bpfrt_map_unlock(map);
		return NULL;
	}
	uint8_t *hdr = l->data + (prod & (map->max_entries - 1));
	uint32_t word = (uint32_t)size | RB_BUSY, pg_off = (uint32_t)((prod & (map->max_entries - 1)) / RB_PAGE);
	__atomic_store_n((uint32_t *)hdr, word, __ATOMIC_RELAXED);
	memcpy(hdr + 4, &pg_off, 4);
	/* Publishing prod_pos after the BUSY header: a consumer never reads
	 * past a record that is still being written. */
	__atomic_store_n(&s->prod_pos, prod + len, __ATOMIC_RELEASE);
	bpfrt_map_unlock(map);
	return hdr + RB_HDR;
}

void bpfrt_ringbuf_commit(struct bpfrt_map *map, void *sample, bool discard, uint64_t flags)
{
	uint32_t *hdr = (uint32_t *)((uint8_t *)sample - RB_HDR);
	uint32_t word = __atomic_load_n(hdr, __ATOMIC_RELAXED) & ~RB_BUSY;
	if (discard)
		word |= RB_DISCARD;
	__atomic_store_n(hdr, word, __ATOMIC_RELEASE);
	if (!(flags & BPF_RB_NO_WAKEUP))
		rb_notify(map);
}

/* Does sample point at a record reserved in this ring buffer? */
bool bpfrt_ringbuf_owns(struct bpfrt_map *map, const void *sample)
{
	struct rb_local *l = map->priv;
	const uint8_t *p = sample;
	return map->type == BPF_MAP_TYPE_RINGBUF && p >= l->data + RB_HDR &&
	       p < l->data + 2 * (size_t)map->max_entries;
}

uint64_t bpfrt_ringbuf_query(struct bpfrt_map *map, uint64_t flags)
{
	struct rb_shared *s = rb_shared(map);
	uint64_t cons = __atomic_load_n(&s->cons_pos, __ATOMIC_ACQUIRE);
	uint64_t prod = __atomic_load_n(&s->prod_pos, __ATOMIC_ACQUIRE);
	switch (flags) {
	case BPF_RB_AVAIL_DATA:
		return prod - cons;
	case BPF_RB_RING_SIZE:
		return map->max_entries;
	case BPF_RB_CONS_POS:
		return cons;
	case BPF_RB_PROD_POS:
		return prod;
	default:
		return 0;
	}
}

int bpfrt_ringbuf_consume_map(struct bpfrt_map *map, bpfrt_ringbuf_sample_fn fn, void *ctx)
{
	struct rb_shared *s = rb_shared(map);
	struct rb_local *l = map->priv;
	uint64_t cons = __atomic_load_n(&s->cons_pos, __ATOMIC_ACQUIRE);
	int n = 0;
	for (;;) {
		uint64_t prod = __atomic_load_n(&s->prod_pos, __ATOMIC_ACQUIRE);
		if (cons >= prod)
			break;
		uint8_t *hdr = l->data + (cons & (map->max_entries - 1));
		uint32_t word = __atomic_load_n((uint32_t *)hdr, __ATOMIC_ACQUIRE);
		if (word & RB_BUSY)
			break;
		uint32_t size = word & ~(RB_BUSY | RB_DISCARD);
		int stop = 0;
		if (!(word & RB_DISCARD)) {
			stop = fn(ctx, hdr + RB_HDR, size);
			n++;
		}
		cons += (size + RB_HDR + 7) & ~7ull;
		__atomic_store_n(&s->cons_pos, cons, __ATOMIC_RELEASE);
		if (stop)
			return stop < 0 ? stop : n;
	}
	return n;
}

int bpfrt_ringbuf_event_fd(struct bpfrt_map *map)
{
	struct rb_local *l = map->priv;
	return l->event_fd;
}

uint64_t bpfrt_ringbuf_notify_seq(struct bpfrt_map *map)
{
	return __atomic_load_n(&rb_shared(map)->notify_seq, __ATOMIC_ACQUIRE);
}

const struct bpfrt_map_ops bpfrt_ringbuf_map_ops = {
	.check = rb_check,
	.data_size = rb_data_size,
	.init = rb_open,
	.open = rb_open,
	.release = rb_release,
};
