/* test_map_queue.c — QUEUE and STACK through bpfrt_bpf() and the program-side
 * push/pop/peek ops: the kernel's errno values at create and for every
 * command (checked against a 6.18 kernel), FIFO and LIFO order, BPF_EXIST
 * overwriting the oldest value, wrap-around, a concurrent producer/consumer,
 * and pop/push after a SIGKILLed writer. */
#include "bpfrt/bpfrt.h"
#include "check.h"
#include "core/object.h"
#include "maps/map.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct bpfrt *rt;

static int map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n, a.map_flags = flags;
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

static int push(int fd, uint32_t v, uint64_t flags)
{
	return elem(BPF_MAP_UPDATE_ELEM, fd, NULL, &v, flags);
}

static int64_t pop(int fd)
{
	uint32_t v = 0;
	int err = elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, NULL, &v, 0);
	return err ? err : (int64_t)v;
}

static int64_t peek(int fd)
{
	uint32_t v = 0;
	int err = elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, &v, 0);
	return err ? err : (int64_t)v;
}

static void test_create_errors(void)
{
	uint32_t types[] = {BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK};
	for (int t = 0; t < 2; t++) {
		uint32_t ty = types[t];
		CHECK(map_create(ty, 4, 4, 10, 0) == -EINVAL, "key size 4");
		CHECK(map_create(ty, 0, 0, 10, 0) == -EINVAL, "value size 0");
		CHECK(map_create(ty, 0, 4, 0, 0) == -EINVAL, "max_entries 0");
		CHECK(map_create(ty, 0, 4, 10, BPF_F_NO_PREALLOC) == -EINVAL, "no_prealloc");
		CHECK(map_create(ty, 0, 4, 10, BPF_F_ZERO_SEED) == -EINVAL, "zero seed");
		CHECK(map_create(ty, 0, 4, 10, BPF_F_MMAPABLE) == -EINVAL, "mmapable");
		CHECK(map_create(ty, 0, 4, 10, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG) == -EINVAL,
		      "rdonly_prog|wronly_prog");
		CHECK(map_create(ty, 0, (1u << 22) + 1, 10, 0) == -E2BIG, "value size > 4 MiB");
		CHECK(map_create(ty, 4, (1u << 22) + 1, 10, 0) == -EINVAL, "EINVAL comes before E2BIG");
		int ok[] = {map_create(ty, 0, 1u << 22, 1, 0),
			    map_create(ty, 0, 4, 10, BPF_F_RDONLY | BPF_F_NUMA_NODE)};
		for (int i = 0; i < 2; i++) {
			CHECK(ok[i] >= 0, "valid create %d: %d", i, ok[i]);
			bpfrt_close(rt, ok[i]);
		}
	}
}

static void test_ops_errors(uint32_t type)
{
	int fd = map_create(type, 0, 4, 3, 0);
	uint32_t k = 0, v = 1;
	CHECK(peek(fd) == -ENOENT, "peek empty");
	CHECK(pop(fd) == -ENOENT, "pop empty");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0) == -EINVAL, "lookup with a key");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, 0) == -EINVAL, "update with a key");
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &k, &v, 0) == -EINVAL, "pop with a key");
	CHECK(push(fd, 1, BPF_NOEXIST) == -EINVAL, "push noexist");
	CHECK(push(fd, 1, 4) == -EINVAL, "push flags 4");
	CHECK(push(fd, 1, BPF_F_LOCK) == -EINVAL, "push lock");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, &v, BPF_F_LOCK) == -EINVAL, "peek lock");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, &v, 4) == -EINVAL, "peek flags");
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, NULL, &v, 1) == -EINVAL, "pop flags");
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, NULL, &v, BPF_F_LOCK) == -EINVAL, "pop lock");
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, NULL, NULL, 0) == -EINVAL, "delete");
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0) == -EINVAL, "delete with a key");
	CHECK(next_key(fd, NULL, &k) == -EINVAL, "get_next_key");
	CHECK(next_key(fd, &k, &k) == -EINVAL, "get_next_key with a key");
	CHECK(push(fd, 1, BPF_ANY) == 0 && push(fd, 2, BPF_ANY) == 0 && push(fd, 3, BPF_EXIST) == 0,
	      "fill");
	CHECK(push(fd, 4, BPF_ANY) == -E2BIG, "full");
	bpfrt_close(rt, fd);

	fd = map_create(type, 0, 4, 3, BPF_F_RDONLY);
	CHECK(push(fd, 1, 0) == -EPERM, "push read-only");
	CHECK(pop(fd) == -EPERM, "pop read-only");
	CHECK(peek(fd) == -ENOENT, "peek read-only");
	bpfrt_close(rt, fd);
	fd = map_create(type, 0, 4, 3, BPF_F_WRONLY);
	CHECK(push(fd, 1, 0) == 0, "push write-only");
	CHECK(peek(fd) == -EPERM, "peek write-only");
	CHECK(pop(fd) == -EPERM, "pop write-only");
	bpfrt_close(rt, fd);
}

static void test_queue_order(void)
{
	int fd = map_create(BPF_MAP_TYPE_QUEUE, 0, 4, 3, 0);
	for (uint32_t i = 1; i <= 3; i++)
		CHECK(push(fd, i, 0) == 0, "push %u", i);
	CHECK(peek(fd) == 1, "peek is the oldest");
	CHECK(push(fd, 4, BPF_EXIST) == 0, "overwrite the oldest");
	CHECK(pop(fd) == 2 && pop(fd) == 3 && pop(fd) == 4 && pop(fd) == -ENOENT, "FIFO after overwrite");
	/* Many laps of the ring. */
	uint32_t next_in = 100, next_out = 100;
	for (int i = 0; i < 1000; i++) {
		if (i % 3 != 2) {
			if (push(fd, next_in, 0) == 0)
				next_in++;
		} else if (next_out < next_in) {
			CHECK(pop(fd) == next_out, "lap pop %u", next_out);
			next_out++;
		}
	}
	while (next_out < next_in)
		CHECK(pop(fd) == next_out++, "drain");
	CHECK(pop(fd) == -ENOENT, "drained");
	bpfrt_close(rt, fd);
}

static void test_stack_order(void)
{
	int fd = map_create(BPF_MAP_TYPE_STACK, 0, 4, 3, 0);
	for (uint32_t i = 1; i <= 3; i++)
		CHECK(push(fd, i, 0) == 0, "push %u", i);
	CHECK(peek(fd) == 3, "peek is the newest");
	CHECK(push(fd, 4, BPF_EXIST) == 0, "overwrite drops the bottom");
	CHECK(pop(fd) == 4 && pop(fd) == 3 && pop(fd) == 2 && pop(fd) == -ENOENT, "LIFO after overwrite");
	for (uint32_t i = 0; i < 50; i++) {
		CHECK(push(fd, i, BPF_EXIST) == 0, "push %u", i);
		CHECK(pop(fd) == i, "pop %u", i);
	}
	bpfrt_close(rt, fd);
}

static void test_program_side(void)
{
	int fd = map_create(BPF_MAP_TYPE_QUEUE, 0, 12, 2, 0);
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, fd, BPFRT_OBJ_MAP, &err);
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	uint8_t v[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, out[12];
	CHECK(map->ops->push(map, v, 0) == 0, "prog push");
	CHECK(map->ops->peek(map, out) == 0 && !memcmp(v, out, 12), "prog peek");
	CHECK(map->ops->pop(map, out) == 0 && !memcmp(v, out, 12), "prog pop");
	CHECK(map->ops->pop(map, out) == -ENOENT, "prog pop empty");
	CHECK(map->ops->lookup(map, NULL) == NULL, "prog lookup");
	CHECK(map->ops->update(map, NULL, v, 0, false) == -EINVAL, "prog update");
	CHECK(map->ops->delete(map, NULL) == -EINVAL, "prog delete");
	bpfrt_obj_put(obj);
	bpfrt_close(rt, fd);
}

/* One producer, one consumer: every value comes out once, in order. */
struct pc {
	int fd;
	uint32_t n;
	int errors;
};

static void *producer(void *arg)
{
	struct pc *p = arg;
	for (uint32_t i = 0; i < p->n;) {
		if (push(p->fd, i, 0) == 0)
			i++;
		else
			sched_yield(); /* full: let the consumer run */
	}
	return NULL;
}

static void test_producer_consumer(void)
{
	struct pc p = {map_create(BPF_MAP_TYPE_QUEUE, 0, 4, 16, 0), 20000, 0};
	pthread_t th;
	pthread_create(&th, NULL, producer, &p);
	for (uint32_t want = 0; want < p.n;) {
		int64_t v = pop(p.fd);
		if (v == -ENOENT) {
			sched_yield();
			continue;
		}
		if (v != want)
			p.errors++;
		want++;
	}
	pthread_join(th, NULL);
	CHECK(p.errors == 0, "%d values out of order", p.errors);
	bpfrt_close(rt, p.fd);
}

/* A process killed while holding the map lock leaves the queue usable. */
static void test_killed_holder(void)
{
	int fd = map_create(BPF_MAP_TYPE_QUEUE, 0, 4, 4, 0);
	CHECK(push(fd, 7, 0) == 0, "push");
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, fd, BPFRT_OBJ_MAP, &err);
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	pid_t pid = fork();
	if (pid == 0) {
		bpfrt_map_lock(map);
		raise(SIGKILL);
	}
	waitpid(pid, NULL, 0);
	CHECK(push(fd, 8, 0) == 0, "push after the holder died");
	CHECK(pop(fd) == 7 && pop(fd) == 8, "values intact");
	bpfrt_obj_put(obj);
	bpfrt_close(rt, fd);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	test_create_errors();
	test_ops_errors(BPF_MAP_TYPE_QUEUE);
	test_ops_errors(BPF_MAP_TYPE_STACK);
	test_queue_order();
	test_stack_order();
	test_program_side();
	test_producer_consumer();
	test_killed_holder();
	bpfrt_free(rt);
	return CHECK_DONE();
}
