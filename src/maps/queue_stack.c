/* queue_stack.c — BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO).
 *
 * A ring of max_entries + 1 value slots (one always free, so full and empty
 * differ) in the map's shared region.  head is the next slot to push into,
 * tail the oldest value; both live in one 64-bit word, and every operation
 * copies the value first and then moves head/tail with one atomic store, so a
 * process killed under the lock leaves either the old or the new state.  No
 * keys: the bpf() layer maps lookup to peek and update to push.
 */
#include "maps/map.h"

#include <errno.h>
#include <string.h>

#define QS_FLAGS                                                                         \
	(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)
#define QS_VALUE_MAX (1u << 22) /* the kernel's largest kmalloc */

struct qs_head {
	uint64_t pos;   /* head << 32 | tail, indexes into the ring */
	uint64_t slots; /* max_entries + 1 */
};

#define HEAD_SIZE 64

static int qs_check(const union bpf_attr *attr)
{
	if (attr->max_entries == 0 || attr->key_size != 0 || attr->value_size == 0 ||
	    (attr->map_flags & ~QS_FLAGS) ||
	    ((attr->map_flags & BPF_F_RDONLY_PROG) && (attr->map_flags & BPF_F_WRONLY_PROG)))
		return -EINVAL;
	if (attr->value_size > QS_VALUE_MAX)
		return -E2BIG;
	/* The kernel allocates the ring at once and fails with -ENOMEM when it
	 * can't; beyond what map.c accepts, say the same. */
	if (((uint64_t)attr->max_entries + 1) * attr->value_size > (1ull << 40) - HEAD_SIZE)
		return -ENOMEM;
	return 0;
}

static uint64_t qs_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	(void)nr_cpus;
	return HEAD_SIZE + ((uint64_t)attr->max_entries + 1) * attr->value_size;
}

static struct qs_head *head_of(const struct bpfrt_map *map)
{
	return map->data;
}

static int qs_init(struct bpfrt_map *map)
{
	head_of(map)->slots = (uint64_t)map->max_entries + 1;
	return 0;
}

static uint8_t *slot_at(const struct bpfrt_map *map, uint32_t i)
{
	return (uint8_t *)map->data + HEAD_SIZE + (uint64_t)i * map->value_size;
}

static uint32_t ring_next(const struct qs_head *h, uint32_t i)
{
	return (uint64_t)i + 1 == h->slots ? 0 : i + 1;
}

static uint32_t ring_prev(const struct qs_head *h, uint32_t i)
{
	return i == 0 ? (uint32_t)(h->slots - 1) : i - 1;
}

static void set_pos(struct qs_head *h, uint32_t head, uint32_t tail)
{
	__atomic_store_n(&h->pos, (uint64_t)head << 32 | tail, __ATOMIC_RELEASE);
}

static int qs_push(struct bpfrt_map *map, const void *value, uint64_t flags)
{
	/* As the kernel: BPF_EXIST makes room by dropping the oldest value. */
	if ((flags & BPF_NOEXIST) || flags > BPF_EXIST)
		return -EINVAL;
	struct qs_head *h = head_of(map);
	bpfrt_map_lock(map);
	uint64_t pos = __atomic_load_n(&h->pos, __ATOMIC_ACQUIRE);
	uint32_t head = (uint32_t)(pos >> 32), tail = (uint32_t)pos;
	if (ring_next(h, head) == tail) {
		if (!(flags & BPF_EXIST)) {
			bpfrt_map_unlock(map);
			return -E2BIG;
		}
		tail = ring_next(h, tail);
	}
	/* Full or not, the slot at head is free: write it, then publish. */
	memcpy(slot_at(map, head), value, map->value_size);
	set_pos(h, ring_next(h, head), tail);
	bpfrt_map_unlock(map);
	return 0;
}

/* Copy out the value a pop would take; with remove, take it. */
static int qs_take(struct bpfrt_map *map, void *value, bool remove)
{
	struct qs_head *h = head_of(map);
	bool stack = map->type == BPF_MAP_TYPE_STACK;
	bpfrt_map_lock(map);
	uint64_t pos = __atomic_load_n(&h->pos, __ATOMIC_ACQUIRE);
	uint32_t head = (uint32_t)(pos >> 32), tail = (uint32_t)pos;
	if (head == tail) {
		bpfrt_map_unlock(map);
		return -ENOENT;
	}
	uint32_t at = stack ? ring_prev(h, head) : tail;
	memcpy(value, slot_at(map, at), map->value_size);
	if (remove)
		set_pos(h, stack ? at : head, stack ? tail : ring_next(h, tail));
	bpfrt_map_unlock(map);
	return 0;
}

static int qs_pop(struct bpfrt_map *map, void *value)
{
	return qs_take(map, value, true);
}

static int qs_peek(struct bpfrt_map *map, void *value)
{
	return qs_take(map, value, false);
}

/* Keyed operations don't exist on these maps (the kernel's answers). */
static void *qs_lookup(struct bpfrt_map *map, const void *key)
{
	(void)map, (void)key;
	return NULL;
}

static int qs_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags,
		     bool from_user)
{
	(void)map, (void)key, (void)value, (void)flags, (void)from_user;
	return -EINVAL;
}

static int qs_delete(struct bpfrt_map *map, const void *key)
{
	(void)map, (void)key;
	return -EINVAL;
}

static int qs_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
	(void)map, (void)key, (void)next_key;
	return -EINVAL;
}

const struct bpfrt_map_ops bpfrt_queue_map_ops = {
	.check = qs_check,
	.data_size = qs_data_size,
	.init = qs_init,
	.lookup = qs_lookup,
	.update = qs_update,
	.delete = qs_delete,
	.get_next_key = qs_get_next_key,
	.push = qs_push,
	.pop = qs_pop,
	.peek = qs_peek,
};

const struct bpfrt_map_ops bpfrt_stack_map_ops = {
	.check = qs_check,
	.data_size = qs_data_size,
	.init = qs_init,
	.lookup = qs_lookup,
	.update = qs_update,
	.delete = qs_delete,
	.get_next_key = qs_get_next_key,
	.push = qs_push,
	.pop = qs_pop,
	.peek = qs_peek,
};
