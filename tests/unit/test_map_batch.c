/* test_map_batch.c — the *_BATCH commands through bpfrt_bpf(): results,
 * errno values, count and token semantics as the 6.18 kernel gives them
 * (each expectation below was checked against the kernel's bpf()).  Hash,
 * LPM and queue cases run only when those families are built in. */
#include "bpfrt/bpfrt.h"
#include "check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's internal "not supported", which bpf() returns for absent batch ops. */
#define ENOTSUPP 524

static struct bpfrt *rt;

static int map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n, a.map_flags = flags;
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

static int update(int fd, const void *key, const void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.value = (uintptr_t)value;
	return bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

/* One batch command; *count in, count out. */
static int batch(int cmd, int fd, const void *in, void *out, void *keys, void *values,
		 uint32_t *count, uint64_t elem_flags, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.batch.map_fd = (uint32_t)fd, a.batch.in_batch = (uintptr_t)in;
	a.batch.out_batch = (uintptr_t)out, a.batch.keys = (uintptr_t)keys;
	a.batch.values = (uintptr_t)values, a.batch.count = *count;
	a.batch.elem_flags = elem_flags, a.batch.flags = flags;
	int r = bpfrt_bpf(rt, cmd, &a, sizeof(a));
	*count = a.batch.count;
	return r;
}

static void test_array_lookup(void)
{
	int fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0);
	CHECK(fd >= 0, "create: %d", fd);
	for (uint32_t i = 0; i < 5; i++) {
		uint64_t v = i * 10;
		update(fd, &i, &v);
	}
	uint32_t keys[8], out = 0xdead, in, cnt = 2;
	uint64_t vals[8];
	/* The token is the last key visited. */
	int r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == 0 && cnt == 2 && out == 1 && keys[1] == 1 && vals[1] == 10, "r %d cnt %u out %u", r, cnt, out);
	in = out, cnt = 3;
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, &in, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == 0 && cnt == 3 && out == 4 && keys[0] == 2 && vals[2] == 40, "r %d cnt %u out %u", r, cnt, out);
	/* After the last key: -ENOENT, count 0, out_batch untouched. */
	in = out, cnt = 3, out = 0xdead;
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, &in, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == -ENOENT && errno == ENOENT && cnt == 0 && out == 0xdead, "r %d cnt %u out %x", r, cnt, out);
	/* A partial last batch: -ENOENT with its count and token. */
	in = 3, cnt = 3;
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, &in, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == -ENOENT && cnt == 1 && out == 4 && keys[0] == 4, "r %d cnt %u out %u", r, cnt, out);
	/* An out-of-range token restarts (get_next_key of an absent index). */
	in = 99, cnt = 2;
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, &in, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == 0 && cnt == 2 && out == 1 && keys[0] == 0, "r %d cnt %u", r, cnt);
	/* Exactly the whole array: 0, not -ENOENT (the generic walk stops at count). */
	cnt = 5;
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == 0 && cnt == 5 && out == 4, "r %d cnt %u out %u", r, cnt, out);
	cnt = 0;
	CHECK(batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0) == 0 && cnt == 0, "count 0");
	/* batch.flags is not checked by the generic walk; elem_flags are, before count. */
	cnt = 2;
	CHECK(batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 1) == 0 && cnt == 2, "flags 1");
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 2, 0);
	CHECK(r == -EINVAL && cnt == 2, "elem_flags 2: %d cnt %u", r, cnt);
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, BPF_F_LOCK, 0);
	CHECK(r == -EINVAL && cnt == 2, "BPF_F_LOCK without a spin lock: %d", r);
	cnt = 0;
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 2, 0);
	CHECK(r == -EINVAL, "elem_flags checked before count 0: %d", r);
	bpfrt_close(rt, fd);
}

static void test_array_write(void)
{
	int fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0);
	uint32_t keys[8] = {1, 7, 2}, out, cnt = 2;
	uint64_t vals[8] = {11, 77, 22}, v;
	int r = batch(BPF_MAP_DELETE_BATCH, fd, NULL, NULL, keys, vals, &cnt, 0, 0);
	CHECK(r == -ENOTSUPP && cnt == 2, "array delete batch: %d", r);
	r = batch(BPF_MAP_LOOKUP_AND_DELETE_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == -ENOTSUPP && cnt == 2, "array lookup-and-delete batch: %d", r);
	cnt = 3;
	r = batch(BPF_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &cnt, 0, 1);
	CHECK(r == -E2BIG && cnt == 1, "update stops at index 7: %d cnt %u", r, cnt);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)&keys[0], a.value = (uintptr_t)&v;
	CHECK(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == 0 && v == 11, "first element written");
	cnt = 3;
	r = batch(BPF_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &cnt, BPF_NOEXIST, 0);
	CHECK(r == -EINVAL && cnt == 3, "elem_flags NOEXIST: %d cnt %u", r, cnt);
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	CHECK(bpfrt_bpf(rt, BPF_MAP_FREEZE, &a, sizeof(a)) == 0, "freeze");
	cnt = 1;
	r = batch(BPF_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &cnt, 5, 0);
	CHECK(r == -EPERM && cnt == 1, "frozen update (EPERM before the flags): %d", r);
	r = batch(BPF_MAP_DELETE_BATCH, fd, NULL, NULL, keys, vals, &cnt, 0, 0);
	CHECK(r == -EPERM, "frozen delete (EPERM before ENOTSUPP): %d", r);
	cnt = 2;
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == 0 && cnt == 2, "frozen lookup: %d", r);
	r = batch(BPF_MAP_LOOKUP_BATCH, 9999, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == -EBADF, "bad fd: %d", r);
	bpfrt_close(rt, fd);
	fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 3, BPF_F_RDONLY);
	cnt = 3;
	r = batch(BPF_MAP_LOOKUP_AND_DELETE_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == -EPERM && cnt == 3, "rdonly lookup-and-delete: %d", r);
	bpfrt_close(rt, fd);
	fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 3, BPF_F_WRONLY);
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == -EPERM, "wronly lookup: %d", r);
	bpfrt_close(rt, fd);
}

static void test_percpu_array(void)
{
	unsigned ncpu = 0;
	int fd = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 3, 0);
	CHECK(fd >= 0, "create: %d", fd);
	/* Find the CPU count the way applications do: from the value size. */
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	unsigned lo, hi;
	if (f && fscanf(f, "%u-%u", &lo, &hi) == 2)
		ncpu = hi - lo + 1;
	else
		ncpu = 1;
	if (f)
		fclose(f);
	uint32_t keys[3] = {0, 1, 2}, out, cnt = 3;
	uint64_t *vals = calloc(3 * ncpu, 8); /* round_up(4, 8) per CPU */
	for (unsigned i = 0; i < 3 * ncpu; i++)
		vals[i] = 100 + i;
	int r = batch(BPF_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &cnt, 0, 0);
	CHECK(r == 0 && cnt == 3, "update: %d", r);
	memset(vals, 0, 3 * ncpu * 8);
	memset(keys, 0xff, sizeof(keys));
	cnt = 3;
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == 0 && cnt == 3 && keys[2] == 2, "lookup: %d cnt %u", r, cnt);
	for (unsigned i = 0; i < 3 * ncpu; i++)
		CHECK((uint32_t)vals[i] == 100 + i, "value %u: %llu", i, (unsigned long long)vals[i]);
	free(vals);
	bpfrt_close(rt, fd);
}

/* Walk a hash map with batches of n; every key must come exactly once. */
static void hash_walk(int fd, uint32_t nelem, uint32_t n, bool del)
{
	uint32_t *keys = calloc(nelem + n, 4), token = 0, total = 0, cnt;
	uint64_t *vals = calloc(nelem + n, 8);
	unsigned char *seen = calloc(nelem, 1);
	int cmd = del ? BPF_MAP_LOOKUP_AND_DELETE_BATCH : BPF_MAP_LOOKUP_BATCH;
	int r, calls = 0;
	do {
		cnt = n;
		r = batch(cmd, fd, calls ? &token : NULL, &token, keys + total, vals + total, &cnt, 0, 0);
		CHECK(r == 0 || r == -ENOENT, "walk by %u: %d", n, r);
		total += cnt;
		calls++;
	} while (r == 0 && calls < 10000);
	CHECK(total == nelem, "walk by %u: %u of %u", n, total, nelem);
	for (uint32_t i = 0; i < total && i < nelem; i++) {
		CHECK(keys[i] < nelem && !seen[keys[i]] && vals[i] == keys[i] * 3ull,
		      "walk by %u: key %u", n, keys[i]);
		if (keys[i] < nelem)
			seen[keys[i]] = 1;
	}
	free(keys), free(vals), free(seen);
}

static void test_hash(void)
{
	int fd = map_create(BPF_MAP_TYPE_HASH, 4, 8, 64, 0);
	if (fd == -EINVAL) {
		printf("hash maps not built in: skipped\n");
		return;
	}
	for (uint32_t i = 0; i < 40; i++) {
		uint64_t v = i * 3ull;
		update(fd, &i, &v);
	}
	for (uint32_t n = 1; n <= 41; n += 4)
		hash_walk(fd, 40, n, false);
	uint32_t keys[64], out = 0xdead, cnt = 40;
	uint64_t vals[64];
	/* A batch that takes the last element ends the walk: -ENOENT, full count. */
	int r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == -ENOENT && cnt == 40, "exact: %d cnt %u", r, cnt);
	cnt = 2;
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 1);
	CHECK(r == -EINVAL && cnt == 2, "hash walk checks batch.flags: %d", r);
	cnt = 0;
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 1);
	CHECK(r == -EINVAL, "flags before count 0: %d", r);
	r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == 0 && cnt == 0, "count 0: %d", r);
	/* Delete stops at the first absent key; update ignores batch.flags. */
	keys[0] = 1, keys[1] = 1000, keys[2] = 2, cnt = 3;
	r = batch(BPF_MAP_DELETE_BATCH, fd, NULL, NULL, keys, vals, &cnt, 0, 0);
	CHECK(r == -ENOENT && cnt == 1, "delete: %d cnt %u", r, cnt);
	keys[1] = 1, vals[0] = 3, vals[1] = 3;
	cnt = 2;
	r = batch(BPF_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &cnt, 0, 1);
	CHECK(r == 0 && cnt == 2, "update: %d cnt %u", r, cnt);
	hash_walk(fd, 40, 7, true);
	cnt = 10;
	r = batch(BPF_MAP_LOOKUP_AND_DELETE_BATCH, fd, NULL, &out, keys, vals, &cnt, 0, 0);
	CHECK(r == -ENOENT && cnt == 0, "empty: %d cnt %u", r, cnt);
	/* Full map: update stops with -E2BIG. */
	for (uint32_t i = 0; i < 64; i++)
		keys[i] = i, vals[i] = i * 3ull;
	cnt = 64;
	CHECK(batch(BPF_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &cnt, 0, 0) == 0, "fill");
	keys[0] = 500, cnt = 1;
	r = batch(BPF_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &cnt, 0, 0);
	CHECK(r == -E2BIG && cnt == 0, "full: %d cnt %u", r, cnt);
	hash_walk(fd, 64, 64, true);
	bpfrt_close(rt, fd);
}

static void test_unsupported(void)
{
	uint32_t keys[4], out, cnt = 1;
	uint64_t vals[4];
	static const uint32_t types[] = {BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_BLOOM_FILTER};
	for (unsigned t = 0; t < 3; t++) {
		int fd = map_create(types[t], 0, 4, 4, 0);
		if (fd < 0)
			continue;
		for (int cmd = BPF_MAP_LOOKUP_BATCH; cmd <= BPF_MAP_DELETE_BATCH; cmd++) {
			cnt = cmd == BPF_MAP_DELETE_BATCH ? 0 : 1;
			int r = batch(cmd, fd, NULL, &out, keys, vals, &cnt, 0, 0);
			CHECK(r == -ENOTSUPP, "type %u cmd %d: %d", types[t], cmd, r);
		}
		bpfrt_close(rt, fd);
	}
	int fd = map_create(BPF_MAP_TYPE_LPM_TRIE, 8, 8, 8, BPF_F_NO_PREALLOC);
	if (fd < 0)
		return;
	uint64_t lk[8] = {0};
	cnt = 2;
	int r = batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, lk + 4, lk, vals, &cnt, 0, 0);
	CHECK(r == -ENOENT && cnt == 0, "lpm empty: %d", r);
	r = batch(BPF_MAP_LOOKUP_AND_DELETE_BATCH, fd, NULL, lk + 4, lk, vals, &cnt, 0, 0);
	CHECK(r == -ENOTSUPP, "lpm lookup-and-delete: %d", r);
	cnt = 1;
	r = batch(BPF_MAP_DELETE_BATCH, fd, NULL, NULL, lk, vals, &cnt, 0, 0);
	CHECK(r == -ENOENT && cnt == 0, "lpm delete: %d", r);
	bpfrt_close(rt, fd);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	CHECK(rt != NULL, "bpfrt_new");
	if (!rt)
		return CHECK_DONE();
	test_array_lookup();
	test_array_write();
	test_percpu_array();
	test_hash();
	test_unsupported();
	bpfrt_free(rt);
	return CHECK_DONE();
}
