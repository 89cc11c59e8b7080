/* test_map_lpm.c — LPM_TRIE through bpfrt_bpf() and the program-side ops:
 * the kernel's errno values at create and per operation (checked against a
 * 6.18 kernel), longest-prefix match on IPv4- and IPv6-sized keys, deletion
 * of covering prefixes, the kernel's post-order get_next_key, a two-thread
 * stress run against per-thread models, recovery after SIGKILLed writers,
 * and grace periods: a node a run looked up is not reused before the run
 * ends, in this thread, another, or a process killed in mid-run. */
#include "bpfrt/bpfrt.h"
#include "check.h"
#include "core/object.h"
#include "maps/map.h"
#include "vm/vm.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct bpfrt *rt;

struct key4 {
	uint32_t prefixlen;
	uint8_t data[4];
};

struct key16 {
	uint32_t prefixlen;
	uint8_t data[16];
};

static int map_create(uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_LPM_TRIE, a.key_size = ks, a.value_size = vs, a.max_entries = n;
	a.map_flags = flags;
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

static int elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.value = (uintptr_t)value, a.flags = flags;
	return bpfrt_bpf(rt, cmd, &a, sizeof(a));
}

static int next_key(int fd, const void *key, void *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.next_key = (uintptr_t)next;
	return bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a));
}

static struct key4 k4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint32_t len)
{
	struct key4 k = {len, {a, b, c, d}};
	return k;
}

static int put4(int fd, struct key4 k, uint32_t v, uint64_t flags)
{
	return elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, flags);
}

/* The value of the longest match, or the negative errno. */
static int64_t get4(int fd, struct key4 k)
{
	uint32_t v = 0;
	int err = elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0);
	return err ? err : (int64_t)v;
}

static void test_create_errors(void)
{
	const uint32_t np = BPF_F_NO_PREALLOC;
	CHECK(map_create(8, 4, 10, 0) == -EINVAL, "prealloc is refused");
	CHECK(map_create(8, 4, 0, np) == -EINVAL, "max_entries 0");
	CHECK(map_create(4, 4, 10, np) == -EINVAL, "no data bytes");
	CHECK(map_create(261, 4, 10, np) == -EINVAL, "257 data bytes");
	CHECK(map_create(8, 0, 10, np) == -EINVAL, "value size 0");
	CHECK(map_create(8, (1u << 22) - 256 - 24 + 1, 10, np) == -EINVAL, "value too big");
	CHECK(map_create(8, 4, 10, np | BPF_F_MMAPABLE) == -EINVAL, "mmapable");
	CHECK(map_create(8, 4, 10, np | BPF_F_ZERO_SEED) == -EINVAL, "zero seed");
	CHECK(map_create(8, 4, 10, np | BPF_F_INNER_MAP) == -EINVAL, "inner map");
	CHECK(map_create(8, 4, 10, np | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG) == -EINVAL,
	      "rdonly_prog|wronly_prog");
	int ok[] = {map_create(5, 4, 10, np), map_create(260, 4, 10, np),
		    map_create(8, 1, 1, np | BPF_F_RDONLY | BPF_F_NUMA_NODE),
		    map_create(8, (1u << 22) - 256 - 24, 10, np)};
	for (int i = 0; i < 4; i++) {
		CHECK(ok[i] >= 0, "valid create %d: %d", i, ok[i]);
		bpfrt_close(rt, ok[i]);
	}
}

static void test_ipv4_match(void)
{
	int fd = map_create(8, 4, 16, BPF_F_NO_PREALLOC);
	CHECK(fd >= 0, "create");
	CHECK(get4(fd, k4(10, 1, 2, 3, 32)) == -ENOENT, "empty trie");
	CHECK(put4(fd, k4(10, 0, 0, 0, 8), 8, BPF_ANY) == 0, "/8");
	CHECK(put4(fd, k4(10, 1, 0, 0, 16), 16, BPF_NOEXIST) == 0, "/16");
	CHECK(put4(fd, k4(10, 1, 2, 0, 24), 24, BPF_ANY) == 0, "/24");
	CHECK(put4(fd, k4(10, 1, 2, 3, 32), 32, BPF_ANY) == 0, "/32");
	CHECK(get4(fd, k4(10, 1, 2, 3, 32)) == 32, "exact /32");
	CHECK(get4(fd, k4(10, 1, 2, 4, 32)) == 24, "covered by /24");
	CHECK(get4(fd, k4(10, 1, 3, 1, 32)) == 16, "covered by /16");
	CHECK(get4(fd, k4(10, 200, 0, 1, 32)) == 8, "covered by /8");
	CHECK(get4(fd, k4(11, 1, 2, 3, 32)) == -ENOENT, "not covered");
	CHECK(get4(fd, k4(10, 1, 2, 3, 20)) == 16, "a /20 key matches at most /20");
	CHECK(get4(fd, k4(10, 1, 2, 3, 0)) == -ENOENT, "a /0 key matches only /0");
	CHECK(get4(fd, k4(10, 1, 2, 3, 33)) == -ENOENT, "prefixlen past the data");

	/* Update flags, as the kernel. */
	CHECK(put4(fd, k4(10, 1, 0, 0, 16), 1, BPF_NOEXIST) == -EEXIST, "noexist on an entry");
	CHECK(put4(fd, k4(10, 1, 0, 0, 16), 161, BPF_EXIST) == 0, "exist on an entry");
	CHECK(get4(fd, k4(10, 1, 9, 9, 32)) == 161, "replaced value");
	CHECK(put4(fd, k4(10, 9, 0, 0, 16), 1, BPF_EXIST) == -ENOENT, "exist on a new prefix");
	CHECK(put4(fd, k4(10, 9, 0, 0, 16), 1, 3) == -EINVAL, "bad flags");
	CHECK(put4(fd, k4(10, 9, 0, 0, 33), 1, 0) == -EINVAL, "update prefixlen 33");
	CHECK(put4(fd, k4(10, 9, 0, 0, 16), 1, BPF_F_LOCK) == -EINVAL, "lock without spin lock");

	/* Two /24s under the /16 make an intermediate /23; it is no entry. */
	CHECK(put4(fd, k4(10, 1, 3, 0, 24), 243, 0) == 0, "sibling /24");
	struct key4 im = k4(10, 1, 2, 0, 23);
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &im, NULL, 0) == -ENOENT, "an intermediate isn't deletable");
	CHECK(get4(fd, k4(10, 1, 3, 200, 32)) == 243, "sibling match");

	/* Deleting covering prefixes leaves the more specific ones. */
	struct key4 d16 = k4(10, 1, 0, 0, 16), d8 = k4(10, 0, 0, 0, 8);
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &d16, NULL, 0) == 0, "delete /16");
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &d16, NULL, 0) == -ENOENT, "delete /16 twice");
	CHECK(get4(fd, k4(10, 1, 9, 9, 32)) == 8, "falls back to /8");
	CHECK(get4(fd, k4(10, 1, 2, 9, 32)) == 24, "/24 survives");
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &d8, NULL, 0) == 0, "delete /8");
	CHECK(get4(fd, k4(10, 1, 9, 9, 32)) == -ENOENT, "nothing covers");
	CHECK(get4(fd, k4(10, 1, 2, 3, 32)) == 32, "/32 survives");
	CHECK(put4(fd, d16, 16, BPF_NOEXIST) == 0, "re-add /16 above existing entries");
	CHECK(get4(fd, k4(10, 1, 9, 9, 32)) == 16, "re-added /16 matches");
	struct key4 bad = k4(0, 0, 0, 0, 33);
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &bad, NULL, 0) == -EINVAL, "delete prefixlen 33");
	uint32_t v;
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &d16, &v, BPF_F_LOCK) == -EINVAL, "lookup with lock");
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &d16, &v, 0) == -ENOTSUPP,
	      "lookup_and_delete");

	/* A /0 entry covers everything. */
	CHECK(put4(fd, k4(0, 0, 0, 0, 0), 100, 0) == 0, "/0");
	CHECK(get4(fd, k4(192, 168, 0, 1, 32)) == 100, "default route");
	bpfrt_close(rt, fd);
}

static void test_ipv6_match(void)
{
	int fd = map_create(sizeof(struct key16), 8, 64, BPF_F_NO_PREALLOC);
	CHECK(fd >= 0, "create ipv6");
	struct key16 net = {32, {0x20, 0x01, 0x0d, 0xb8}};
	struct key16 sub = {48, {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01}};
	struct key16 host = {128, {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [15] = 1}};
	struct key16 any = {0, {0}};
	uint64_t v = 32;
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &net, &v, 0) == 0, "/32");
	v = 48;
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &sub, &v, 0) == 0, "/48");
	v = 128;
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &host, &v, 0) == 0, "/128");
	v = 0;
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &any, &v, 0) == 0, "/0");
	struct key16 q = host;
	uint64_t out = 99;
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &q, &out, 0) == 0 && out == 128, "host: %llu",
	      (unsigned long long)out);
	q.data[15] = 2;
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &q, &out, 0) == 0 && out == 48, "/48");
	q.data[5] = 2;
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &q, &out, 0) == 0 && out == 32, "/32");
	q.data[3] = 0xb9;
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &q, &out, 0) == 0 && out == 0, "::/0");
	q.prefixlen = 129;
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &q, &out, 0) == -ENOENT, "prefixlen 129");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &q, &out, 0) == -EINVAL, "update prefixlen 129");
	bpfrt_close(rt, fd);
}

static void test_full(void)
{
	int fd = map_create(8, 4, 3, BPF_F_NO_PREALLOC);
	CHECK(put4(fd, k4(1, 0, 0, 0, 8), 1, 0) == 0, "1");
	CHECK(put4(fd, k4(2, 0, 0, 0, 8), 2, 0) == 0, "2");
	CHECK(put4(fd, k4(3, 0, 0, 0, 8), 3, 0) == 0, "3");
	CHECK(put4(fd, k4(4, 0, 0, 0, 8), 4, 0) == -ENOSPC, "full");
	CHECK(put4(fd, k4(4, 0, 0, 0, 8), 4, BPF_EXIST) == -ENOENT, "full, exist on a new prefix");
	CHECK(put4(fd, k4(2, 0, 0, 0, 8), 22, BPF_EXIST) == 0, "full, replace");
	CHECK(put4(fd, k4(2, 0, 0, 0, 8), 22, BPF_NOEXIST) == -EEXIST, "full, noexist");
	/* Replacing every entry many times must never exhaust the node pool. */
	for (int i = 0; i < 1000; i++)
		CHECK(put4(fd, k4((uint8_t)(1 + i % 3), 0, 0, 0, 8), (uint32_t)i, 0) == 0, "replace %d", i);
	struct key4 d = k4(1, 0, 0, 0, 8);
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &d, NULL, 0) == 0, "delete one");
	CHECK(put4(fd, k4(4, 0, 0, 0, 8), 4, 0) == 0, "room again");
	bpfrt_close(rt, fd);
}

/* The kernel's get_next_key order, as a 6.18 kernel gives it for this set. */
static void test_get_next_key(void)
{
	int fd = map_create(8, 4, 100, BPF_F_NO_PREALLOC);
	struct key4 k, out;
	CHECK(next_key(fd, NULL, &out) == -ENOENT, "empty");
	static const struct key4 ins[] = {
		{8, {10, 0, 0, 0}},  {16, {10, 1, 0, 0}}, {24, {10, 1, 2, 0}}, {24, {10, 1, 3, 0}},
		{16, {10, 2, 0, 0}}, {32, {10, 1, 2, 3}}, {0, {0, 0, 0, 0}},   {12, {10, 16, 0, 0}},
		{4, {0, 0, 0, 0}},   {9, {10, 128, 0, 0}},
	};
	static const struct key4 order[] = {
		{32, {10, 1, 2, 3}}, {24, {10, 1, 2, 0}},  {24, {10, 1, 3, 0}}, {16, {10, 1, 0, 0}},
		{16, {10, 2, 0, 0}}, {12, {10, 16, 0, 0}}, {9, {10, 128, 0, 0}}, {8, {10, 0, 0, 0}},
		{4, {0, 0, 0, 0}},   {0, {0, 0, 0, 0}},
	};
	for (size_t i = 0; i < sizeof(ins) / sizeof(ins[0]); i++)
		CHECK(put4(fd, ins[i], 1, 0) == 0, "insert %zu", i);
	size_t n = 0;
	int err = next_key(fd, NULL, &out);
	while (!err && n < 20) {
		CHECK(n < 10 && !memcmp(&out, &order[n], sizeof(out)), "entry %zu: %u.%u.%u.%u/%u", n,
		      out.data[0], out.data[1], out.data[2], out.data[3], out.prefixlen);
		n++;
		k = out;
		err = next_key(fd, &k, &out);
	}
	CHECK(err == -ENOENT && n == 10, "walk ends after %zu: %d", n, err);
	k = k4(10, 1, 2, 0, 20); /* absent: restart from the first */
	CHECK(next_key(fd, &k, &out) == 0 && !memcmp(&out, &order[0], sizeof(out)), "absent key");
	k = k4(10, 1, 2, 0, 33);
	CHECK(next_key(fd, &k, &out) == 0 && !memcmp(&out, &order[0], sizeof(out)), "prefixlen 33");
	/* Host bits past the prefix are kept as given, like the kernel. */
	CHECK(put4(fd, k4(172, 16, 9, 9, 12), 1, 0) == 0, "untidy key");
	k = k4(172, 16, 0, 0, 12);
	CHECK(get4(fd, k4(172, 17, 0, 1, 32)) == 1, "untidy key matches");
	int seen = 0;
	err = next_key(fd, NULL, &out);
	while (!err) {
		if (out.prefixlen == 12 && out.data[0] == 172)
			seen = out.data[2] == 9 && out.data[3] == 9;
		k = out;
		err = next_key(fd, &k, &out);
	}
	CHECK(seen, "the stored key keeps its host bits");
	bpfrt_close(rt, fd);
}

static void test_program_side(void)
{
	int fd = map_create(8, 8, 8, BPF_F_NO_PREALLOC);
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, fd, BPFRT_OBJ_MAP, &err);
	CHECK(obj, "fd_get: %d", err);
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	struct key4 k = k4(192, 168, 0, 0, 16);
	uint64_t v = 0x1122334455667788ull;
	CHECK(map->ops->update(map, &k, &v, BPF_ANY, false) == 0, "prog update");
	k = k4(192, 168, 7, 7, 32);
	uint64_t *p = map->ops->lookup(map, &k);
	CHECK(p && *p == v, "prog lookup gives the value");
	if (p)
		*p = 5; /* programs write through the pointer */
	uint64_t out = 0;
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &out, 0) == 0 && out == 5, "write seen");
	k = k4(10, 0, 0, 0, 32);
	CHECK(map->ops->lookup(map, &k) == NULL, "prog lookup miss");
	k = k4(192, 168, 0, 0, 16);
	CHECK(map->ops->delete(map, &k) == 0, "prog delete");
	bpfrt_obj_put(obj);
	bpfrt_close(rt, fd);
}

/* Two threads on one trie, each owning its own /8 so each can predict every
 * answer from a private model of its prefixes. */
#define STRESS_KEYS 512
struct stress {
	int fd;
	uint8_t top;
	uint32_t seed;
	bool present[STRESS_KEYS];
	uint32_t value[STRESS_KEYS];
	int errors;
};

static struct key4 stress_key(uint8_t top, int i)
{
	/* Distinct per i, nested: /16, /20, /24 and /32 under top/8. */
	uint8_t j = (uint8_t)(i / 4);
	switch (i % 4) {
	case 0:
		return k4(top, j, 0, 0, 16);
	case 1:
		return k4(top, j % 8, (uint8_t)(j / 8 << 4), 0, 20);
	case 2:
		return k4(top, j % 8, j / 8, 0, 24);
	default:
		return k4(top, j % 8, j / 8, (uint8_t)(j % 5 + 1), 32);
	}
}

static bool covers(struct key4 p, struct key4 a)
{
	uint32_t x = (uint32_t)p.data[0] << 24 | p.data[1] << 16 | p.data[2] << 8 | p.data[3];
	uint32_t y = (uint32_t)a.data[0] << 24 | a.data[1] << 16 | a.data[2] << 8 | a.data[3];
	uint32_t mask = p.prefixlen ? ~0u << (32 - p.prefixlen) : 0;
	return p.prefixlen <= a.prefixlen && !((x ^ y) & mask);
}

static int64_t model_match(struct stress *s, struct key4 a)
{
	int best = -1;
	for (int i = 0; i < STRESS_KEYS; i++) {
		struct key4 p = stress_key(s->top, i);
		if (s->present[i] && covers(p, a) &&
		    (best < 0 || p.prefixlen > stress_key(s->top, best).prefixlen))
			best = i;
	}
	return best < 0 ? -ENOENT : (int64_t)s->value[best];
}

static void *stress_thread(void *arg)
{
	struct stress *s = arg;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int n = 0;; n++) {
		if (!(n & 255)) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > 1000)
				break;
		}
		int i = (int)(rand_r(&s->seed) % STRESS_KEYS);
		struct key4 k = stress_key(s->top, i);
		switch (rand_r(&s->seed) % 3) {
		case 0: {
			uint32_t v = rand_r(&s->seed);
			int err = put4(s->fd, k, v, BPF_ANY);
			if (err)
				s->errors++;
			s->present[i] = true, s->value[i] = v;
			break;
		}
		case 1: {
			int err = elem(BPF_MAP_DELETE_ELEM, s->fd, &k, NULL, 0);
			if (err != (s->present[i] ? 0 : -ENOENT))
				s->errors++;
			s->present[i] = false;
			break;
		}
		default: {
			struct key4 a = k;
			a.prefixlen = 32;
			a.data[3] = (uint8_t)rand_r(&s->seed);
			if (get4(s->fd, a) != model_match(s, a))
				s->errors++;
		}
		}
	}
	return NULL;
}

static void test_two_thread_stress(void)
{
	int fd = map_create(8, 4, 2 * STRESS_KEYS, BPF_F_NO_PREALLOC);
	static struct stress s[2];
	memset(s, 0, sizeof(s));
	pthread_t th[2];
	for (int i = 0; i < 2; i++) {
		s[i].fd = fd, s[i].top = (uint8_t)(10 + i), s[i].seed = 12345u + (uint32_t)i;
		pthread_create(&th[i], NULL, stress_thread, &s[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(s[0].errors == 0 && s[1].errors == 0, "answers differ from the model: %d %d",
	      s[0].errors, s[1].errors);
	/* Consistency: the walk gives exactly the models' entries, once each. */
	int expect = 0, walked = 0, bad = 0;
	for (int t = 0; t < 2; t++)
		for (int i = 0; i < STRESS_KEYS; i++)
			if (s[t].present[i]) {
				expect++;
				struct key4 k = stress_key(s[t].top, i);
				uint32_t v;
				if (elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0) || v != s[t].value[i])
					bad++;
			}
	struct key4 k, out;
	int err = next_key(fd, NULL, &out);
	while (!err && walked <= expect) {
		walked++;
		int t = out.data[0] - 10;
		bool known = false;
		for (int i = 0; t >= 0 && t < 2 && i < STRESS_KEYS; i++) {
			struct key4 m = stress_key(s[t].top, i);
			known |= s[t].present[i] && !memcmp(&m, &out, sizeof(m));
		}
		bad += !known;
		k = out;
		err = next_key(fd, &k, &out);
	}
	CHECK(!bad && walked == expect && err == -ENOENT, "walk %d of %d, %d bad", walked, expect, bad);
	bpfrt_close(rt, fd);
}

/* Writers killed with SIGKILL at random points, maybe holding the lock:
 * the trie must stay usable and keep its full capacity. */
static void test_killed_writers(void)
{
	const uint32_t max = 64;
	int fd = map_create(8, 4, max, BPF_F_NO_PREALLOC);
	for (int round = 0; round < 20; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			unsigned seed = (unsigned)round;
			for (;;) {
				struct key4 k = k4(10, (uint8_t)(rand_r(&seed) % 4), (uint8_t)(rand_r(&seed) % 16), 0,
						   8 + rand_r(&seed) % 4 * 8);
				if (rand_r(&seed) % 2)
					put4(fd, k, 1, 0);
				else
					elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0);
			}
		}
		usleep(2000 + (useconds_t)(round * 500));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	/* Empty it through the walk, then fill it to exactly max_entries. */
	struct key4 k, out;
	int n = 0;
	while (next_key(fd, NULL, &out) == 0 && n++ < 1000) {
		k = out;
		CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0) == 0, "delete walked key");
	}
	CHECK(next_key(fd, NULL, &out) == -ENOENT, "emptied");
	int added = 0, err = 0;
	for (uint32_t i = 0; i < max + 5 && !err; i++) {
		err = put4(fd, k4(20, (uint8_t)i, (uint8_t)(i * 7), 0, 24), i, BPF_NOEXIST);
		added += !err;
	}
	CHECK(added == (int)max && err == -ENOSPC, "refilled %d, then %d", added, err);
	bpfrt_close(rt, fd);
}

/* What bpfrt_vm_run does when a run ends: its exit hooks, latest first. */
static void end_run(struct bpfrt_run *run)
{
	while (run->nr_exit_hooks) {
		struct vm_exit_hook *h = &run->exit_hooks[--run->nr_exit_hooks];
		h->fn(h->arg);
	}
}

/* Insert and delete another prefix until an update fails; returns how many
 * rounds succeeded and the error in *err. */
static int churn(int fd, int rounds, int *err)
{
	int i;
	for (i = 0; i < rounds; i++) {
		struct key4 k = k4(20, (uint8_t)(i % 8), 0, 0, 16);
		if ((*err = put4(fd, k, (uint32_t)i, BPF_ANY)) != 0)
			break;
		if ((*err = elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0)) != 0)
			break;
	}
	return i;
}

struct waiter {
	int fd;
	int err;
	int done;
};

static void *update_when_free(void *arg)
{
	struct waiter *w = arg;
	w->err = put4(w->fd, k4(30, 0, 0, 0, 8), 1, BPF_ANY);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_grace_period(void)
{
	int fd = map_create(8, 4, 16, BPF_F_NO_PREALLOC);
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, fd, BPFRT_OBJ_MAP, &err);
	CHECK(obj && obj->type == BPFRT_OBJ_MAP, "fd_get: %d", err);
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	CHECK(map->ops->lookup_run, "LPM has a program lookup that defers reuse");
	uint32_t v = 0xaaaa;
	struct key4 x = k4(10, 0, 0, 0, 8), addr = k4(10, 1, 2, 3, 32);
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &x, &v, BPF_ANY) == 0, "insert 10/8");

	/* A run holds 10/8's value while its node is deleted and the pool
	 * churns: the node is not reused, and this thread, being inside the
	 * run, gets -ENOMEM rather than waiting for itself. */
	struct bpfrt_run run = {.rt = rt};
	uint32_t *p = map->ops->lookup_run(map, &addr, &run);
	uint32_t *again = map->ops->lookup_run(map, &addr, &run);
	CHECK(p && *p == 0xaaaa && again == p && run.nr_exit_hooks == 1, "looked up once, entered once");
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &x, NULL, 0) == 0, "delete 10/8");
	int done = churn(fd, 100000, &err);
	CHECK(err == -ENOMEM && done > 16, "churn inside the run: %d rounds, then %d", done, err);
	CHECK(*p == 0xaaaa, "the held value is untouched: %x", *p);

	/* Another thread's update waits for the run to end. */
	struct waiter w = {.fd = fd};
	pthread_t th;
	pthread_create(&th, NULL, update_when_free, &w);
	usleep(20000);
	CHECK(!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), "the update waits for the run");
	end_run(&run);
	pthread_join(th, NULL);
	CHECK(w.err == 0, "the update went through once the run ended: %d", w.err);
	done = churn(fd, 1000, &err);
	CHECK(done == 1000, "churn after the run: %d rounds, then %d", done, err);

	/* A process killed inside a run: its count is reclaimed. */
	int pipefd[2];
	CHECK(pipe(pipefd) == 0, "pipe");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &x, &v, BPF_ANY) == 0, "insert 10/8 again");
	pid_t pid = fork();
	if (pid == 0) {
		struct bpfrt_run crun = {.rt = rt};
		char c = map->ops->lookup_run(map, &addr, &crun) ? 1 : 0;
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	char c = 0;
	CHECK(read(pipefd[0], &c, 1) == 1 && c == 1, "child looked up");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pipefd[0]);
	close(pipefd[1]);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	done = churn(fd, 1000, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	CHECK(done == 1000 && secs < 0.5, "churn after a killed reader: %d rounds, then %d, %.3f s", done,
	      err, secs);
	bpfrt_obj_put(obj);
	bpfrt_close(rt, fd);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	test_create_errors();
	test_ipv4_match();
	test_ipv6_match();
	test_full();
	test_get_next_key();
	test_program_side();
	test_two_thread_stress();
	test_killed_writers();
	test_grace_period();
	bpfrt_free(rt);
	return CHECK_DONE();
}
