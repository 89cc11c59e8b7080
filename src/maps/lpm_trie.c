/* lpm_trie.c — BPF_MAP_TYPE_LPM_TRIE: longest-prefix match on
 * struct bpf_lpm_trie_key (u32 prefixlen, then data_size bytes, MSB first).
 *
 * A path-compressed binary trie in the map's shared region.  Nodes come from
 * a preallocated pool of 2 * max_entries (entries plus "intermediate" nodes
 * that only join two subtrees and never hold a value; each has exactly two
 * children, so there are fewer of them than entries).  Links are pool indexes
 * + 1, never pointers.  Every change is prepared off to the side and made
 * visible with one store into a link (or a node's flags); every operation runs
 * under the map lock.  A writer that dies mid-operation leaves `busy` set; the
 * next locker rebuilds the free list and the entry count from the trie.
 */
#include "maps/map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* Freed nodes are reused only once this many wait, so a program still reading
 * a value it looked up before a delete is unlikely to see it change at once
 * (the kernel defers reuse with RCU). */
#define REUSE_DELAY 64

struct lpm_node {
	uint64_t child[2]; /* links: index + 1, 0 = none; child[0] doubles as the free-list link */
	uint32_t prefixlen;
	uint32_t flags;
	uint8_t data[]; /* data_size bytes, then the value at round_up8(data_size) */
};

struct lpm_head {
	uint64_t root;       /* link */
	uint64_t nr_nodes;   /* pool size: 2 * max_entries */
	uint64_t fresh;      /* nodes [0, fresh) have been handed out at least once */
	uint64_t free_first; /* FIFO of freed nodes (links), oldest first */
	uint64_t free_last;
	uint64_t free_count;
	uint32_t n_entries; /* non-intermediate nodes */
	uint32_t busy;      /* set while a writer changes the trie */
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

static struct lpm_node *node_alloc(struct bpfrt_map *map)
{
	struct lpm_head *h = head_of(map);
	uint64_t link;
	if (h->fresh < h->nr_nodes && h->free_count < REUSE_DELAY) {
		link = ++h->fresh;
	} else if (h->free_count) {
		link = h->free_first;
		h->free_first = node_at(map, link)->child[0];
		if (!h->free_first)
			h->free_last = 0;
		h->free_count--;
	} else if (h->fresh < h->nr_nodes) {
		link = ++h->fresh;
	} else {
		return NULL; /* cannot happen: 2 * max_entries always suffices */
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
	return HEAD_SIZE + 2 * (uint64_t)attr->max_entries * node_stride(attr->key_size, attr->value_size);
}

static int lpm_init(struct bpfrt_map *map)
{
	head_of(map)->nr_nodes = 2 * (uint64_t)map->max_entries;
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

static void *lpm_lookup(struct bpfrt_map *map, const void *key)
{
	trie_lock(map);
	struct lpm_node *n = longest_match(map, key);
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
	begin_write(map);
	int err = lpm_update_locked(map, k, value, flags);
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
	.lookup_copy = lpm_lookup_copy,
	.update = lpm_update,
	.delete = lpm_delete,
	.get_next_key = lpm_get_next_key,
};
