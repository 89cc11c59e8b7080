/* test_stress_lru.c — BPF_MAP_TYPE_LRU_HASH churned far beyond capacity by
 * two application writers and a program (BPF_PROG_TEST_RUN: lookups that set
 * reference bits, updates of checksummed values from the packet) while a
 * fourth thread reads and walks.  LRU promises no element survives, so the
 * checks are: every value read is whole (never half of two writers'), a key
 * with one writer, when present, holds its last value, walks only return
 * inserted keys, and at rest the map holds at most max_entries, each once. */
#include "stress.h"

#define MAX_ENTRIES 128
#define SHARED_KEYS 512 /* keys 0..511: every writer writes them */
#define OWN_KEYS 32     /* per application writer, from OWN_BASE */
#define OWN_BASE 10000u

struct val {
	uint32_t key, writer;
	uint64_t seq, sum, inv;
};

static struct val make_val(uint32_t key, uint32_t writer, uint64_t seq)
{
	struct val v = {key, writer, seq, 0, 0};
	v.sum = mix(((uint64_t)key << 32 | writer) ^ mix(seq));
	v.inv = ~v.sum;
	return v;
}

static int val_ok(uint32_t key, const struct val *v)
{
	struct val want = make_val(v->key, v->writer, v->seq);
	return v->key == key && v->writer < 4 && v->sum == want.sum && v->inv == want.inv;
}

static int key_valid(uint32_t k)
{
	return k < SHARED_KEYS || (k >= OWN_BASE && k < OWN_BASE + 2 * OWN_KEYS);
}

static int map_fd, prog_fd;

struct worker {
	int id;
	int present[OWN_KEYS]; /* 1: we wrote it and never deleted it */
	uint64_t seq[OWN_KEYS];
};

static struct worker workers[4];

static void check_read(uint32_t k, const char *who)
{
	struct val v;
	int err = map_lookup(map_fd, &k, &v);
	EXPECT(err == -ENOENT || (err == 0 && val_ok(k, &v)),
	       "%s: key %u: err %d torn value (key %u writer %u seq %llu)", who, k, err, v.key, v.writer,
	       (unsigned long long)v.seq);
}

static void *app_writer(void *arg)
{
	struct worker *w = arg;
	uint64_t s = 0x2545f4914f6cdd1dull * (uint64_t)(w->id + 1), seq = 0;
	while (stress_running()) {
		uint64_t r = rnd(&s);
		uint32_t k = (uint32_t)(r % SHARED_KEYS);
		struct val v = make_val(k, (uint32_t)w->id, ++seq);
		EXPECT(map_update(map_fd, &k, &v, BPF_ANY) == 0, "lru update %u", k);
		check_read((uint32_t)((r >> 32) % SHARED_KEYS), "app");
		/* A key only we write: evicted, or our last value. */
		uint32_t i = (uint32_t)((r >> 16) % OWN_KEYS), ok = OWN_BASE + (uint32_t)w->id * OWN_KEYS + i;
		if ((r >> 24) % 4 == 0) {
			int err = map_delete(map_fd, &ok);
			EXPECT(err == 0 || err == -ENOENT, "lru delete %u: %d", ok, err);
			EXPECT(!(err == 0 && !w->present[i]), "lru delete %u: found a key never written", ok);
			w->present[i] = 0;
		} else {
			v = make_val(ok, (uint32_t)w->id, ++seq);
			EXPECT(map_update(map_fd, &ok, &v, BPF_ANY) == 0, "lru update own %u", ok);
			w->present[i] = 1, w->seq[i] = seq;
		}
		struct val got;
		int err = map_lookup(map_fd, &ok, &got);
		if (err == 0)
			EXPECT(w->present[i] && val_ok(ok, &got) && got.seq == w->seq[i],
			       "lru own key %u: seq %llu, last written %llu (present %d)", ok,
			       (unsigned long long)got.seq, (unsigned long long)w->seq[i], w->present[i]);
		else
			EXPECT(err == -ENOENT, "lru own key %u: %d", ok, err);
	}
	return NULL;
}

struct pkt {
	uint32_t lookup_key, key;
	struct val v;
	uint8_t pad[24];
};

static void *prog_writer(void *arg)
{
	struct worker *w = arg;
	uint64_t s = 0x9e3779b97f4a7c15ull * (uint64_t)(w->id + 7), seq = 0;
	while (stress_running()) {
		uint64_t r = rnd(&s);
		struct pkt p;
		memset(&p, 0, sizeof(p));
		p.lookup_key = (uint32_t)((r >> 32) % SHARED_KEYS);
		p.key = (uint32_t)(r % SHARED_KEYS);
		p.v = make_val(p.key, (uint32_t)w->id, ++seq);
		uint32_t retval = 0;
		int err = prog_run(prog_fd, &p, sizeof(p), 4, &retval);
		EXPECT(err == 0 && retval == 0, "lru prog run: %d, update gave %d", err, (int)retval);
	}
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	uint64_t s = 77;
	while (stress_running()) {
		for (int i = 0; i < 64; i++)
			check_read((uint32_t)(rnd(&s) % SHARED_KEYS), "reader");
		/* A walk beside the writers: known keys, whole values. */
		uint32_t k, next;
		int err = map_next_key(map_fd, NULL, &next);
		for (int steps = 0; err == 0 && steps < 4 * MAX_ENTRIES; steps++) {
			EXPECT(key_valid(next), "lru walk: key %u never inserted", next);
			check_read(next, "walk");
			k = next;
			err = map_next_key(map_fd, &k, &next);
		}
		EXPECT(err == 0 || err == -ENOENT, "lru walk: %d", err);
	}
	return NULL;
}

int main(void)
{
	rt = bpfrt_new(NULL);
	if (!rt) {
		perror("bpfrt_new");
		return 1;
	}
	map_fd = map_create(BPF_MAP_TYPE_LRU_HASH, 4, sizeof(struct val), MAX_ENTRIES, 0);
	EXPECT(map_fd >= 0, "map create %d", map_fd);
	/* Packet: a key to look up (sets its reference bit), a key and a
	 * value to store; r0 = the update's result. */
	const struct bpf_insn prog[] = {
		MOV64_REG(6, 1), LDX_W(2, 6, 0), LDX_W(3, 6, 4), MOV64_REG(4, 2), ADD64_IMM(4, 40),
		JGT_REG(4, 3, 14), MOV64_REG(7, 2),
		LD_MAP(1, map_fd), MOV64_REG(2, 7), CALL(BPF_FUNC_map_lookup_elem),
		LD_MAP(1, map_fd), MOV64_REG(2, 7), ADD64_IMM(2, 4), MOV64_REG(3, 7), ADD64_IMM(3, 8),
		MOV64_IMM(4, BPF_ANY), CALL(BPF_FUNC_map_update_elem), EXIT,
		MOV64_IMM(0, 1000), EXIT,
	};
	prog_fd = prog_load_xdp(prog, N_INSNS(prog));
	EXPECT(prog_fd >= 0, "prog load");
	if (map_fd < 0 || prog_fd < 0)
		return stress_done("stress_lru");

	pthread_t th[4];
	for (int t = 0; t < 4; t++)
		workers[t].id = t;
	stress_start();
	pthread_create(&th[0], NULL, app_writer, &workers[0]);
	pthread_create(&th[1], NULL, app_writer, &workers[1]);
	pthread_create(&th[2], NULL, prog_writer, &workers[2]);
	pthread_create(&th[3], NULL, reader, &workers[3]);
	for (int t = 0; t < 4; t++)
		pthread_join(th[t], NULL);

	/* At rest: each key once, at most max_entries, whole values, owned
	 * keys with their last value. */
	static uint8_t seen[OWN_BASE + 2 * OWN_KEYS];
	uint32_t k, next, n = 0;
	int err = map_next_key(map_fd, NULL, &next);
	while (err == 0 && n <= MAX_ENTRIES + 1) {
		EXPECT(key_valid(next) && !seen[next], "lru final walk: key %u %s", next,
		       key_valid(next) ? "twice" : "unknown");
		if (key_valid(next))
			seen[next] = 1;
		struct val v;
		EXPECT(map_lookup(map_fd, &next, &v) == 0 && val_ok(next, &v), "lru final: key %u", next);
		if (next >= OWN_BASE) {
			const struct worker *w = &workers[(next - OWN_BASE) / OWN_KEYS];
			uint32_t i = (next - OWN_BASE) % OWN_KEYS;
			EXPECT(w->present[i] && v.seq == w->seq[i], "lru final own key %u: seq %llu want %llu", next,
			       (unsigned long long)v.seq, (unsigned long long)w->seq[i]);
		}
		n++;
		k = next;
		err = map_next_key(map_fd, &k, &next);
	}
	EXPECT(err == -ENOENT && n <= MAX_ENTRIES, "lru final walk: %u elements (max %u), ends with %d", n,
	       MAX_ENTRIES, err);
	/* Still usable: a full map takes a new key by evicting. */
	uint32_t fresh = 99;
	struct val v = make_val(fresh, 0, 1);
	EXPECT(map_update(map_fd, &fresh, &v, BPF_ANY) == 0, "lru update after the run");
	printf("lru: %u elements at rest\n", n);
	bpfrt_close(rt, prog_fd);
	bpfrt_close(rt, map_fd);
	bpfrt_free(rt);
	return stress_done("stress_lru");
}
