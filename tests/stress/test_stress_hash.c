/* test_stress_hash.c — BPF_MAP_TYPE_HASH under concurrent use: two threads
 * update/delete/look up through bpfrt_bpf() while two run a program
 * (BPF_PROG_TEST_RUN) that atomically increments counters it looks up and
 * updates/deletes keys of its own.  Kernel semantics checked: an element
 * nobody deletes is always found; a key with one writer holds its last
 * value; atomic adds on a value are never lost; a map never holds more than
 * max_entries; a quiescent get_next_key walk visits each key once.
 * Runs in a big map and in a tiny one (long bucket chains, constant E2BIG). */
#include "stress.h"

#define MAX_OWN 64
#define REPEAT 8

struct config {
	const char *name;
	uint32_t max_entries, counters, own;
};

struct val {
	uint64_t a, b;
};

/* Values carry their key and a checksum: a = key << 40 | seq, b = mix(a). */
static struct val make_val(uint32_t key, uint64_t seq)
{
	struct val v = {((uint64_t)key << 40) | (seq & ((1ull << 40) - 1)), 0};
	v.b = mix(v.a);
	return v;
}

static int val_ok(uint32_t key, const struct val *v)
{
	return (v->a >> 40) == key && v->b == mix(v->a);
}

static const struct config *cfg;
static int map_fd, miss_fd, prog_fd;
static uint64_t increments; /* counted by the program threads */

#define COUNTER_B 0xc0c0c0c0c0c0c0c0ull
#define APP_BASE 1000u
#define PROG_BASE 2000u

static int key_valid(uint32_t k)
{
	return k < cfg->counters || (k >= APP_BASE && k < APP_BASE + 2 * cfg->own) ||
	       (k >= PROG_BASE && k < PROG_BASE + 2 * cfg->own);
}

/* What one thread knows about the keys only it writes. */
struct worker {
	int id;
	uint32_t base;
	int present[MAX_OWN];
	struct val val[MAX_OWN];
};

static struct worker workers[4];

/* Check one owned key against the model: present with its last value, or absent. */
static void check_own(const struct worker *w, uint32_t i, const char *when)
{
	uint32_t k = w->base + i;
	struct val got;
	int err = map_lookup(map_fd, &k, &got);
	if (w->present[i])
		EXPECT(err == 0 && got.a == w->val[i].a && got.b == w->val[i].b,
		       "%s %s: key %u: err %d a %llx want %llx (lost update)", cfg->name, when, k, err,
		       (unsigned long long)got.a, (unsigned long long)w->val[i].a);
	else
		EXPECT(err == -ENOENT, "%s %s: key %u deleted but lookup gives %d", cfg->name, when, k, err);
}

/* A walk under concurrent changes: every key returned is one the test uses. */
static void walk_running(void)
{
	uint32_t k, next;
	int err = map_next_key(map_fd, NULL, &next);
	for (uint32_t steps = 0; err == 0 && steps < 10 * cfg->max_entries + 100; steps++) {
		EXPECT(key_valid(next), "%s walk: key %u never inserted", cfg->name, next);
		k = next;
		err = map_next_key(map_fd, &k, &next);
	}
	EXPECT(err == 0 || err == -ENOENT, "%s walk: %d", cfg->name, err);
}

static void *app_thread(void *arg)
{
	struct worker *w = arg;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (uint64_t)(w->id + 1), seq = 0;
	uint64_t last_count[64] = {0};
	for (uint64_t iter = 0; stress_running(); iter++) {
		uint64_t r = rnd(&seed);
		uint32_t i = (uint32_t)(r % cfg->own), k = w->base + i;
		switch ((r >> 20) % 4) {
		case 0:
		case 1: {
			struct val v = make_val(k, ++seq);
			int err = map_update(map_fd, &k, &v, BPF_ANY);
			if (err == 0) {
				w->present[i] = 1, w->val[i] = v;
			} else {
				/* Full: only a new key may be refused. */
				EXPECT(err == -E2BIG && !w->present[i], "%s update key %u (present %d): %d",
				       cfg->name, k, w->present[i], err);
			}
			break;
		}
		case 2: {
			int err = map_delete(map_fd, &k);
			EXPECT(err == (w->present[i] ? 0 : -ENOENT), "%s delete key %u (present %d): %d",
			       cfg->name, k, w->present[i], err);
			w->present[i] = 0;
			break;
		}
		default:
			check_own(w, i, "app");
		}
		/* A counter is never deleted: a lookup must always find it, and
		 * its count only grows. */
		uint32_t c = (uint32_t)((r >> 32) % cfg->counters);
		struct val cv;
		int err = map_lookup(map_fd, &c, &cv);
		EXPECT(err == 0 && cv.b == COUNTER_B && cv.a >= last_count[c],
		       "%s counter %u: err %d count %llu (saw %llu) b %llx", cfg->name, c, err,
		       (unsigned long long)cv.a, (unsigned long long)last_count[c], (unsigned long long)cv.b);
		if (err == 0)
			last_count[c] = cv.a;
		/* Someone else's key: absent or a whole value. */
		uint32_t o = (r >> 40) & 1 ? PROG_BASE : APP_BASE;
		o += (uint32_t)((r >> 41) % (2 * cfg->own));
		struct val ov;
		err = map_lookup(map_fd, &o, &ov);
		EXPECT(err == -ENOENT || (err == 0 && val_ok(o, &ov)), "%s key %u: err %d torn value %llx %llx",
		       cfg->name, o, err, (unsigned long long)ov.a, (unsigned long long)ov.b);
		if (iter % 512 == 511)
			walk_running();
	}
	return NULL;
}

struct pkt {
	uint32_t counter, key, op, pad;
	struct val v;
	uint8_t rest[32];
};

static void *prog_thread(void *arg)
{
	struct worker *w = arg;
	uint64_t seed = 0xd1b54a32d192ed03ull * (uint64_t)(w->id + 1), seq = 0, done = 0;
	while (stress_running()) {
		uint64_t r = rnd(&seed);
		uint32_t i = (uint32_t)(r % cfg->own);
		struct pkt p;
		memset(&p, 0, sizeof(p));
		p.counter = (uint32_t)((r >> 32) % cfg->counters);
		p.key = w->base + i;
		p.op = (r >> 20) % 10 < 7 ? 0 : 1;
		p.v = make_val(p.key, ++seq);
		uint32_t retval = 0;
		int err = prog_run(prog_fd, &p, sizeof(p), REPEAT, &retval);
		EXPECT(err == 0, "%s test run: %d", cfg->name, err);
		if (err)
			continue;
		done += REPEAT;
		if (p.op == 0) {
			/* The last of REPEAT updates: 0, or E2BIG if none could add the key. */
			if (retval == 0) {
				w->present[i] = 1, w->val[i] = p.v;
			} else {
				EXPECT(retval == (uint32_t)-E2BIG && !w->present[i],
				       "%s prog update key %u (present %d): %d", cfg->name, p.key, w->present[i],
				       (int)retval);
			}
		} else {
			EXPECT(retval == (uint32_t)-ENOENT, "%s prog delete, last of %d: %d", cfg->name, REPEAT,
			       (int)retval);
			w->present[i] = 0;
		}
		check_own(w, i, "prog");
	}
	__atomic_add_fetch(&increments, done, __ATOMIC_RELAXED);
	return NULL;
}

static void run_config(const struct config *c)
{
	cfg = c;
	increments = 0;
	map_fd = map_create(BPF_MAP_TYPE_HASH, 4, sizeof(struct val), c->max_entries, 0);
	miss_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
	EXPECT(map_fd >= 0 && miss_fd >= 0, "map create %d %d", map_fd, miss_fd);
	for (uint32_t k = 0; k < c->counters; k++) {
		struct val v = {0, COUNTER_B};
		EXPECT(map_update(map_fd, &k, &v, BPF_NOEXIST) == 0, "counter %u", k);
	}
	/* Packet: counter key, own key, op (0 update, 1 delete), value.  Count
	 * the counter's lookup miss in miss_fd; return the update's or
	 * delete's result. */
	const struct bpf_insn prog[] = {
		MOV64_REG(6, 1), LDX_W(2, 6, 0), LDX_W(3, 6, 4), MOV64_REG(4, 2), ADD64_IMM(4, 32),
		JGT_REG(4, 3, 35), /* short packet */
		MOV64_REG(7, 2),
		LD_MAP(1, map_fd), MOV64_REG(2, 7), CALL(BPF_FUNC_map_lookup_elem),
		JEQ_IMM(0, 0, 3),
		MOV64_IMM(1, 1), ATOMIC_ADD64(0, 1, 0), JA(9),
		ST_W(10, -4, 0), LD_MAP(1, miss_fd), MOV64_REG(2, 10), ADD64_IMM(2, -4),
		CALL(BPF_FUNC_map_lookup_elem), JEQ_IMM(0, 0, 2), MOV64_IMM(1, 1), ATOMIC_ADD64(0, 1, 0),
		LDX_W(8, 7, 8), JNE_IMM(8, 0, 9),
		LD_MAP(1, map_fd), MOV64_REG(2, 7), ADD64_IMM(2, 4), MOV64_REG(3, 7), ADD64_IMM(3, 16),
		MOV64_IMM(4, BPF_ANY), CALL(BPF_FUNC_map_update_elem), EXIT,
		LD_MAP(1, map_fd), MOV64_REG(2, 7), ADD64_IMM(2, 4), CALL(BPF_FUNC_map_delete_elem), EXIT,
		MOV64_IMM(0, 1000), EXIT,
	};
	prog_fd = prog_load_xdp(prog, N_INSNS(prog));
	EXPECT(prog_fd >= 0, "prog load");
	if (map_fd < 0 || miss_fd < 0 || prog_fd < 0)
		return;

	memset(workers, 0, sizeof(workers));
	for (int t = 0; t < 4; t++) {
		workers[t].id = t;
		workers[t].base = (t < 2 ? APP_BASE : PROG_BASE) + (uint32_t)(t % 2) * c->own;
	}
	pthread_t th[4];
	stress_start();
	for (int t = 0; t < 4; t++)
		pthread_create(&th[t], NULL, t < 2 ? app_thread : prog_thread, &workers[t]);
	for (int t = 0; t < 4; t++)
		pthread_join(th[t], NULL);

	/* Quiescent: the counters add up, nothing was missed, every owned key
	 * holds its last value, the walk visits each element once. */
	uint64_t sum = 0, misses = 0;
	uint32_t zero = 0;
	EXPECT(map_lookup(miss_fd, &zero, &misses) == 0 && misses == 0,
	       "%s: %llu program lookups missed a counter that was never deleted", c->name,
	       (unsigned long long)misses);
	for (uint32_t k = 0; k < c->counters; k++) {
		struct val v;
		EXPECT(map_lookup(map_fd, &k, &v) == 0 && v.b == COUNTER_B, "%s final counter %u", c->name, k);
		sum += v.a;
	}
	EXPECT(sum + misses == increments, "%s: counters sum to %llu, %llu increments done (%llu lost)",
	       c->name, (unsigned long long)sum, (unsigned long long)increments,
	       (unsigned long long)(increments - sum));
	uint32_t expected = c->counters;
	for (int t = 0; t < 4; t++)
		for (uint32_t i = 0; i < c->own; i++) {
			check_own(&workers[t], i, "final");
			expected += (uint32_t)workers[t].present[i];
		}
	static uint8_t seen[4096];
	memset(seen, 0, sizeof(seen));
	uint32_t k, next, n = 0;
	int err = map_next_key(map_fd, NULL, &next);
	while (err == 0 && n <= c->max_entries + 1) {
		EXPECT(key_valid(next) && next < sizeof(seen) && !seen[next], "%s final walk: key %u %s", c->name,
		       next, key_valid(next) ? "twice" : "unknown");
		if (next < sizeof(seen))
			seen[next] = 1;
		n++;
		k = next;
		err = map_next_key(map_fd, &k, &next);
	}
	EXPECT(err == -ENOENT, "%s final walk ends with %d", c->name, err);
	EXPECT(n == expected && n <= c->max_entries, "%s final walk: %u elements, %u expected, max %u", c->name,
	       n, expected, c->max_entries);
	printf("%s: %llu program increments, %u elements\n", c->name, (unsigned long long)increments, n);
	bpfrt_close(rt, prog_fd);
	bpfrt_close(rt, miss_fd);
	bpfrt_close(rt, map_fd);
}

/* ---- one bucket, slots reused under a reader ----
 *
 * Keys that share a bucket (found by walk order in a ZERO_SEED map) in
 * the chain a -> b -> Z -> K.  A writer deletes b, replaces K (the new K
 * takes b's freed slot, after Z), puts b back at the head, and so on.  A
 * reader that read a->next == b just before b was freed and reused lands
 * on the new K and must not skip Z: Z and K are never deleted, so every
 * lookup of either has to find it. */

static int chain_fd;
static uint32_t chain_keys[4]; /* Z, K, then the two that churn */

static void *chain_writer(void *arg)
{
	(void)arg;
	uint32_t order[2] = {chain_keys[3], chain_keys[2]}; /* head first */
	uint64_t seq = 0;
	while (stress_running()) {
		uint32_t b = order[1];
		EXPECT(map_delete(chain_fd, &b) == 0, "chain: delete %u", b);
		struct val v = make_val(chain_keys[1], ++seq);
		EXPECT(map_update(chain_fd, &chain_keys[1], &v, BPF_EXIST) == 0, "chain: replace K");
		v = make_val(b, seq);
		EXPECT(map_update(chain_fd, &b, &v, BPF_NOEXIST) == 0, "chain: insert %u", b);
		order[1] = order[0], order[0] = b;
	}
	return NULL;
}

static uint64_t chain_lookups;

static void *chain_reader(void *arg)
{
	(void)arg;
	uint64_t n = 0;
	while (stress_running()) {
		for (int i = 0; i < 2; i++) {
			struct val v;
			int err = map_lookup(chain_fd, &chain_keys[i], &v);
			EXPECT(err == 0 && val_ok(chain_keys[i], &v), "chain: lookup of %s (never deleted): %d",
			       i ? "K" : "Z", err);
		}
		n++;
	}
	__atomic_add_fetch(&chain_lookups, n, __ATOMIC_RELAXED);
	return NULL;
}

/* Do keys a and b share a bucket?  In one bucket the walk lists the last
 * inserted first; across buckets the order doesn't depend on insertion. */
static int same_bucket(int fd, uint32_t a, uint32_t b)
{
	struct val v = {0, 0};
	uint32_t first[2];
	for (int pass = 0; pass < 2; pass++) {
		uint32_t x = pass ? b : a, y = pass ? a : b;
		map_update(fd, &x, &v, BPF_ANY);
		map_update(fd, &y, &v, BPF_ANY);
		map_next_key(fd, NULL, &first[pass]);
		map_delete(fd, &x);
		map_delete(fd, &y);
	}
	return first[0] != first[1];
}

static void run_chain(void)
{
	cfg = &(struct config){"hash-chain", 4, 1, 1};
	chain_fd = map_create(BPF_MAP_TYPE_HASH, 4, sizeof(struct val), 4, BPF_F_ZERO_SEED);
	EXPECT(chain_fd >= 0, "chain map %d", chain_fd);
	if (chain_fd < 0)
		return;
	uint32_t n = 1;
	chain_keys[0] = 7;
	for (uint32_t c = 8; n < 4 && c < 100000; c++)
		if (same_bucket(chain_fd, chain_keys[0], c))
			chain_keys[n++] = c;
	EXPECT(n == 4, "chain: no four keys in one bucket");
	/* Inserted K, Z, then the churning two: chain c3 -> c2 -> Z -> K. */
	const uint32_t ins[4] = {chain_keys[1], chain_keys[0], chain_keys[2], chain_keys[3]};
	for (int i = 0; i < 4; i++) {
		struct val v = make_val(ins[i], 0);
		EXPECT(map_update(chain_fd, &ins[i], &v, BPF_NOEXIST) == 0, "chain insert %u", ins[i]);
	}
	chain_lookups = 0;
	pthread_t th[3];
	stress_start();
	pthread_create(&th[0], NULL, chain_writer, NULL);
	pthread_create(&th[1], NULL, chain_reader, NULL);
	pthread_create(&th[2], NULL, chain_reader, NULL);
	for (int t = 0; t < 3; t++)
		pthread_join(th[t], NULL);
	printf("hash-chain: %llu lookup pairs\n", (unsigned long long)chain_lookups);
	bpfrt_close(rt, chain_fd);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	if (!rt) {
		perror("bpfrt_new");
		return 1;
	}
	static const struct config configs[] = {
		{"hash-200", 200, 16, 64},
		{"hash-8", 8, 3, 4},
	};
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
		run_config(&configs[i]);
	run_chain();
	bpfrt_free(rt);
	return stress_done("stress_hash");
}
