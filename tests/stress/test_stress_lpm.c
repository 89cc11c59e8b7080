/* test_stress_lpm.c — BPF_MAP_TYPE_LPM_TRIE (IPv4 keys) with two threads
 * inserting, replacing and deleting prefixes (each its own half of a fixed
 * set) while one looks up through bpfrt_bpf() and one through a program
 * (BPF_PROG_TEST_RUN).  A static set, 0.0.0.0/0 included, is never deleted,
 * so every lookup must hit, with a prefix that covers the address and is at
 * least as long as the longest static one covering it; a writer's own
 * prefix, just written, is never beaten by a shorter one.  At rest, lookups
 * equal a brute-force longest match and a walk lists each prefix once. */
#include "stress.h"

#define NPREFIX 192
#define NSTATIC 32

struct lpm_key4 {
	uint32_t prefixlen;
	uint8_t data[4];
};

static uint32_t plen[NPREFIX], pnet[NPREFIX]; /* pnet: host order, masked */
static int map_fd, prog_fd;

struct writer {
	int id;
	int present[NPREFIX];
	uint32_t version[NPREFIX];
};

static struct writer writers[2];

static uint32_t mask_of(uint32_t len)
{
	return len ? ~0u << (32 - len) : 0;
}

static int covers(int i, uint32_t addr)
{
	return (addr & mask_of(plen[i])) == pnet[i];
}

static struct lpm_key4 key_of(uint32_t len, uint32_t addr)
{
	struct lpm_key4 k = {len, {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr}};
	return k;
}

/* Prefixes in a few clusters, so the trie is deep and has intermediate nodes. */
static void make_prefixes(void)
{
	uint64_t s = 12345;
	static const uint32_t bases[] = {0x0a000000, 0xac100000, 0xc0a80000, 0x0a0a0000};
	plen[0] = 0, pnet[0] = 0;
	for (int i = 1; i < NPREFIX;) {
		uint64_t r = rnd(&s);
		uint32_t len = 8 + (uint32_t)(r % 25);
		uint32_t addr = bases[(r >> 8) % 4] | (uint32_t)((r >> 16) & 0x0003ffff);
		uint32_t net = addr & mask_of(len);
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= plen[j] == len && pnet[j] == net;
		if (!dup)
			plen[i] = len, pnet[i++] = net;
	}
}

/* An address near a random prefix (or anywhere). */
static uint32_t some_addr(uint64_t *s)
{
	uint64_t r = rnd(s);
	int i = (int)(r % NPREFIX);
	if ((r >> 20) % 8 == 0)
		return (uint32_t)(r >> 32);
	return pnet[i] | ((uint32_t)(r >> 32) & ~mask_of(plen[i]));
}

static int best_static(uint32_t addr)
{
	int best = -1;
	for (int i = 0; i < NSTATIC; i++)
		if (covers(i, addr) && (best < 0 || plen[i] > plen[best]))
			best = i;
	return best;
}

/* A hit's value names the prefix (low 16 bits); check it covers addr and
 * is no shorter than min_len. */
static void check_hit(uint32_t addr, uint32_t value, uint32_t min_len, const char *who)
{
	uint32_t id = value & 0xffff;
	EXPECT(id < NPREFIX && covers((int)id, addr) && plen[id] >= min_len,
	       "%s: %08x matched prefix %u (/%u), needs a covering prefix of /%u or longer", who, addr, id,
	       id < NPREFIX ? plen[id] : 0, min_len);
}

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	uint64_t s = 0x5851f42d4c957f2dull * (uint64_t)(w->id + 1);
	while (stress_running()) {
		uint64_t r = rnd(&s);
		int i = NSTATIC + (int)((r % ((NPREFIX - NSTATIC) / 2)) * 2) + w->id;
		struct lpm_key4 k = key_of(plen[i], pnet[i]);
		switch ((r >> 24) % 4) {
		case 0:
		case 1: {
			uint32_t v = (uint32_t)i | (++w->version[i] & 0xffff) << 16;
			int err = map_update(map_fd, &k, &v, w->present[i] ? BPF_EXIST : BPF_NOEXIST);
			EXPECT(err == 0, "lpm %s of /%u: %d", w->present[i] ? "replace" : "insert", plen[i], err);
			if (w->present[i] && (r >> 30) % 4 == 0)
				EXPECT(map_update(map_fd, &k, &v, BPF_NOEXIST) == -EEXIST, "lpm NOEXIST on present");
			w->present[i] = 1;
			break;
		}
		case 2: {
			int err = map_delete(map_fd, &k);
			EXPECT(err == (w->present[i] ? 0 : -ENOENT), "lpm delete /%u (present %d): %d", plen[i],
			       w->present[i], err);
			w->present[i] = 0;
			break;
		}
		default:
			break;
		}
		/* An address inside prefix i: if i is there (only we change it),
		 * the match is i or longer. */
		uint32_t addr = pnet[i] | ((uint32_t)(r >> 32) & ~mask_of(plen[i]));
		struct lpm_key4 a = key_of(32, addr);
		uint32_t v = 0;
		int err = map_lookup(map_fd, &a, &v);
		int b = best_static(addr);
		EXPECT(err == 0, "lpm writer lookup %08x: %d", addr, err);
		if (err == 0) {
			uint32_t min = plen[b];
			if (w->present[i] && plen[i] > min)
				min = plen[i];
			check_hit(addr, v, min, "writer");
			if ((v & 0xffff) == (uint32_t)i)
				EXPECT(w->present[i] && v >> 16 == (w->version[i] & 0xffff),
				       "lpm prefix %d (present %d): version %u, last written %u", i, w->present[i],
				       v >> 16, w->version[i] & 0xffff);
		}
	}
	return NULL;
}

static void *syscall_reader(void *arg)
{
	(void)arg;
	uint64_t s = 4242;
	while (stress_running()) {
		uint32_t addr = some_addr(&s), v = 0;
		struct lpm_key4 a = key_of(32, addr);
		int err = map_lookup(map_fd, &a, &v);
		EXPECT(err == 0, "lpm lookup %08x: %d (0.0.0.0/0 is always there)", addr, err);
		if (err == 0)
			check_hit(addr, v, plen[best_static(addr)], "syscall reader");
	}
	return NULL;
}

/* A program's value pointer from bpf_map_lookup_elem stays valid until its
 * run ends, even if the node is deleted meanwhile (the kernel's RCU grace
 * period; lpm_trie.c's generations): the value it loads is always the one
 * of a prefix covering the address, never of a node reused for another. */
static void *prog_reader(void *arg)
{
	(void)arg;
	uint64_t s = 2424;
	while (stress_running()) {
		uint32_t addr = some_addr(&s), retval = 0;
		struct {
			struct lpm_key4 k;
			uint8_t pad[56];
		} pkt;
		memset(&pkt, 0, sizeof(pkt));
		pkt.k = key_of(32, addr);
		int err = prog_run(prog_fd, &pkt, sizeof(pkt), 1, &retval);
		EXPECT(err == 0 && retval != 0xffffffffu, "lpm prog lookup %08x: %d, r0 %x", addr, err, retval);
		if (err == 0 && retval != 0xffffffffu)
			check_hit(addr, retval, plen[best_static(addr)], "program reader");
	}
	return NULL;
}

static int present_at_rest(int i)
{
	return i < NSTATIC || writers[(i - NSTATIC) % 2].present[i];
}

int main(void)
{
	rt = bpfrt_new(NULL);
	if (!rt) {
		perror("bpfrt_new");
		return 1;
	}
	make_prefixes();
	map_fd = map_create(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct lpm_key4), 4, NPREFIX, BPF_F_NO_PREALLOC);
	EXPECT(map_fd >= 0, "map create %d", map_fd);
	/* r0 = the value the packet's key matches, or 0xffffffff. */
	const struct bpf_insn prog[] = {
		MOV64_REG(6, 1), LDX_W(2, 6, 0), LDX_W(3, 6, 4), MOV64_REG(4, 2), ADD64_IMM(4, 8),
		JGT_REG(4, 3, 6),
		LD_MAP(1, map_fd), CALL(BPF_FUNC_map_lookup_elem), JEQ_IMM(0, 0, 2),
		LDX_W(0, 0, 0), EXIT,
		MOV64_IMM(0, -1), EXIT,
	};
	prog_fd = prog_load_xdp(prog, N_INSNS(prog));
	EXPECT(prog_fd >= 0, "prog load");
	if (map_fd < 0 || prog_fd < 0)
		return stress_done("stress_lpm");
	for (int i = 0; i < NSTATIC; i++) {
		struct lpm_key4 k = key_of(plen[i], pnet[i]);
		uint32_t v = (uint32_t)i;
		EXPECT(map_update(map_fd, &k, &v, BPF_NOEXIST) == 0, "static prefix %d", i);
	}

	pthread_t th[4];
	writers[0].id = 0, writers[1].id = 1;
	stress_start();
	pthread_create(&th[0], NULL, writer_thread, &writers[0]);
	pthread_create(&th[1], NULL, writer_thread, &writers[1]);
	pthread_create(&th[2], NULL, syscall_reader, NULL);
	pthread_create(&th[3], NULL, prog_reader, NULL);
	for (int t = 0; t < 4; t++)
		pthread_join(th[t], NULL);

	/* At rest: every lookup is the brute-force longest match. */
	uint64_t s = 99;
	int present = 0;
	for (int i = 0; i < NPREFIX; i++)
		present += present_at_rest(i);
	for (int n = 0; n < 20000; n++) {
		uint32_t addr = some_addr(&s), v = 0;
		int best = -1;
		for (int i = 0; i < NPREFIX; i++)
			if (present_at_rest(i) && covers(i, addr) && (best < 0 || plen[i] > plen[best]))
				best = i;
		struct lpm_key4 a = key_of(32, addr);
		int err = map_lookup(map_fd, &a, &v);
		EXPECT(err == 0 && (int)(v & 0xffff) == best, "lpm at rest: %08x matched %d (err %d), brute force %d (/%u)",
		       addr, err ? -1 : (int)(v & 0xffff), err, best, plen[best]);
	}
	/* The walk lists each present prefix once. */
	static uint8_t seen[NPREFIX];
	struct lpm_key4 k, next;
	int n = 0, err = map_next_key(map_fd, NULL, &next);
	while (err == 0 && n <= NPREFIX) {
		uint32_t net = (uint32_t)next.data[0] << 24 | (uint32_t)next.data[1] << 16 |
			       (uint32_t)next.data[2] << 8 | next.data[3];
		int id = -1;
		for (int i = 0; i < NPREFIX; i++)
			if (plen[i] == next.prefixlen && pnet[i] == net)
				id = i;
		EXPECT(id >= 0 && present_at_rest(id) && !seen[id], "lpm walk: %08x/%u %s", net, next.prefixlen,
		       id < 0 ? "unknown" : seen[id] ? "twice" : "deleted");
		if (id >= 0)
			seen[id] = 1;
		n++;
		k = next;
		err = map_next_key(map_fd, &k, &next);
	}
	EXPECT(err == -ENOENT && n == present, "lpm walk: %d prefixes, %d present, ends with %d", n, present, err);
	printf("lpm: %d prefixes at rest\n", present);
	bpfrt_close(rt, prog_fd);
	bpfrt_close(rt, map_fd);
	bpfrt_free(rt);
	return stress_done("stress_lpm");
}
