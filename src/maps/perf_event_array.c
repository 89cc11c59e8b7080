/* perf_event_array.c — BPF_MAP_TYPE_PERF_EVENT_ARRAY in user space: one
 * output ring per slot (per CPU, as programs use BPF_F_CURRENT_CPU), in the
 * map's shared storage, written by bpf_perf_event_output and read by the
 * application through bpfrt_perf_buffer_* (libbpf's perf_buffer shape).
 *
 * There are no perf events in user space: a slot is enabled by a consumer
 * attaching (or by MAP_UPDATE_ELEM with any value, which is recorded) and
 * disabled by MAP_DELETE_ELEM.  Records are {u32 size, u32 type} + data,
 * 8-byte aligned, copied in and out across the ring's end; producers
 * serialise on the map's lock, the consumer moves the tail alone.
 */
#include "maps/map.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PERF_RING 65536u /* bytes of data per slot */
#define REC_SAMPLE 9     /* PERF_RECORD_SAMPLE */

struct perf_slot {
	uint64_t head; /* bytes ever written */
	uint64_t tail; /* bytes ever consumed */
	uint32_t enabled;
	uint32_t value; /* what MAP_UPDATE_ELEM stored */
	uint64_t lost;
	uint8_t data[PERF_RING];
};

static struct perf_slot *slot_at(struct bpfrt_map *map, uint32_t i)
{
	return (struct perf_slot *)map->data + i;
}

static int pe_check(const union bpf_attr *attr)
{
	const uint32_t ok = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_PRESERVE_ELEMS;
	if (attr->key_size != 4 || attr->value_size != 4 || attr->max_entries == 0 || (attr->map_flags & ~ok))
		return -EINVAL;
	if (attr->max_entries > 4096)
		return -E2BIG; /* bpfrt's limit: 64 KiB of shared ring per slot */
	return 0;
}

static uint64_t pe_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	(void)nr_cpus;
	return (uint64_t)attr->max_entries * sizeof(struct perf_slot);
}

static int pe_lookup_copy(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
	(void)map, (void)key, (void)value, (void)flags;
	return -ENOTSUPP; /* the kernel can't look perf event slots up either */
}

static int pe_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags, bool from_user)
{
	uint32_t idx;
	memcpy(&idx, key, 4);
	if (!from_user || flags != BPF_ANY)
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	struct perf_slot *s = slot_at(map, idx);
	memcpy(&s->value, value, 4);
	__atomic_store_n(&s->enabled, 1, __ATOMIC_RELEASE);
	return 0;
}

static int pe_delete(struct bpfrt_map *map, const void *key)
{
	uint32_t idx;
	memcpy(&idx, key, 4);
	if (idx >= map->max_entries)
		return -E2BIG;
	return __atomic_exchange_n(&slot_at(map, idx)->enabled, 0, __ATOMIC_ACQ_REL) ? 0 : -ENOENT;
}


static void ring_copy_in(struct perf_slot *s, uint64_t pos, const void *src, uint32_t len)
{
	uint32_t off = (uint32_t)(pos % PERF_RING), first = len < PERF_RING - off ? len : PERF_RING - off;
	memcpy(s->data + off, src, first);
	memcpy(s->data, (const uint8_t *)src + first, len - first);
}

static void ring_copy_out(const struct perf_slot *s, uint64_t pos, void *dst, uint32_t len)
{
	uint32_t off = (uint32_t)(pos % PERF_RING), first = len < PERF_RING - off ? len : PERF_RING - off;
	memcpy(dst, s->data + off, first);
	memcpy((uint8_t *)dst + first, s->data, len - first);
}

int bpfrt_perf_event_output(struct bpfrt_map *map, uint64_t flags, const void *data, uint64_t size)
{
	if (map->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return -EINVAL;
	if (flags & ~(BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK))
		return -EINVAL;
	if (flags & BPF_F_CTXLEN_MASK)
		return -EOPNOTSUPP; /* appending ctx bytes needs a packet context */
	uint64_t idx = flags & BPF_F_INDEX_MASK;
	if (idx == BPF_F_CURRENT_CPU)
		idx = bpfrt_current_cpu(map->nr_cpus);
	if (idx >= map->max_entries)
		return -E2BIG;
	struct perf_slot *s = slot_at(map, (uint32_t)idx);
	if (!__atomic_load_n(&s->enabled, __ATOMIC_ACQUIRE))
		return -ENOENT;
	uint32_t rec = (uint32_t)((size + 8 + 7) & ~7ull);
	if (size > PERF_RING / 2)
		return -E2BIG;
	bpfrt_map_lock(map);
	uint64_t tail = __atomic_load_n(&s->tail, __ATOMIC_ACQUIRE);
	if (s->head + rec - tail > PERF_RING) {
		__atomic_add_fetch(&s->lost, 1, __ATOMIC_RELAXED);
		bpfrt_map_unlock(map);
		return -ENOSPC;
	}
	uint32_t hdr[2] = {rec, REC_SAMPLE};
	ring_copy_in(s, s->head, hdr, 8);
	ring_copy_in(s, s->head + 8, data, (uint32_t)size);
	__atomic_store_n(&s->head, s->head + rec, __ATOMIC_RELEASE);
	bpfrt_map_unlock(map);
	return 0;
}

/* ---- the consumer ---- */

struct bpfrt_perf_buffer {
	struct bpfrt_map *map;
	bpfrt_perf_sample_fn sample;
	bpfrt_perf_lost_fn lost;
	void *ctx;
	uint8_t buf[PERF_RING];
};

struct bpfrt_perf_buffer *bpfrt_perf_buffer_new(struct bpfrt *rt, int map_fd, bpfrt_perf_sample_fn sample,
						bpfrt_perf_lost_fn lost, void *ctx)
{
	int err = 0;
	struct bpfrt_obj *obj = rt && sample ? bpfrt_fd_get(rt, map_fd, BPFRT_OBJ_MAP, &err) : NULL;
	if (!obj) {
		errno = err ? -err : EINVAL;
		return NULL;
	}
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	struct bpfrt_perf_buffer *pb = map->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ? calloc(1, sizeof(*pb)) : NULL;
	if (!pb) {
		errno = map->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ? ENOMEM : EINVAL;
		bpfrt_obj_put(obj);
		return NULL;
	}
	pb->map = map, pb->sample = sample, pb->lost = lost, pb->ctx = ctx;
	for (uint32_t i = 0; i < map->max_entries; i++)
		__atomic_store_n(&slot_at(map, i)->enabled, 1, __ATOMIC_RELEASE);
	return pb;
}

int bpfrt_perf_buffer_consume(struct bpfrt_perf_buffer *pb)
{
	int n = 0;
	for (uint32_t i = 0; i < pb->map->max_entries; i++) {
		struct perf_slot *s = slot_at(pb->map, i);
		uint64_t lost = __atomic_exchange_n(&s->lost, 0, __ATOMIC_ACQ_REL);
		if (lost && pb->lost)
			pb->lost(pb->ctx, (int)i, lost);
		uint64_t tail = s->tail, head = __atomic_load_n(&s->head, __ATOMIC_ACQUIRE);
		while (tail < head) {
			uint32_t hdr[2];
			ring_copy_out(s, tail, hdr, 8);
			if (hdr[0] < 8 || hdr[0] > PERF_RING)
				break; /* never trust shared memory blindly */
			ring_copy_out(s, tail + 8, pb->buf, hdr[0] - 8);
			pb->sample(pb->ctx, (int)i, pb->buf, hdr[0] - 8);
			tail += hdr[0];
			__atomic_store_n(&s->tail, tail, __ATOMIC_RELEASE);
			n++;
		}
	}
	return n;
}

int bpfrt_perf_buffer_poll(struct bpfrt_perf_buffer *pb, int timeout_ms)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int n = bpfrt_perf_buffer_consume(pb);
		if (n)
			return n;
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		int64_t ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (timeout_ms >= 0 && ms >= timeout_ms)
			return 0;
		poll(NULL, 0, 1);
	}
}

void bpfrt_perf_buffer_free(struct bpfrt_perf_buffer *pb)
{
	if (!pb)
		return;
	bpfrt_obj_put(&pb->map->obj);
	free(pb);
}

const struct bpfrt_map_ops bpfrt_perf_event_array_map_ops = {
	.check = pe_check,
	.data_size = pe_data_size,
	.lookup_copy = pe_lookup_copy,
	.update = pe_update,
	.delete = pe_delete,
	.get_next_key = bpfrt_index_next_key,
};
