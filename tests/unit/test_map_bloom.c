/* test_map_bloom.c — BLOOM_FILTER through bpfrt_bpf() and the program-side
 * push/peek ops: the kernel's errno values at create and for every command
 * (checked against a 6.18 kernel), no false negatives over 1000 values with
 * several hash counts and value sizes, a sane false-positive rate, and two
 * threads pushing at once. */
#include "bpfrt/bpfrt.h"
#include "check.h"
#include "core/object.h"
#include "maps/map.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

static struct bpfrt *rt;

static int map_create(uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags, uint64_t extra)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_BLOOM_FILTER, a.key_size = ks, a.value_size = vs;
	a.max_entries = n, a.map_flags = flags, a.map_extra = extra;
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

static void test_create_errors(void)
{
	CHECK(map_create(4, 4, 10, 0, 0) == -EINVAL, "key size 4");
	CHECK(map_create(0, 0, 10, 0, 0) == -EINVAL, "value size 0");
	CHECK(map_create(0, 4, 0, 0, 0) == -EINVAL, "max_entries 0");
	CHECK(map_create(0, 4, 10, 0, 16) == -EINVAL, "map_extra past the hash count");
	CHECK(map_create(0, 4, 10, 0, 1ull << 32) == -EINVAL, "map_extra high bits");
	CHECK(map_create(0, 4, 10, BPF_F_NO_PREALLOC, 0) == -EINVAL, "no_prealloc");
	CHECK(map_create(0, 4, 10, BPF_F_MMAPABLE, 0) == -EINVAL, "mmapable");
	CHECK(map_create(0, (1u << 22) + 1, 10, 0, 0) == -E2BIG, "value size > 4 MiB");
	CHECK(map_create(4, (1u << 22) + 1, 10, 0, 0) == -E2BIG, "E2BIG comes before EINVAL");
	int ok[] = {map_create(0, 4, 10, 0, 15), map_create(0, 4, 10, BPF_F_ZERO_SEED, 0),
		    map_create(0, 4, 10, BPF_F_NUMA_NODE | BPF_F_RDONLY, 1),
		    map_create(0, 4, 0xffffffffu, 0, 15)};
	for (int i = 0; i < 4; i++) {
		CHECK(ok[i] >= 0, "valid create %d: %d", i, ok[i]);
		bpfrt_close(rt, ok[i]);
	}
}

static void test_ops_errors(void)
{
	int fd = map_create(0, 4, 100, 0, 0);
	uint32_t k = 0, v = 7;
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, &v, 0) == -ENOENT, "empty: absent");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, NULL, &v, BPF_ANY) == 0, "push");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, &v, 0) == 0, "maybe present");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, NULL, &v, BPF_EXIST) == -EINVAL, "push exist");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, NULL, &v, BPF_NOEXIST) == -EINVAL, "push noexist");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, NULL, &v, BPF_F_LOCK) == -EINVAL, "push lock");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0) == -EINVAL, "lookup with a key");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, 0) == -EINVAL, "update with a key");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, &v, BPF_F_LOCK) == -EINVAL, "lookup lock");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, &v, 2) == -EINVAL, "lookup flags");
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, NULL, NULL, 0) == -EOPNOTSUPP, "delete");
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0) == -EINVAL, "delete with a key");
	CHECK(next_key(fd, NULL, &k) == -EOPNOTSUPP, "get_next_key");
	CHECK(next_key(fd, &k, &k) == -EINVAL, "get_next_key with a key");
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, NULL, &v, 0) == -ENOTSUPP, "lookup_and_delete");
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &k, &v, 0) == -EINVAL, "pop with a key");
	/* The lookup reads the value to test and writes nothing back. */
	v = 12345;
	elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, &v, 0);
	CHECK(v == 12345, "lookup leaves the value alone");
	bpfrt_close(rt, fd);
}

/* Push 1000 values; every one must test present, whatever the hash count
 * and value size; values never pushed mostly test absent. */
static void no_false_negatives(uint32_t vs, uint64_t nr_hashes, uint32_t flags)
{
	int fd = map_create(0, vs, 1000, flags, nr_hashes);
	CHECK(fd >= 0, "create vs %u k %llu", vs, (unsigned long long)nr_hashes);
	uint8_t v[64];
	int missing = 0, false_pos = 0;
	for (uint32_t i = 0; i < 1000; i++) {
		memset(v, 0, sizeof(v));
		memcpy(v, &i, vs < 4 ? vs : 4);
		v[vs - 1] ^= (uint8_t)(i >> 3);
		CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, NULL, v, 0) == 0, "push %u", i);
	}
	for (uint32_t i = 0; i < 1000; i++) {
		memset(v, 0, sizeof(v));
		memcpy(v, &i, vs < 4 ? vs : 4);
		v[vs - 1] ^= (uint8_t)(i >> 3);
		missing += elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, v, 0) != 0;
	}
	for (uint32_t i = 1000; vs >= 4 && i < 11000; i++) {
		memset(v, 0xee, sizeof(v));
		memcpy(v, &i, 4);
		false_pos += elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, v, 0) == 0;
	}
	CHECK(missing == 0, "vs %u k %llu: %d false negatives", vs, (unsigned long long)nr_hashes,
	      missing);
	/* With k hashes and ~1.4 k bits per value the rate is a few percent at
	 * most (k = 1: ~50%); 25% catches a broken hash without being flaky. */
	CHECK(nr_hashes == 1 || false_pos < 2500, "vs %u k %llu: %d false positives in 10000", vs,
	      (unsigned long long)nr_hashes, false_pos);
	bpfrt_close(rt, fd);
}

static void test_program_side(void)
{
	int fd = map_create(0, 8, 16, 0, 0);
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, fd, BPFRT_OBJ_MAP, &err);
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	uint64_t v = 0xdeadbeef, out;
	CHECK(map->ops->peek(map, &v) == -ENOENT, "prog peek absent");
	CHECK(map->ops->push(map, &v, 0) == 0, "prog push");
	CHECK(map->ops->push(map, &v, BPF_EXIST) == -EINVAL, "prog push exist");
	CHECK(map->ops->peek(map, &v) == 0, "prog peek present");
	CHECK(map->ops->pop(map, &out) == -EOPNOTSUPP, "prog pop");
	CHECK(map->ops->lookup(map, NULL) == NULL, "prog lookup");
	CHECK(map->ops->update(map, NULL, &v, 0, false) == -EINVAL, "prog update");
	bpfrt_obj_put(obj);
	bpfrt_close(rt, fd);
}

struct pusher {
	int fd;
	uint32_t base;
};

static void *push_many(void *arg)
{
	struct pusher *p = arg;
	for (uint32_t i = 0; i < 20000; i++) {
		uint32_t v = p->base + i;
		elem(BPF_MAP_UPDATE_ELEM, p->fd, NULL, &v, 0);
	}
	return NULL;
}

static void test_concurrent_push(void)
{
	int fd = map_create(0, 4, 40000, 0, 3);
	struct pusher p[2] = {{fd, 0}, {fd, 1u << 20}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, push_many, &p[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	int missing = 0;
	for (int t = 0; t < 2; t++)
		for (uint32_t i = 0; i < 20000; i++) {
			uint32_t v = p[t].base + i;
			missing += elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, &v, 0) != 0;
		}
	CHECK(missing == 0, "%d values lost to concurrent pushes", missing);
	bpfrt_close(rt, fd);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	test_create_errors();
	test_ops_errors();
	no_false_negatives(4, 0, 0);
	no_false_negatives(4, 1, BPF_F_ZERO_SEED);
	no_false_negatives(1, 3, 0);
	no_false_negatives(13, 15, 0);
	no_false_negatives(64, 5, 0);
	test_program_side();
	test_concurrent_push();
	bpfrt_free(rt);
	return CHECK_DONE();
}
