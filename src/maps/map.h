/* map.h — the map object and the interface every map family implements.
 *
 * A map's storage is one shared, position-independent region: a file
 * created in the runtime's pin root (O_TMPFILE), mmap'd MAP_SHARED, with a
 * header (struct bpfrt_map_shm) followed by the family's data at data_off.
 * Only offsets are stored inside it, never pointers, so another process
 * that opens the pin maps the same bytes and sees one live map.  Writers
 * take the header's robust, process-shared mutex: a writer killed while
 * holding it leaves the lock recoverable (EOWNERDEAD), and each family
 * publishes an update with a single atomic store after preparing it, so a
 * torn update is never visible.  Lookups are lock-free where the family
 * allows (array, hash).
 */
#ifndef BPFRT_MAPS_MAP_H
#define BPFRT_MAPS_MAP_H

#include "core/runtime.h"

#include <stdbool.h>

/* The kernel's internal "operation not supported", which bpf() returns
 * for some map operations; not in the C library's errno.h. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#define BPFRT_MAP_MAGIC 0x50414d5452465042ull /* "BPFRTMAP" */
/* 2: the BTF blob and spin_lock_off.  Files of another version are refused. */
#define BPFRT_MAP_VERSION 2

struct bpfrt_map_shm {
	uint64_t magic;
	uint32_t version;
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t nr_cpus;
	uint32_t frozen; /* atomic: MAP_FREEZE was done */
	uint32_t mmap_writers; /* atomic: writable application mappings (freeze refuses while > 0) */
	uint64_t map_extra;
	uint64_t total_size; /* bytes of the whole region */
	uint64_t data_off;   /* where the family's data starts */
	char name[BPF_OBJ_NAME_LEN];
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	int32_t spin_lock_off; /* the value's bpf_spin_lock (from BTF), -1: none */
	uint32_t pad;
	/* The raw BTF the map was created with (btf_fd), after the family's
	 * data, so another process opening the pin has the key/value types;
	 * btf_size 0: none. */
	uint64_t btf_off;
	uint64_t btf_size;
	pthread_mutex_t lock; /* robust, process-shared: serialises writers */
};

struct bpfrt_map;
struct bpfrt_btf_obj;

struct bpfrt_map_ops {
	/* Validate the family-specific attributes: negative errno or 0. */
	int (*check)(const union bpf_attr *attr);
	/* Bytes of family data for these attributes. */
	uint64_t (*data_size)(const union bpf_attr *attr, uint32_t nr_cpus);
	/* Initialise fresh (zero-filled) storage. */
	int (*init)(struct bpfrt_map *map);
	/* Set up process-local state for storage opened from a pin (optional). */
	int (*open)(struct bpfrt_map *map);
	/* The last fd closed (optional; the kernel's map_release_uref). */
	void (*release_uref)(struct bpfrt_map *map);
	/* Process-local cleanup when the map object goes (optional). */
	void (*release)(struct bpfrt_map *map);

	/* Program side: pointer to the value (this CPU's for per-CPU maps), or NULL. */
	void *(*lookup)(struct bpfrt_map *map, const void *key);
	/* Program side, optional: lookup for a running program, which may use
	 * the pointer until the run ends; a family that recycles freed memory
	 * (lpm_trie.c) holds the memory back until then (bpfrt_run_on_exit). */
	void *(*lookup_run)(struct bpfrt_map *map, const void *key, struct bpfrt_run *run);
	/* Syscall side: copy the value out (all CPUs for per-CPU maps). */
	int (*lookup_copy)(struct bpfrt_map *map, const void *key, void *value, uint64_t flags);
	/* from_user: value holds every CPU's value (per-CPU maps, syscall path). */
	int (*update)(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags,
		      bool from_user);
	int (*delete)(struct bpfrt_map *map, const void *key);
	int (*get_next_key)(struct bpfrt_map *map, const void *key, void *next_key);
	int (*lookup_and_delete)(struct bpfrt_map *map, const void *key, void *value, uint64_t flags);
	/* Queue, stack, bloom filter. */
	int (*push)(struct bpfrt_map *map, const void *value, uint64_t flags);
	int (*pop)(struct bpfrt_map *map, void *value);
	int (*peek)(struct bpfrt_map *map, void *value);
	/* Batch walks (optional, hash families; src/maps/map_batch.c): the key
	 * of the first element at a position >= *pos, *pos set to its position;
	 * -ENOENT past the last.  Positions are u32 and stable while an element
	 * lives; map_batch.c uses them as the batch token (a u32, like the
	 * kernel's bucket index).  Without it hash batch walks are -ENOTSUPP. */
	int (*key_at)(struct bpfrt_map *map, uint32_t *pos, void *key);
	/* Optional: repair the family's data after a writer died holding the
	 * lock (called by bpfrt_map_lock, lock held, on EOWNERDEAD). */
	void (*recover)(struct bpfrt_map *map);
};

struct bpfrt_map {
	struct bpfrt_obj obj;
	const struct bpfrt_map_ops *ops;
	struct bpfrt_map_shm *shm;
	size_t shm_size;
	int shm_fd;
	uint64_t file_dev, file_ino; /* identity of the storage file across opens */
	uint32_t type, key_size, value_size, max_entries, flags, nr_cpus;
	char name[BPF_OBJ_NAME_LEN];
	void *data; /* (char *)shm + shm->data_off */
	void *priv; /* process-local state of the family (prog array slots...) */
	struct bpfrt_btf_obj *btf; /* a reference, NULL without BTF (map_btf.c) */
	const union bpf_attr *create_attr; /* the MAP_CREATE attributes, during ops->init only */
};

/* The families, by map type (NULL: not supported). */
const struct bpfrt_map_ops *bpfrt_map_ops_for(uint32_t map_type);

/* Families register here (one extern per file in src/maps/). */
extern const struct bpfrt_map_ops bpfrt_array_map_ops;
extern const struct bpfrt_map_ops bpfrt_prog_array_map_ops;
extern const struct bpfrt_map_ops bpfrt_perf_event_array_map_ops;
int bpfrt_perf_event_output(struct bpfrt_map *map, uint64_t flags, const void *data, uint64_t size);
extern const struct bpfrt_map_ops bpfrt_array_of_maps_map_ops;
extern const struct bpfrt_map_ops bpfrt_hash_of_maps_map_ops;
/* Is inner a map currently or formerly stored in the map-in-map outer?
 * (Program-side pointers to inner maps are checked with this.) */
bool bpfrt_map_in_map_holds(struct bpfrt_map *outer, const struct bpfrt_map *inner);
/* The template inner maps of a map-in-map must match (for the verifier):
 * false when outer is not a map-in-map or its template is unknown. */
bool bpfrt_map_in_map_template(const struct bpfrt_map *outer, uint32_t *type, uint32_t *key_size,
			       uint32_t *value_size, uint32_t *max_entries, uint32_t *flags);
extern const struct bpfrt_map_ops bpfrt_hash_map_ops;
extern const struct bpfrt_map_ops bpfrt_lpm_trie_map_ops;
extern const struct bpfrt_map_ops bpfrt_queue_map_ops;
extern const struct bpfrt_map_ops bpfrt_stack_map_ops;
extern const struct bpfrt_map_ops bpfrt_bloom_filter_map_ops;
/* DEVMAP and DEVMAP_HASH (devmap.c): the array and hash families with the
 * kernel's device-value rules. */
extern const struct bpfrt_map_ops bpfrt_devmap_map_ops;
extern const struct bpfrt_map_ops bpfrt_stack_trace_map_ops;
/* bpf_get_stackid's store (stack_trace.c): nr addresses (cut to the map's
 * depth) into the bucket their hash picks; the id, or -EEXIST (another
 * stack there, no BPF_F_REUSE_STACKID), -EFAULT (no addresses). */
int bpfrt_stack_trace_store(struct bpfrt_map *map, const uint64_t *ips, uint32_t nr, uint64_t flags);

/* Ring buffers (ringbuf.c): reserve/commit for producers, consume for the
 * application side. */
extern const struct bpfrt_map_ops bpfrt_ringbuf_map_ops;
void *bpfrt_ringbuf_reserve(struct bpfrt_map *map, uint64_t size);
void bpfrt_ringbuf_commit(struct bpfrt_map *map, void *sample, bool discard, uint64_t flags);
bool bpfrt_ringbuf_owns(struct bpfrt_map *map, const void *sample);
uint64_t bpfrt_ringbuf_query(struct bpfrt_map *map, uint64_t flags);
int bpfrt_ringbuf_consume_map(struct bpfrt_map *map, bpfrt_ringbuf_sample_fn fn, void *ctx);
int bpfrt_ringbuf_event_fd(struct bpfrt_map *map);
uint64_t bpfrt_ringbuf_notify_seq(struct bpfrt_map *map);

/* The program in slot index of a prog array, or NULL (tail calls). */
const struct bpfrt_vm_prog *bpfrt_prog_array_get(struct bpfrt_map *map, uint32_t index);

/* The number of possible CPUs (per-CPU value slots), as libbpf counts them
 * from /sys/devices/system/cpu/possible. */
uint32_t bpfrt_possible_cpus(void);
/* The CPU the calling thread runs on, in 0..nr_cpus-1: its CPU identity
 * when one is set (bpfrt_thread_cpu_set), else sched_getcpu(). */
uint32_t bpfrt_current_cpu(uint32_t nr_cpus);
/* Give the calling thread a CPU identity for bpf_get_smp_processor_id and
 * per-CPU maps: cpu >= 0 fixes it, -1 returns to sched_getcpu().  Returns
 * the previous setting.  The packet runners (hooks/xdp.h) set it around
 * each run, so threads that each own a CPU index never write one per-CPU
 * value at once even when the OS moves them between cores. */
int bpfrt_thread_cpu_set(int cpu);

/* The lookup a program's helper call makes (lookup_run if the family has it). */
static inline void *bpfrt_map_lookup_prog(struct bpfrt_map *map, const void *key,
					  struct bpfrt_run *run)
{
	return map->ops->lookup_run ? map->ops->lookup_run(map, key, run) : map->ops->lookup(map, key);
}

static inline uint32_t bpfrt_round_up8(uint32_t v)
{
	return (v + 7) & ~7u;
}

/* get_next_key of maps whose keys are u32 indexes 0..max_entries-1 (the
 * array families): NULL or an out-of-range key gives 0, the last -ENOENT. */
int bpfrt_index_next_key(struct bpfrt_map *map, const void *key, void *next_key);

/* Zeroed process-local memory for a map's slots, possibly huge (max_entries
 * up to 2^32): mmap'd, so a size the machine can't back fails with NULL
 * (-ENOMEM, as the kernel) instead of aborting under sanitizers. */
void *bpfrt_map_slots_alloc(size_t n, size_t size);
void bpfrt_map_slots_free(void *p, size_t n, size_t size);

/* Lock the map for writing; recovers the lock if its holder died. */
void bpfrt_map_lock(struct bpfrt_map *map);
void bpfrt_map_unlock(struct bpfrt_map *map);

/* Create a map from MAP_CREATE attributes: a new object with one reference. */
int bpfrt_map_create(struct bpfrt *rt, const union bpf_attr *attr, struct bpfrt_map **out);
/* Open an existing map's storage (a pinned file) as a new object. */
int bpfrt_map_open_fd(struct bpfrt *rt, int file_fd, struct bpfrt_map **out);

static inline struct bpfrt_map *bpfrt_map_from_obj(struct bpfrt_obj *obj)
{
	return (struct bpfrt_map *)obj;
}

/* BTF of maps and bpf_spin_lock in values (src/maps/map_btf.c).  Check
 * MAP_CREATE's btf_fd/btf_*_type_id: 0 with *out the BTF object (a new
 * reference; NULL when the map has no BTF) and *lock_off the offset of
 * the value's bpf_spin_lock (-1: none), or a negative errno. */
int bpfrt_map_btf_check(struct bpfrt *rt, const union bpf_attr *attr, struct bpfrt_btf_obj **out,
			int32_t *lock_off);
/* Copy a value of value_size bytes, leaving dst's lock word as it is. */
void bpfrt_map_value_copy(const struct bpfrt_map *map, void *dst, const void *src);
/* Zero the lock word of a value copied out (lookups return it as 0). */
void bpfrt_map_value_clear_lock(const struct bpfrt_map *map, void *value);
/* BPF_F_LOCK: copy elem (a value in the map) to buf (to_user) or buf to
 * elem, holding elem's bpf_spin_lock; the lock word is never copied. */
void bpfrt_map_value_copy_locked(const struct bpfrt_map *map, void *elem, void *buf, bool to_user);
static inline bool bpfrt_map_has_lock(const struct bpfrt_map *map)
{
	return map->shm->spin_lock_off >= 0;
}

/* bpf() commands on maps (src/maps/map_cmd.c). */
int bpfrt_cmd_map_create(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_map_lookup(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_map_update(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_map_delete(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_map_get_next_key(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_map_lookup_and_delete(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_map_freeze(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_map_batch(struct bpfrt *rt, int cmd, union bpf_attr *attr);
/* Bytes of one value as the application exchanges it: per-CPU maps
 * round_up(value_size, 8) * nr_cpus, fd maps 4. */
uint64_t bpfrt_map_user_value_size(const struct bpfrt_map *map);

#endif
