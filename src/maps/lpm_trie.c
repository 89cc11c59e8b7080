/* lpm_trie.c — BPF_MAP_TYPE_LPM_TRIE: longest-prefix match on
 * struct bpf_lpm_trie_key (u32 prefixlen, then data_size bytes, MSB first).
 *
 * A path-compressed binary trie in the map's shared region.  Nodes come from
 * a preallocated pool of 2 * max_entries (entries plus "intermediate" nodes
 * that only join two subtrees and never hold a value; each has exactly two
 * children, so there are fewer of them than entries), plus slack for freed
 * nodes that wait out a grace period (below).  Links are pool indexes
 * + 1, never pointers.  Every change is prepared off to the side and made
 * visible with one store into a link (or a node's flags); every operation runs
 * under the map lock.  A writer that dies mid-operation leaves `busy` set; the
 * next locker rebuilds the free list and the entry count from the trie.
 *
 * Grace periods.  A program's bpf_map_lookup_elem returns a pointer into a
 * node and the program uses it after the lock is released, until its run
 * ends; the kernel frees a deleted node only after an RCU grace period, so
 * the value never changes owner under the program.  Here the same: a freed
 * node waits in the free FIFO, tagged with the generation (`gen`) it was
 * freed in, until every run that could have seen it has ended.  A run enters
 * the map's read side once (lpm_lookup_run, under the lock): it counts
 * itself in runs[gen & 1] of its process's reader slot and asks the
 * interpreter to uncount it when the run ends (bpfrt_run_on_exit; one
 * atomic add under the lock, one atomic sub at exit, per run and map).
 * Allocation, under the lock, moves gen on only when no run is counted in
 * the other parity (runs of gen - 1 have all ended), so runs[p] holds only
 * runs of one generation; a node freed in generation F is reused once gen
 * reaches F + 2: that step needed the runs of F to have drained, and runs
 * that entered before F had drained at the step to F + 1.  Entering and
 * stepping both hold the lock, so no reader slips in between a check and a
 * step.  The pool has slack beyond the 2 * max_entries live nodes for freed
 * nodes that wait; when it is used up (a reader preempted in mid-run while
 * writers churn), an update waits, lock released, until two nodes are free
 * (wait_for_nodes) — unless its thread is itself inside a read side of any
 * LPM map (a program updating a map while holding a value): waiting there
 * could wait for itself, or for a thread waiting for it, so it gets -ENOMEM,
 * as the kernel's update does when its allocation fails.  So does a wait
 * longer than about a second (a run that does not end).
 *
 * Readers in other processes, and readers that die.  Counts are per process
 * (the map is shared memory): slot i belongs to a pid.  A process killed in
 * the middle of a run leaves its count up forever; when a freed node is
 * needed and the pool is used up, slots whose process no longer exists
 * (kill(pid, 0) fails with ESRCH) are emptied, which releases what they held
 * (their threads are all gone, so are their pointers).  The check costs a
 * system call per slot, so it runs only then (in wait_for_nodes), and when
 * a new process finds no free slot.  Limits: a pid reused by an unrelated live process keeps a
 * dead one's count until that process exits; processes in other pid
 * namespaces look dead (ESRCH) and must not share a map; past 63 live
 * processes the last slot is shared and never emptied (a run killed there
 * holds its generation for good).  Threads of one process share its slot
 * and cannot die alone.
 */
#include "maps/map.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define LPM_DATA_MIN 1
#define LPM_DATA_MAX 256
#define LPM_MAX_BITS (LPM_DATA_MAX * 8)
/* The kernel bounds value_size by its largest kmalloc (4 MiB) less the key
 * data and its 24-byte node header; mirrored so create agrees with it. */
#define LPM_VALUE_MAX ((1u << 22) - LPM_DATA_MAX - 24)
#define LPM_FLAGS                                                                    \
	(BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
	 BPF_F_WRONLY_PROG)

/* Node flags. */
#define NODE_IM 1u   /* intermediate: joins two subtrees, holds no entry */
#define NODE_MARK 2u /* reachable, during crash recovery only */

/* Nodes beyond the 2 * max_entries live ones, for freed nodes that wait for
 * the runs that may still read them (sparse: touched only if used). */
#define POOL_SLACK(max_entries) ((uint64_t)(max_entries) / 4 + 64)

/* Reader slots; the last is shared by processes that find none free. */
#define LPM_READERS 64
#define READER_SHARED (LPM_READERS - 1)
#define PID_SHARED (-1)

/* An update waiting for freed nodes: yields first, then 1 ms sleeps; about
 * a second in all before -ENOMEM. */
#define WAIT_YIELDS 64
#define WAIT_SLEEPS 1000

struct lpm_node {
	/* Links: index + 1, 0 = none.  A freed node keeps the free-list link
	 * in child[0] and the generation it was freed in in child[1]. */
	uint64_t child[2];
	uint32_t prefixlen;
	uint32_t flags;
	uint8_t data[]; /* data_size bytes, then the value at round_up8(data_size) */
};

struct lpm_head {
	uint64_t root;       /* link */
	uint64_t nr_nodes;   /* pool size: 2 * max_entries + POOL_SLACK */
	uint64_t fresh;      /* nodes [0, fresh) have been handed out at least once */
	uint64_t free_first; /* FIFO of freed nodes (links), oldest first */
	uint64_t free_last;
	uint64_t free_count;
	uint32_t n_entries; /* non-intermediate nodes */
	uint32_t busy;      /* set while a writer changes the trie */
	uint64_t gen;        /* grace-period generation; runs enter gen & 1 (under the lock) */
	uint32_t nr_readers; /* slots [0, nr_readers) have had an owner */
	uint32_t unused;
	struct lpm_reader {
		uint64_t runs[2]; /* atomic: this process's runs inside, by gen & 1 */
		int32_t pid;      /* owner, 0: free, PID_SHARED; changed under the lock */
		uint8_t pad[44];  /* a cache line each: processes don't share one */
	} readers[LPM_READERS];
};

#define HEAD_SIZE ((sizeof(struct lpm_head) + 63) & ~(uint64_t)63)

struct lpm_key {
	uint32_t prefixlen;
	uint8_t data[];
};

static uint32_t data_size(const struct bpfrt_map *map)
{
	return map->key_size - 4;
}

static uint32_t max_bits(const struct bpfrt_map *map)
{
	return data_size(map) * 8;
}

static uint64_t node_stride(uint32_t key_size, uint32_t value_size)
{
	return sizeof(struct lpm_node) + bpfrt_round_up8(key_size - 4) + bpfrt_round_up8(value_size);
}

static struct lpm_head *head_of(const struct bpfrt_map *map)
{
	return map->data;
}

static struct lpm_node *node_at(const struct bpfrt_map *map, uint64_t link)
{
	if (!link)
		return NULL;
	return (struct lpm_node *)((uint8_t *)map->data + HEAD_SIZE +
				   (link - 1) * node_stride(map->key_size, map->value_size));
}

static uint64_t link_of(const struct bpfrt_map *map, const struct lpm_node *node)
{
	uint64_t off = (uint64_t)((const uint8_t *)node - (const uint8_t *)map->data) - HEAD_SIZE;
	return off / node_stride(map->key_size, map->value_size) + 1;
}

static uint8_t *node_value(const struct bpfrt_map *map, struct lpm_node *node)
{
	return node->data + bpfrt_round_up8(data_size(map));
}

static uint64_t load_link(const uint64_t *slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

/* The one store that makes a prepared change visible. */
static void publish(uint64_t *slot, uint64_t link)
{
	__atomic_store_n(slot, link, __ATOMIC_RELEASE);
}

static unsigned bit_at(const uint8_t *data, uint32_t i)
{
	return (data[i / 8] >> (7 - i % 8)) & 1;
}

/* How many leading bits of node and key agree, at most the shorter prefix. */
static uint32_t match_len(const struct bpfrt_map *map, const struct lpm_node *node,
			  const struct lpm_key *key)
{
	uint32_t limit = node->prefixlen < key->prefixlen ? node->prefixlen : key->prefixlen;
	uint32_t n = 0;
	for (uint32_t i = 0; i < data_size(map) && n < limit; i++) {
		uint8_t diff = node->data[i] ^ key->data[i];
		if (diff) {
			n += (uint32_t)__builtin_clz((unsigned)diff) - 24;
			break;
		}
		n += 8;
	}
	return n < limit ? n : limit;
}

/* ---- the node pool ---- */

/* ---- readers: who may still hold a pointer into a node ---- */

static pid_t cached_pid; /* 0: not known (yet, or since a fork) */

static void forget_pid(void)
{
	cached_pid = 0;
}

static void watch_forks(void)
{
	pthread_atfork(NULL, NULL, forget_pid);
}

/* getpid() is a system call; a run enters the read side once per map. */
static int32_t self_pid(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pid_t pid = __atomic_load_n(&cached_pid, __ATOMIC_RELAXED);
	if (!pid) {
		pthread_once(&once, watch_forks);
		pid = getpid();
		__atomic_store_n(&cached_pid, pid, __ATOMIC_RELAXED);
	}
	return pid;
}

static bool process_gone(int32_t pid)
{
	return pid > 0 && kill(pid, 0) == -1 && errno == ESRCH;
}

/* Read sides of LPM maps this thread's runs are inside (any map). */
static _Thread_local uint32_t read_sides;

/* Empty the slots of processes that no longer exist, with whatever runs
 * they were killed in (only slots still counting runs if holding_only).
 * Under the lock.  Returns how many were emptied. */
static uint32_t reclaim_readers(struct bpfrt_map *map, bool holding_only)
{
	struct lpm_head *h = head_of(map);
	uint32_t n = 0;
	for (uint32_t i = 0; i < h->nr_readers && i < READER_SHARED; i++) {
		struct lpm_reader *r = &h->readers[i];
		if (holding_only && !__atomic_load_n(&r->runs[0], __ATOMIC_RELAXED) &&
		    !__atomic_load_n(&r->runs[1], __ATOMIC_RELAXED))
			continue;
		if (!process_gone(r->pid))
			continue;
		__atomic_store_n(&r->runs[0], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&r->runs[1], 0, __ATOMIC_RELAXED);
		r->pid = 0;
		n++;
	}
	return n;
}

/* This process's slot, claimed on first use.  Under the lock. */
static struct lpm_reader *reader_slot(struct bpfrt_map *map)
{
	struct lpm_head *h = head_of(map);
	int32_t pid = self_pid();
	for (int pass = 0; pass < 2; pass++) {
		struct lpm_reader *free_slot = NULL;
		for (uint32_t i = 0; i < h->nr_readers && i < READER_SHARED; i++) {
			if (h->readers[i].pid == pid)
				return &h->readers[i];
			if (!free_slot && !h->readers[i].pid)
				free_slot = &h->readers[i];
		}
		if (!free_slot && h->nr_readers < READER_SHARED)
			free_slot = &h->readers[h->nr_readers++];
		if (free_slot) {
			free_slot->pid = pid;
			return free_slot;
		}
		if (!reclaim_readers(map, false))
			break;
	}
	h->readers[READER_SHARED].pid = PID_SHARED;
	h->nr_readers = LPM_READERS;
	return &h->readers[READER_SHARED];
}

/* Is any run counted in parity p?  Under the lock (no run can enter). */
static bool runs_inside(const struct lpm_head *h, unsigned p)
{
	for (uint32_t i = 0; i < h->nr_readers; i++)
		if (__atomic_load_n(&h->readers[i].runs[p], __ATOMIC_ACQUIRE))
			return true;
	return false;
}

/* Step gen if the runs of gen - 1 have all ended (their parity is the one
 * new runs enter next). */
static bool step_gen(struct lpm_head *h)
{
	if (runs_inside(h, (unsigned)(h->gen + 1) & 1))
		return false;
	h->gen++;
	return true;
}

/* ---- the node pool ---- */

/* Can the oldest freed node be reused, stepping gen if it may?  Two steps
 * at most: past the generation it was freed in, then past the next. */
static bool oldest_reusable(struct bpfrt_map *map)
{
	struct lpm_head *h = head_of(map);
	if (!h->free_count)
		return false;
	uint64_t freed_in = node_at(map, h->free_first)->child[1];
	while (freed_in + 2 > h->gen)
		if (!step_gen(h))
			return false;
	return true;
}

/* Can need nodes be allocated now (stepping gen as far as it may)? */
static bool nodes_ready(struct bpfrt_map *map, uint64_t need)
{
	struct lpm_head *h = head_of(map);
	uint64_t have = h->nr_nodes - h->fresh;
	for (uint64_t link = h->free_first; have < need && link; have++) {
		struct lpm_node *n = node_at(map, link);
		while (n->child[1] + 2 > h->gen)
			if (!step_gen(h))
				return false;
		link = n->child[0];
	}
	return have >= need;
}

static void trie_lock(struct bpfrt_map *map);

/* Before an update (lock held, nothing changed yet): wait until need nodes
 * can be allocated, the lock released meanwhile so readers can go on.
 * Returns with the lock held; -ENOMEM if this thread must not wait or
 * waited too long. */
static int wait_for_nodes(struct bpfrt_map *map, uint64_t need)
{
	for (uint32_t i = 0;; i++) {
		if (nodes_ready(map, need))
			return 0;
		if (reclaim_readers(map, true) && nodes_ready(map, need))
			return 0; /* a killed run held them */
		if (read_sides || i >= WAIT_YIELDS + WAIT_SLEEPS)
			return -ENOMEM;
		bpfrt_map_unlock(map);
		if (i < WAIT_YIELDS) {
			sched_yield();
		} else {
			struct timespec ms = {.tv_nsec = 1000000};
			nanosleep(&ms, NULL);
		}
		trie_lock(map);
	}
}

static struct lpm_node *node_alloc(struct bpfrt_map *map)
{
	struct lpm_head *h = head_of(map);
	uint64_t link;
	if (oldest_reusable(map)) {
		link = h->free_first;
		h->free_first = node_at(map, link)->child[0];
		if (!h->free_first)
			h->free_last = 0;
		h->free_count--;
	} else if (h->fresh < h->nr_nodes) {
		link = ++h->fresh;
	} else {
		return NULL; /* cannot happen after wait_for_nodes */
	}
	struct lpm_node *n = node_at(map, link);
	n->child[0] = n->child[1] = 0;
	n->prefixlen = 0;
	n->flags = 0;
	return n;
}

static void node_free(struct bpfrt_map *map, struct lpm_node *node)
{
	struct lpm_head *h = head_of(map);
	uint64_t link = link_of(map, node);
	node->child[0] = 0;
	node->child[1] = h->gen;
	node->flags = 0;
	if (h->free_last)
		node_at(map, h->free_last)->child[0] = link;
	else
		h->free_first = link;
	h->free_last = link;
	h->free_count++;
}

/* A writer died holding the lock: the trie itself is consistent (changes are
 * published with one store), but nodes it had taken or was freeing, and the
 * entry count, may be off.  Mark what the trie reaches, free the rest. */
static void recover(struct bpfrt_map *map)
{
	struct lpm_head *h = head_of(map);
	for (uint64_t l = 1; l <= h->fresh; l++)
		node_at(map, l)->flags &= ~NODE_MARK;
	uint64_t *stack = malloc(sizeof(uint64_t) * (max_bits(map) + 2) * 2);
	uint32_t sp = 0, entries = 0;
	if (!stack)
		return; /* leave busy set: try again next time */
	if (h->root)
		stack[sp++] = h->root;
	while (sp) {
		struct lpm_node *n = node_at(map, stack[--sp]);
		n->flags |= NODE_MARK;
		if (!(n->flags & NODE_IM))
			entries++;
		for (int c = 0; c < 2; c++)
			if (n->child[c])
				stack[sp++] = n->child[c];
	}
	free(stack);
	h->free_first = h->free_last = h->free_count = 0;
	for (uint64_t l = 1; l <= h->fresh; l++) {
		struct lpm_node *n = node_at(map, l);
		if (n->flags & NODE_MARK)
			n->flags &= ~NODE_MARK;
		else
			node_free(map, n);
	}
	h->n_entries = entries;
	__atomic_store_n(&h->busy, 0, __ATOMIC_RELEASE);
}

static void trie_lock(struct bpfrt_map *map)
{
	bpfrt_map_lock(map);
	if (__atomic_load_n(&head_of(map)->busy, __ATOMIC_ACQUIRE))
		recover(map);
}

static void begin_write(struct bpfrt_map *map)
{
	__atomic_store_n(&head_of(map)->busy, 1, __ATOMIC_RELEASE);
}

static void end_write(struct bpfrt_map *map)
{
	__atomic_store_n(&head_of(map)->busy, 0, __ATOMIC_RELEASE);
	bpfrt_map_unlock(map);
}

/* ---- create ---- */

static int lpm_check(const union bpf_attr *attr)
{
	if (attr->max_entries == 0 || !(attr->map_flags & BPF_F_NO_PREALLOC) ||
	    (attr->map_flags & ~LPM_FLAGS) ||
	    ((attr->map_flags & BPF_F_RDONLY_PROG) && (attr->map_flags & BPF_F_WRONLY_PROG)) ||
	    attr->key_size < 4 + LPM_DATA_MIN || attr->key_size > 4 + LPM_DATA_MAX ||
	    attr->value_size < 1 || attr->value_size > LPM_VALUE_MAX)
		return -EINVAL;
	return 0;
}

static uint64_t lpm_data_size(const union bpf_attr *attr, uint32_t nr_cpus)
{
	(void)nr_cpus;
	/* The file is sparse: pages of the pool are touched only as nodes are used. */
	return HEAD_SIZE + (2 * (uint64_t)attr->max_entries + POOL_SLACK(attr->max_entries)) *
				   node_stride(attr->key_size, attr->value_size);
}

static int lpm_init(struct bpfrt_map *map)
{
	head_of(map)->nr_nodes = 2 * (uint64_t)map->max_entries + POOL_SLACK(map->max_entries);
	return 0;
}

/* ---- operations ---- */

/* The entry with the longest prefix that covers key, or NULL. */
static struct lpm_node *longest_match(struct bpfrt_map *map, const struct lpm_key *key)
{
	struct lpm_node *best = NULL;
	if (key->prefixlen > max_bits(map))
		return NULL;
	for (struct lpm_node *n = node_at(map, load_link(&head_of(map)->root)); n;) {
		uint32_t m = match_len(map, n, key);
		if (m < n->prefixlen)
			break;
		if (!(n->flags & NODE_IM))
			best = n;
		if (m == max_bits(map))
			break;
		/* A key shorter than this node's children can't match them:
		 * match_len stops at key->prefixlen and the loop ends there. */
		n = node_at(map, load_link(&n->child[bit_at(key->data, n->prefixlen)]));
	}
	return best;
}

/* Outside a run the pointer stays valid only until a writer frees the node
 * (no caller in a run comes here: lpm_lookup_run). */
static void *lpm_lookup(struct bpfrt_map *map, const void *key)
{
	trie_lock(map);
	struct lpm_node *n = longest_match(map, key);
	bpfrt_map_unlock(map);
	return n ? node_value(map, n) : NULL;
}

/* The end of a run that entered the read side: arg is the count it is in. */
static void leave_read_side(void *runs)
{
	__atomic_sub_fetch((uint64_t *)runs, 1, __ATOMIC_RELEASE);
	read_sides--;
}

/* A program's lookup: the node is not reused before the run ends. */
static void *lpm_lookup_run(struct bpfrt_map *map, const void *key, struct bpfrt_run *run)
{
	trie_lock(map);
	uint64_t *runs = &reader_slot(map)->runs[head_of(map)->gen & 1];
	/* Entered already in this generation: nothing to count.  No room
	 * left to be uncounted at exit: a miss, never an unguarded pointer. */
	int entered = bpfrt_run_on_exit(run, leave_read_side, runs);
	if (entered == 0) {
		__atomic_add_fetch(runs, 1, __ATOMIC_RELAXED);
		read_sides++;
	}
	struct lpm_node *n = entered >= 0 ? longest_match(map, key) : NULL;
	bpfrt_map_unlock(map);
	return n ? node_value(map, n) : NULL;
}

static int lpm_lookup_copy(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
	(void)flags;
	trie_lock(map);
	struct lpm_node *n = longest_match(map, key);
	if (n)
		memcpy(value, node_value(map, n), map->value_size);
	bpfrt_map_unlock(map);
	return n ? 0 : -ENOENT;
}

/* Room for one more entry, as the kernel decides it: BPF_EXIST on a prefix
 * that isn't there is -ENOENT, a full trie -ENOSPC. */
static int may_add_entry(struct bpfrt_map *map, uint64_t flags)
{
	struct lpm_head *h = head_of(map);
	if (flags == BPF_EXIST)
		return -ENOENT;
	if (h->n_entries >= map->max_entries)
		return -ENOSPC;
	return 0;
}

static struct lpm_node *new_entry(struct bpfrt_map *map, const struct lpm_key *key, const void *value)
{
	struct lpm_node *n = node_alloc(map);
	if (!n)
		return NULL;
	n->prefixlen = key->prefixlen;
	memcpy(n->data, key->data, data_size(map));
	memcpy(node_value(map, n), value, map->value_size);
	return n;
}

static int lpm_update_locked(struct bpfrt_map *map, const struct lpm_key *key, const void *value,
			     uint64_t flags)
{
	struct lpm_head *h = head_of(map);
	uint64_t *slot = &h->root;
	struct lpm_node *node;
	uint32_t m = 0;
	/* Descend while the node is a proper prefix of the key. */
	while ((node = node_at(map, *slot))) {
		m = match_len(map, node, key);
		if (m != node->prefixlen || node->prefixlen == key->prefixlen)
			break;
		slot = &node->child[bit_at(key->data, node->prefixlen)];
	}
	int err;
	if (!node) {
		/* An empty place: the entry becomes a leaf there. */
		if ((err = may_add_entry(map, flags)))
			return err;
		struct lpm_node *n = new_entry(map, key, value);
		if (!n)
			return -ENOMEM;
		publish(slot, link_of(map, n));
		h->n_entries++;
		return 0;
	}
	if (node->prefixlen == m) {
		/* The same prefix: replace the node (an entry's value, or an
		 * intermediate node now becoming an entry), keeping its subtrees. */
		bool was_im = node->flags & NODE_IM;
		if (!was_im && flags == BPF_NOEXIST)
			return -EEXIST;
		if (was_im && (err = may_add_entry(map, flags)))
			return err;
		struct lpm_node *n = new_entry(map, key, value);
		if (!n)
			return -ENOMEM;
		n->child[0] = node->child[0];
		n->child[1] = node->child[1];
		publish(slot, link_of(map, n));
		if (was_im)
			h->n_entries++;
		node_free(map, node);
		return 0;
	}
	if ((err = may_add_entry(map, flags)))
		return err;
	if (m == key->prefixlen) {
		/* The key is a prefix of the node: it goes above it. */
		struct lpm_node *n = new_entry(map, key, value);
		if (!n)
			return -ENOMEM;
		n->child[bit_at(node->data, m)] = link_of(map, node);
		publish(slot, link_of(map, n));
		h->n_entries++;
		return 0;
	}
	/* Key and node diverge after m bits: join them under an intermediate node. */
	struct lpm_node *n = new_entry(map, key, value);
	struct lpm_node *im = n ? node_alloc(map) : NULL;
	if (!im) {
		if (n)
			node_free(map, n);
		return -ENOMEM;
	}
	im->prefixlen = m;
	im->flags = NODE_IM;
	memcpy(im->data, node->data, data_size(map));
	unsigned b = bit_at(key->data, m);
	im->child[b] = link_of(map, n);
	im->child[!b] = link_of(map, node);
	publish(slot, link_of(map, im));
	h->n_entries++;
	return 0;
}

static int lpm_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags,
		      bool from_user)
{
	(void)from_user;
	const struct lpm_key *k = key;
	if (flags > BPF_EXIST || k->prefixlen > max_bits(map))
		return -EINVAL;
	trie_lock(map);
	/* An update takes at most two nodes (an entry and an intermediate). */
	int err = wait_for_nodes(map, 2);
	if (err) {
		bpfrt_map_unlock(map);
		return err;
	}
	begin_write(map);
	err = lpm_update_locked(map, k, value, flags);
	end_write(map);
	return err;
}

static int lpm_delete_locked(struct bpfrt_map *map, const struct lpm_key *key)
{
	struct lpm_head *h = head_of(map);
	uint64_t *slot = &h->root, *parent_slot = NULL;
	struct lpm_node *node, *parent = NULL;
	uint32_t m = 0;
	while ((node = node_at(map, *slot))) {
		m = match_len(map, node, key);
		if (m != node->prefixlen || node->prefixlen == key->prefixlen)
			break;
		parent = node;
		parent_slot = slot;
		slot = &node->child[bit_at(key->data, node->prefixlen)];
	}
	if (!node || node->prefixlen != key->prefixlen || m != node->prefixlen ||
	    (node->flags & NODE_IM))
		return -ENOENT;
	if (node->child[0] && node->child[1]) {
		/* Still needed to join its subtrees: it only stops being an entry. */
		__atomic_store_n(&node->flags, node->flags | NODE_IM, __ATOMIC_RELEASE);
		h->n_entries--;
		return 0;
	}
	if (parent && (parent->flags & NODE_IM) && !node->child[0] && !node->child[1]) {
		/* A leaf under an intermediate node: the sibling takes the
		 * parent's place, so intermediate nodes keep two children. */
		uint64_t sibling = parent->child[parent->child[0] == link_of(map, node)];
		publish(parent_slot, sibling);
		h->n_entries--;
		node_free(map, node);
		node_free(map, parent);
		return 0;
	}
	publish(slot, node->child[0] ? node->child[0] : node->child[1]);
	h->n_entries--;
	node_free(map, node);
	return 0;
}

static int lpm_delete(struct bpfrt_map *map, const void *key)
{
	const struct lpm_key *k = key;
	if (k->prefixlen > max_bits(map))
		return -EINVAL;
	trie_lock(map);
	begin_write(map);
	int err = lpm_delete_locked(map, k);
	end_write(map);
	return err;
}

/* The first entry of a subtree in post-order: its leftmost-deepest leaf
 * (leaves are always entries). */
static struct lpm_node *first_in_postorder(struct bpfrt_map *map, struct lpm_node *n)
{
	for (;;) {
		struct lpm_node *next = node_at(map, n->child[0]);
		if (!next)
			next = node_at(map, n->child[1]);
		if (!next)
			return n;
		n = next;
	}
}

/* The kernel walks the trie in post-order, children (0 then 1) before their
 * parent, so more specific prefixes come before the ones that cover them;
 * a key not in the trie restarts from the first entry. */
static struct lpm_node *next_in_postorder(struct bpfrt_map *map, const struct lpm_key *key,
					  uint64_t *path)
{
	struct lpm_node *root = node_at(map, head_of(map)->root);
	if (!key || key->prefixlen > max_bits(map))
		return first_in_postorder(map, root);
	uint32_t depth = 0, m = 0;
	struct lpm_node *node = root;
	while (node) {
		path[depth++] = link_of(map, node);
		m = match_len(map, node, key);
		if (m != node->prefixlen || node->prefixlen == key->prefixlen)
			break;
		node = node_at(map, node->child[bit_at(key->data, node->prefixlen)]);
	}
	if (!node || node->prefixlen != m || (node->flags & NODE_IM))
		return first_in_postorder(map, root);
	/* Climb: a left child's successor is the first of its right sibling's
	 * subtree; otherwise it is the parent, unless the parent is only an
	 * intermediate node, which is skipped. */
	uint64_t cur = path[--depth];
	while (depth) {
		struct lpm_node *parent = node_at(map, path[--depth]);
		if (parent->child[0] == cur && parent->child[1])
			return first_in_postorder(map, node_at(map, parent->child[1]));
		if (!(parent->flags & NODE_IM))
			return parent;
		cur = path[depth];
	}
	return NULL;
}

static int lpm_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
	uint64_t *path = malloc(sizeof(uint64_t) * (max_bits(map) + 1));
	if (!path)
		return -ENOMEM;
	trie_lock(map);
	struct lpm_node *next = NULL;
	if (head_of(map)->root)
		next = next_in_postorder(map, key, path);
	if (next) {
		struct lpm_key *out = next_key;
		out->prefixlen = next->prefixlen;
		memcpy(out->data, next->data, data_size(map));
	}
	bpfrt_map_unlock(map);
	free(path);
	return next ? 0 : -ENOENT;
}

const struct bpfrt_map_ops bpfrt_lpm_trie_map_ops = {
	.check = lpm_check,
	.data_size = lpm_data_size,
	.init = lpm_init,
	.lookup = lpm_lookup,
	.lookup_run = lpm_lookup_run,
	.lookup_copy = lpm_lookup_copy,
	.update = lpm_update,
	.delete = lpm_delete,
	.get_next_key = lpm_get_next_key,
};
