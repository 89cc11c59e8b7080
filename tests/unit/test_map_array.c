/* test_map_array.c — ARRAY and PERCPU_ARRAY through bpfrt_bpf(): the
 * kernel's errno values for bad attributes, keys and flags; fds and ids;
 * per-CPU value layout; freeze; attr tail checks. */
#include "bpfrt/bpfrt.h"
#include "check.h"

#include <errno.h>
#include <string.h>

static struct bpfrt *rt;

static int map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n, a.map_flags = flags;
	strcpy(a.map_name, "test_map");
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
	CHECK(map_create(BPF_MAP_TYPE_ARRAY, 8, 4, 4, 0) == -EINVAL && errno == EINVAL, "key size 8");
	CHECK(map_create(BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0) == -EINVAL, "value size 0");
	CHECK(map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 0, 0) == -EINVAL, "max_entries 0");
	CHECK(map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_NO_PREALLOC) == -EINVAL, "no_prealloc");
	CHECK(map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_RDONLY | BPF_F_WRONLY) == -EINVAL, "rdonly|wronly");
	CHECK(map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, BPF_F_MMAPABLE) == -EINVAL, "percpu mmapable");
	CHECK(map_create(9999, 4, 4, 4, 0) == -EINVAL, "unknown type");
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY, a.key_size = 4, a.value_size = 4, a.max_entries = 1;
	a.map_fd = 0;
	((char *)&a)[sizeof(a) - 1] = 1; /* past map_extra */
	CHECK(bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a)) == -EINVAL, "non-zero past the last field");
	char big[sizeof(a) + 8];
	memset(big, 0, sizeof(big));
	memcpy(big, &a, sizeof(a));
	((union bpf_attr *)big)->map_type = BPF_MAP_TYPE_ARRAY;
	big[sizeof(a) + 3] = 1;
	CHECK(bpfrt_bpf(rt, BPF_MAP_CREATE, (union bpf_attr *)big, sizeof(big)) == -E2BIG, "non-zero tail");
	CHECK(bpfrt_bpf(rt, 999, &a, sizeof(a)) == -EINVAL, "unknown command");
}

static void test_array_ops(void)
{
	int fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 12, 3, 0);
	CHECK(fd >= 3, "create: %d", fd);
	uint32_t k = 1, nk = 99;
	uint8_t v[12] = {1, 2, 3}, out[12];
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, v, BPF_ANY) == 0, "update");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, out, 0) == 0 && !memcmp(v, out, 12), "lookup");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, v, BPF_NOEXIST) == -EEXIST, "noexist");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, v, BPF_EXIST) == 0, "exist");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, v, 4) == -EINVAL, "bad flags");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, v, BPF_F_LOCK) == -EINVAL, "lock without spin lock");
	k = 3;
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, v, BPF_ANY) == -E2BIG, "update out of range");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, out, 0) == -ENOENT, "lookup out of range");
	CHECK(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0) == -EINVAL, "delete");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, out, 2) == -EINVAL, "lookup flags");
	CHECK(next_key(fd, NULL, &nk) == 0 && nk == 0, "first key");
	k = 1;
	CHECK(next_key(fd, &k, &nk) == 0 && nk == 2, "next key");
	k = 2;
	CHECK(next_key(fd, &k, &nk) == -ENOENT, "last key");
	k = 77;
	CHECK(next_key(fd, &k, &nk) == 0 && nk == 0, "bad key restarts");
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	CHECK(bpfrt_bpf(rt, BPF_MAP_FREEZE, &a, sizeof(a)) == 0, "freeze");
	CHECK(bpfrt_bpf(rt, BPF_MAP_FREEZE, &a, sizeof(a)) == -EBUSY, "freeze twice");
	k = 0;
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, v, 0) == -EPERM, "update frozen");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, out, 0) == 0, "lookup frozen");
	CHECK(bpfrt_close(rt, fd) == 0, "close");
	CHECK(bpfrt_close(rt, fd) == -EBADF, "close twice");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, out, 0) == -EBADF, "closed fd");
}

static void test_percpu(void)
{
	int fd = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2, 0);
	CHECK(fd >= 0, "create percpu");
	/* The application sees round_up(4, 8) bytes per possible CPU. */
	uint64_t vals[1024], out[1024];
	for (int i = 0; i < 1024; i++)
		vals[i] = 0x100 + (uint64_t)i;
	uint32_t k = 1;
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, vals, 0) == 0, "update percpu");
	memset(out, 0, sizeof(out));
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, out, 0) == 0, "lookup percpu");
	CHECK((uint32_t)out[0] == 0x100 && (uint32_t)out[1] == 0x101, "per-CPU values %llx %llx",
	      (unsigned long long)out[0], (unsigned long long)out[1]);
	bpfrt_close(rt, fd);
}

/* BPF_F_MMAPABLE: the application's mapping and the syscall side see the
 * same values; frozen maps refuse writable mappings, and writable mappings
 * refuse freezing. */
static void test_mmap(void)
{
	int plain = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	size_t size = 0;
	CHECK(!bpfrt_map_mmap(rt, plain, false, &size) && errno == EINVAL, "not mmapable");
	int fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 12, 100, BPF_F_MMAPABLE);
	uint8_t *p = bpfrt_map_mmap(rt, fd, true, &size);
	CHECK(p && size == 16 * 100, "mapped %zu bytes", size);
	if (!p)
		return;
	uint32_t k = 7;
	uint8_t v[12] = {9, 8, 7}, out[12];
	CHECK(elem(BPF_MAP_UPDATE_ELEM, fd, &k, v, 0) == 0 && p[7 * 16] == 9 && p[7 * 16 + 2] == 7, "syscall write visible");
	p[3 * 16 + 1] = 0x55;
	k = 3;
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, out, 0) == 0 && out[1] == 0x55, "mapping write visible");
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	CHECK(bpfrt_bpf(rt, BPF_MAP_FREEZE, &a, sizeof(a)) == -EBUSY, "freeze with a writable mapping");
	CHECK(bpfrt_map_munmap(rt, fd, p, true) == 0, "munmap");
	CHECK(bpfrt_bpf(rt, BPF_MAP_FREEZE, &a, sizeof(a)) == 0, "freeze once unmapped");
	CHECK(!bpfrt_map_mmap(rt, fd, true, &size) && errno == EPERM, "writable mapping of a frozen map");
	const uint8_t *ro = bpfrt_map_mmap(rt, fd, false, &size);
	CHECK(ro && ro[3 * 16 + 1] == 0x55, "read-only mapping of a frozen map");
	bpfrt_map_munmap(rt, fd, (void *)ro, false);
	bpfrt_close(rt, fd);
	bpfrt_close(rt, plain);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	test_create_errors();
	test_array_ops();
	test_percpu();
	test_mmap();
	bpfrt_free(rt);
	return CHECK_DONE();
}
