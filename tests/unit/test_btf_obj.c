/* test_btf_obj.c — BTF objects and maps with BTF: BPF_BTF_LOAD's checks and
 * log, BTF ids and info, MAP_CREATE's key/value type checks, the BTF kept
 * in a pinned map for another runtime, and bpf_spin_lock values: BPF_F_LOCK
 * lookups and updates (element and batch) against programs that take the
 * same lock from other threads.  Errno values are those of Linux 6.18. */
#define _GNU_SOURCE
#include "bpfrt/bpfrt.h"
#include "btf_build.h"
#include "check.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define LD_MAP(d, fd) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define ENOTSUPP 524 /* the kernel's, not in errno.h */
#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))

static struct bpfrt *rt;
static char logbuf[4096];

/* Types: [1] u32, [2] u64, [3] struct bpf_spin_lock, [4] struct val
 * {u32 a; struct bpf_spin_lock l; u64 b}, [5] u32[4], [6] u16. */
struct ids {
	uint32_t u32, u64, lock, val, arr, u16;
};

static void build(struct btf_build *b, struct ids *i)
{
	bb_init(b);
	i->u32 = bb_int(b, "unsigned int", 4, false);
	i->u64 = bb_int(b, "long long unsigned int", 8, false);
	i->lock = bb_struct(b, "bpf_spin_lock", 1, 4);
	bb_member(b, "val", i->u32, 0);
	i->val = bb_struct(b, "val", 3, 16);
	bb_member(b, "a", i->u32, 0);
	bb_member(b, "l", i->lock, 32);
	bb_member(b, "b", i->u64, 64);
	i->arr = bb_array(b, i->u32, i->u32, 4);
	i->u16 = bb_int(b, "short unsigned int", 2, false);
}

static int btf_load(const void *data, uint32_t size, uint32_t level, char *buf, uint32_t bsz)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf = (uintptr_t)data, a.btf_size = size;
	a.btf_log_level = level, a.btf_log_buf = (uintptr_t)buf, a.btf_log_size = bsz;
	return bpfrt_bpf(rt, BPF_BTF_LOAD, &a, sizeof(a));
}

static int map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags, int btf,
		      uint32_t kid, uint32_t vid)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n, a.map_flags = flags;
	a.btf_fd = (uint32_t)btf, a.btf_key_type_id = kid, a.btf_value_type_id = vid;
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

static int elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.value = (uintptr_t)value, a.flags = flags;
	return bpfrt_bpf(rt, cmd, &a, sizeof(a));
}

static int info(int fd, void *buf, uint32_t len)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd, a.info.info = (uintptr_t)buf, a.info.info_len = len;
	return bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
}

static void test_btf_load(void)
{
	struct btf_build b;
	struct ids i;
	build(&b, &i);
	uint32_t n;
	const uint8_t *raw = bb_raw(&b, &n);
	static uint8_t bad[sizeof(b.raw)];

	CHECK(btf_load(NULL, 0, 0, NULL, 0) == -EINVAL, "empty");
	CHECK(btf_load(raw, 8, 0, NULL, 0) == -EINVAL, "shorter than the header");
	CHECK(btf_load(raw, (16u << 20) + 1, 0, NULL, 0) == -E2BIG, "over 16 MiB");
	CHECK(btf_load(raw, n, 1, logbuf, 0) == -EINVAL, "log buffer without size");
	CHECK(btf_load(raw, n, 0, logbuf, sizeof(logbuf)) == -EINVAL, "log buffer without level");
	CHECK(btf_load(raw, n, 32, logbuf, sizeof(logbuf)) == -EINVAL, "unknown level bits");
	memcpy(bad, raw, n);
	bad[0] = 0;
	logbuf[0] = 0;
	CHECK(btf_load(bad, n, 1, logbuf, sizeof(logbuf)) == -EINVAL, "bad magic");
	CHECK(strlen(logbuf) > 0, "the log says why: '%s'", logbuf);
	CHECK(btf_load(bad, n, 1, logbuf, 4) == -ENOSPC, "a log too small is ENOSPC");

	/* The kernel's rules on bpf_spin_lock members. */
	struct btf_build l;
	struct ids li;
	build(&l, &li);
	bb_struct(&l, "two", 2, 8);
	bb_member(&l, "l1", li.lock, 0);
	bb_member(&l, "l2", li.lock, 32);
	const void *r = bb_raw(&l, &n);
	CHECK(btf_load(r, n, 0, NULL, 0) == -E2BIG, "two locks in one struct");
	build(&l, &li);
	bb_struct(&l, "mis", 2, 8);
	bb_member(&l, "c", li.u16, 0);
	bb_member(&l, "l", li.lock, 16);
	r = bb_raw(&l, &n);
	CHECK(btf_load(r, n, 0, NULL, 0) == -EFAULT, "lock not 4-aligned");

	raw = bb_raw(&b, &n);
	int fd = btf_load(raw, n, 1, NULL, 0);
	CHECK(fd >= 0, "load: %d", fd);
	struct bpf_btf_info bi;
	static uint8_t out[8192];
	char name[16] = "x";
	memset(&bi, 0, sizeof(bi));
	bi.btf = (uintptr_t)out, bi.btf_size = sizeof(out), bi.name = (uintptr_t)name, bi.name_len = sizeof(name);
	CHECK(info(fd, &bi, sizeof(bi)) == 0 && bi.btf_size == n && !memcmp(out, raw, n) && bi.id &&
		      !name[0] && !bi.kernel_btf,
	      "info: size %u id %u", bi.btf_size, bi.id);
	memset(&bi, 0, sizeof(bi));
	bi.btf = (uintptr_t)out, bi.btf_size = 10;
	CHECK(info(fd, &bi, sizeof(bi)) == 0 && bi.btf_size == n, "short buffer: the full size back");
	memset(&bi, 0, sizeof(bi));
	bi.name_len = 5;
	CHECK(info(fd, &bi, sizeof(bi)) == -EINVAL, "name length without a name buffer");
	memset(&bi, 0, sizeof(bi));
	CHECK(info(fd, &bi, sizeof(bi)) == 0, "bare info");

	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf_id = bi.id;
	int fd2 = bpfrt_bpf(rt, BPF_BTF_GET_FD_BY_ID, &a, sizeof(a));
	CHECK(fd2 >= 0 && fd2 != fd, "fd by id");
	a.open_flags = BPF_F_RDONLY;
	CHECK(bpfrt_bpf(rt, BPF_BTF_GET_FD_BY_ID, &a, sizeof(a)) == -EINVAL, "open_flags");
	memset(&a, 0, sizeof(a));
	a.btf_id = 99999;
	CHECK(bpfrt_bpf(rt, BPF_BTF_GET_FD_BY_ID, &a, sizeof(a)) == -ENOENT, "no such id");
	memset(&a, 0, sizeof(a));
	CHECK(bpfrt_bpf(rt, BPF_BTF_GET_NEXT_ID, &a, sizeof(a)) == 0 && a.next_id == bi.id, "next id");
	a.start_id = bi.id;
	CHECK(bpfrt_bpf(rt, BPF_BTF_GET_NEXT_ID, &a, sizeof(a)) == -ENOENT, "no next id");
	/* The object lives while an fd does. */
	bpfrt_close(rt, fd);
	memset(&a, 0, sizeof(a));
	a.btf_id = bi.id;
	int fd3 = bpfrt_bpf(rt, BPF_BTF_GET_FD_BY_ID, &a, sizeof(a));
	CHECK(fd3 >= 0, "still there through fd2");
	bpfrt_close(rt, fd2);
	bpfrt_close(rt, fd3);
	CHECK(bpfrt_bpf(rt, BPF_BTF_GET_FD_BY_ID, &a, sizeof(a)) == -ENOENT, "gone with its last fd");
}

static void test_map_create(void)
{
	struct btf_build b;
	struct ids i;
	build(&b, &i);
	uint32_t n;
	const void *raw = bb_raw(&b, &n);
	int btf = btf_load(raw, n, 0, NULL, 0);
	int plain = map_create(BPF_MAP_TYPE_HASH, 4, 4, 4, 0, 0, 0, 0);
	CHECK(btf >= 0 && plain >= 0, "setup");
	/* fd 0: the kernel's is some file (EINVAL); bpfrt's fds start at 3. */
	CHECK(map_create(BPF_MAP_TYPE_HASH, 4, 16, 4, 0, 0, i.u32, i.val) == -EBADF, "fd 0 is no BTF");
	CHECK(map_create(BPF_MAP_TYPE_HASH, 4, 16, 4, 0, 999, i.u32, i.val) == -EBADF, "bad fd");
	CHECK(map_create(BPF_MAP_TYPE_HASH, 4, 16, 4, 0, plain, i.u32, i.val) == -EINVAL, "a map fd");
	CHECK(map_create(BPF_MAP_TYPE_HASH, 4, 24, 4, 0, btf, i.u32, i.val) == -EINVAL, "value size");
	CHECK(map_create(BPF_MAP_TYPE_HASH, 8, 16, 4, 0, btf, i.u32, i.val) == -EINVAL, "key size");
	CHECK(map_create(BPF_MAP_TYPE_HASH, 4, 16, 4, 0, btf, 0, i.val) == -EINVAL, "hash without key type");
	CHECK(map_create(BPF_MAP_TYPE_HASH, 4, 16, 4, 0, btf, i.u32, 0) == -EINVAL, "no value type");
	CHECK(map_create(BPF_MAP_TYPE_HASH, 4, 16, 4, 0, btf, i.u32, 9999) == -EINVAL, "no such type");
	CHECK(map_create(BPF_MAP_TYPE_ARRAY, 4, 16, 4, 0, btf, i.lock, i.val) == -EINVAL, "array key a struct");
	CHECK(map_create(BPF_MAP_TYPE_ARRAY, 8, 16, 4, 0, btf, i.u64, i.val) == -EINVAL, "array key u64");
	CHECK(map_create(BPF_MAP_TYPE_ARRAY, 4, 16, 1, 0, btf, 0, i.val) == -EINVAL, "array without key, not datasec");
	CHECK(map_create(BPF_MAP_TYPE_PERCPU_HASH, 4, 16, 4, 0, btf, i.u32, i.val) == -EOPNOTSUPP, "percpu lock");
	CHECK(map_create(BPF_MAP_TYPE_LRU_HASH, 4, 16, 4, 0, btf, i.u32, i.val) == -EOPNOTSUPP, "lru lock");
	CHECK(map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 4, 0, btf, i.u32, i.val) == -EOPNOTSUPP,
	      "percpu array lock");
	CHECK(map_create(BPF_MAP_TYPE_QUEUE, 0, 16, 4, 0, btf, 0, i.val) == -EINVAL, "queue lock");
	int ok = map_create(BPF_MAP_TYPE_HASH, 4, 16, 4, 0, btf, 0, 0);
	CHECK(ok >= 0, "btf_fd alone is ignored");
	bpfrt_close(rt, ok);
	int h = map_create(BPF_MAP_TYPE_HASH, 4, 16, 4, 0, btf, i.u32, i.val);
	int ar = map_create(BPF_MAP_TYPE_ARRAY, 4, 16, 4, 0, btf, i.u32, i.val);
	int nl = map_create(BPF_MAP_TYPE_HASH, 4, 16, 4, 0, btf, i.u32, i.arr);
	int pa = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 4, 0, btf, i.u32, i.arr);
	CHECK(h >= 0 && ar >= 0 && nl >= 0 && pa >= 0, "create %d %d %d %d", h, ar, nl, pa);
	struct bpf_map_info mi;
	struct bpf_btf_info bi;
	memset(&mi, 0, sizeof(mi));
	memset(&bi, 0, sizeof(bi));
	CHECK(info(h, &mi, sizeof(mi)) == 0 && info(btf, &bi, sizeof(bi)) == 0 && mi.btf_id == bi.id &&
		      mi.btf_key_type_id == i.u32 && mi.btf_value_type_id == i.val,
	      "map info btf %u/%u k %u v %u", mi.btf_id, bi.id, mi.btf_key_type_id, mi.btf_value_type_id);
	/* The map keeps the BTF after its fd closes. */
	bpfrt_close(rt, btf);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf_id = bi.id;
	int again = bpfrt_bpf(rt, BPF_BTF_GET_FD_BY_ID, &a, sizeof(a));
	CHECK(again >= 0, "the map holds the BTF");
	bpfrt_close(rt, again);

	/* BPF_F_LOCK: only with a lock in the value. */
	uint32_t k = 1, v[4] = {1, 0xdeadbeef, 3, 4}, o[4];
	CHECK(elem(BPF_MAP_UPDATE_ELEM, nl, &k, v, BPF_F_LOCK) == -EINVAL, "no lock: update");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, nl, &k, o, BPF_F_LOCK) == -EINVAL, "no lock: lookup");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, pa, &k, v, BPF_F_LOCK) == -EINVAL, "per-cpu: update");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, h, &k, v, BPF_F_LOCK) == 0, "hash: new element with F_LOCK");
	memset(o, 0xff, sizeof(o));
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, h, &k, o, BPF_F_LOCK) == 0 && o[0] == 1 && o[1] == 0 && o[2] == 3 &&
		      o[3] == 4,
	      "hash: lock word comes back 0: %x %x %x %x", o[0], o[1], o[2], o[3]);
	memset(o, 0xff, sizeof(o));
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, h, &k, o, 0) == 0 && o[1] == 0, "hash: plain lookup too");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, h, &k, v, BPF_F_LOCK | BPF_NOEXIST) == -EEXIST, "F_LOCK|NOEXIST");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, h, &k, v, BPF_F_LOCK | BPF_EXIST) == 0, "F_LOCK|EXIST");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, h, &k, o, BPF_F_LOCK | 1) == -EINVAL, "lookup flags");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, ar, &k, v, BPF_F_LOCK) == 0, "array F_LOCK");
	memset(o, 0xff, sizeof(o));
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, ar, &k, o, 0) == 0 && o[0] == 1 && o[1] == 0, "array lookup");
	k = 9;
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, ar, &k, o, BPF_F_LOCK) == -ENOENT, "array F_LOCK lookup out of range");
	CHECK(elem(BPF_MAP_UPDATE_ELEM, ar, &k, v, BPF_F_LOCK) == -E2BIG, "array F_LOCK update out of range");
	k = 1;
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, ar, &k, o, BPF_F_LOCK) == -ENOTSUPP, "array lookup_and_delete");
	memset(o, 0xff, sizeof(o));
	CHECK(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, h, &k, o, BPF_F_LOCK) == 0 && o[1] == 0 && o[0] == 1,
	      "hash lookup_and_delete F_LOCK");

	/* Batches. */
	uint32_t keys[2] = {0, 1}, vals[8] = {5, 7, 6, 8, 9, 7, 10, 11};
	uint32_t token = 0;
	memset(&a, 0, sizeof(a));
	a.batch.keys = (uintptr_t)keys, a.batch.values = (uintptr_t)vals, a.batch.count = 2;
	a.batch.out_batch = (uintptr_t)&token, a.batch.elem_flags = BPF_F_LOCK;
	a.batch.map_fd = (uint32_t)nl;
	CHECK(bpfrt_bpf(rt, BPF_MAP_UPDATE_BATCH, &a, sizeof(a)) == -EINVAL, "batch F_LOCK without a lock");
	a.batch.map_fd = (uint32_t)h, a.batch.count = 2;
	CHECK(bpfrt_bpf(rt, BPF_MAP_UPDATE_BATCH, &a, sizeof(a)) == 0 && a.batch.count == 2, "hash batch update");
	memset(vals, 0xff, sizeof(vals));
	a.batch.count = 2;
	int e = bpfrt_bpf(rt, BPF_MAP_LOOKUP_BATCH, &a, sizeof(a));
	CHECK((e == 0 || e == -ENOENT) && a.batch.count == 2 && vals[1] == 0 && vals[5] == 0,
	      "hash batch lookup F_LOCK: %d count %u lock words %x %x", e, a.batch.count, vals[1], vals[5]);
	a.batch.map_fd = (uint32_t)ar, a.batch.count = 2;
	a.batch.elem_flags = BPF_F_LOCK | 1;
	CHECK(bpfrt_bpf(rt, BPF_MAP_LOOKUP_BATCH, &a, sizeof(a)) == -EINVAL, "unknown elem_flags");
	a.batch.elem_flags = BPF_F_LOCK;
	CHECK(bpfrt_bpf(rt, BPF_MAP_LOOKUP_BATCH, &a, sizeof(a)) == 0 && a.batch.count == 2, "array batch lookup");
	bpfrt_close(rt, h);
	bpfrt_close(rt, ar);
	bpfrt_close(rt, nl);
	bpfrt_close(rt, pa);
	bpfrt_close(rt, plain);
}

/* ---- spin lock shared by programs and the syscall side ----------------- */

static int prog_fd;
static int lock_map;
static volatile int stop;
static int torn;

static int run_prog(void)
{
	union bpf_attr a;
	uint64_t c = 0;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog_fd, a.test.ctx_in = (uintptr_t)&c, a.test.ctx_size_in = 8;
	return bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
}

static void *program_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++)
		run_prog();
	return NULL;
}

/* Writes a == b pairs with F_LOCK and checks every F_LOCK read sees a
 * pair the program (which adds 1 to both under the lock) or a writer left
 * consistent. */
static void *syscall_thread(void *arg)
{
	uint32_t k = 0, v[4], o[4];
	uint32_t base = (uint32_t)(uintptr_t)arg;
	for (uint32_t i = 0; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE) && i < 20000; i++) {
		v[0] = base + i, v[1] = 0x11111111, v[2] = base + i, v[3] = 0;
		if (elem(BPF_MAP_UPDATE_ELEM, lock_map, &k, v, BPF_F_LOCK))
			__atomic_add_fetch(&torn, 1000000, __ATOMIC_RELAXED);
		if (elem(BPF_MAP_LOOKUP_ELEM, lock_map, &k, o, BPF_F_LOCK) || o[0] != o[2] || o[1] != 0)
			__atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void spin_case(uint32_t type, int btf, const struct ids *i)
{
	lock_map = map_create(type, 4, 16, 1, 0, btf, i->u32, i->val);
	CHECK(lock_map >= 0, "lock map type %u", type);
	uint32_t k0 = 0, zero[4] = {0};
	elem(BPF_MAP_UPDATE_ELEM, lock_map, &k0, zero, 0);
	/* r6 = lookup(&0); lock(r6 + 4); a += 1; b += 1; unlock. */
	const struct bpf_insn prog[] = {
		INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0),
		LD_MAP(1, lock_map),
		MOV64_REG(2, 10),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 1, 0),
		EXIT,
		MOV64_REG(6, 0),
		MOV64_REG(1, 6),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 4),
		CALL(BPF_FUNC_spin_lock),
		INSN(BPF_LDX | BPF_MEM | BPF_W, 1, 6, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 1),
		INSN(BPF_STX | BPF_MEM | BPF_W, 6, 1, 0, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 1, 6, 8, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 1),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 6, 1, 8, 0),
		MOV64_REG(1, 6),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 4),
		CALL(BPF_FUNC_spin_unlock),
		MOV64_IMM(0, 0),
		EXIT,
	};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SYSCALL, a.insns = (uintptr_t)prog, a.insn_cnt = N(prog);
	a.license = (uintptr_t)"GPL";
	prog_fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
	CHECK(prog_fd >= 0, "load the locking program");
	torn = 0;
	__atomic_store_n(&stop, 0, __ATOMIC_RELEASE);
	pthread_t t[4];
	pthread_create(&t[0], NULL, program_thread, NULL);
	pthread_create(&t[1], NULL, program_thread, NULL);
	pthread_create(&t[2], NULL, syscall_thread, (void *)(uintptr_t)0x100000);
	pthread_create(&t[3], NULL, syscall_thread, (void *)(uintptr_t)0x200000);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(t[2], NULL);
	pthread_join(t[3], NULL);
	CHECK(torn == 0, "type %u: %d inconsistent F_LOCK reads (x1e6: failed updates)", type, torn);
	/* With the writers gone, the program's increments all land. */
	uint32_t o[4];
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, lock_map, &k0, o, BPF_F_LOCK) == 0, "read back");
	uint32_t before = o[0];
	for (int r = 0; r < 100; r++)
		run_prog();
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, lock_map, &k0, o, BPF_F_LOCK) == 0 && o[0] == before + 100 &&
		      o[2] == before + 100 && o[1] == 0,
	      "program increments after the race: %u -> %u/%u", before, o[0], o[2]);
	bpfrt_close(rt, prog_fd);
	bpfrt_close(rt, lock_map);
}

static int held_map;
static volatile int update_done;

static void *locked_updater(void *arg)
{
	(void)arg;
	uint32_t k = 0, v[4] = {42, 1, 43, 0};
	elem(BPF_MAP_UPDATE_ELEM, held_map, &k, v, BPF_F_LOCK);
	__atomic_store_n(&update_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A lock held (as a program holds it between bpf_spin_lock and unlock)
 * holds off BPF_F_LOCK updates; plain updates go around the lock word. */
static void test_held_lock(int btf, const struct ids *i)
{
	held_map = map_create(BPF_MAP_TYPE_ARRAY, 4, 16, 1, BPF_F_MMAPABLE, btf, i->u32, i->val);
	CHECK(held_map >= 0, "mmapable array with a lock (the kernel allows it)");
	size_t size;
	uint32_t *vals = bpfrt_map_mmap(rt, held_map, true, &size);
	CHECK(vals != NULL, "mmap");
	if (!vals)
		return;
	__atomic_store_n(&vals[1], 1, __ATOMIC_RELEASE); /* the lock is held */
	uint32_t k = 0, v[4] = {7, 0, 8, 0}, o[4];
	CHECK(elem(BPF_MAP_UPDATE_ELEM, held_map, &k, v, 0) == 0 && vals[0] == 7 && vals[1] == 1,
	      "a plain update leaves the held lock word alone (%u)", vals[1]);
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, held_map, &k, o, 0) == 0 && o[0] == 7 && o[1] == 0,
	      "a plain lookup doesn't wait and shows the lock as 0");
	__atomic_store_n(&update_done, 0, __ATOMIC_RELEASE);
	pthread_t t;
	pthread_create(&t, NULL, locked_updater, NULL);
	usleep(50000);
	CHECK(!__atomic_load_n(&update_done, __ATOMIC_ACQUIRE) && __atomic_load_n(&vals[0], __ATOMIC_ACQUIRE) == 7,
	      "F_LOCK update waits for the lock");
	__atomic_store_n(&vals[1], 0, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	CHECK(__atomic_load_n(&update_done, __ATOMIC_ACQUIRE) && vals[0] == 42 && vals[2] == 43 && vals[1] == 0, "then goes through");
	bpfrt_map_munmap(rt, held_map, vals, true);
	bpfrt_close(rt, held_map);
}

/* The BTF travels with a pinned map: another runtime opening the pin gets
 * a BTF object with the same bytes, and the spin lock offset. */
static void test_pinned(const struct ids *i, const void *raw, uint32_t n)
{
	char root[] = "/tmp/bpfrt-btfobj-XXXXXX";
	if (!mkdtemp(root)) {
		CHECK(0, "mkdtemp");
		return;
	}
	struct bpfrt_opts opts = {.sz = sizeof(opts), .pin_root = root};
	struct bpfrt *r1 = bpfrt_new(&opts), *r2 = bpfrt_new(&opts), *saved = rt;
	char path[128];
	snprintf(path, sizeof(path), "%s/m", root);
	/* The BTF must be r1's: load it there. */
	rt = r1;
	int b1 = btf_load(raw, n, 0, NULL, 0);
	int m = map_create(BPF_MAP_TYPE_HASH, 4, 16, 8, 0, b1, i->u32, i->val);
	uint32_t k = 3, v[4] = {1, 1, 2, 0}, o[4];
	CHECK(m >= 0 && elem(BPF_MAP_UPDATE_ELEM, m, &k, v, 0) == 0, "create in r1");
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)path, a.bpf_fd = (uint32_t)m;
	CHECK(bpfrt_bpf(r1, BPF_OBJ_PIN, &a, sizeof(a)) == 0, "pin");
	rt = r2;
	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)path;
	int m2 = bpfrt_bpf(r2, BPF_OBJ_GET, &a, sizeof(a));
	CHECK(m2 >= 0, "open in r2");
	struct bpf_map_info mi;
	memset(&mi, 0, sizeof(mi));
	CHECK(info(m2, &mi, sizeof(mi)) == 0 && mi.btf_id && mi.btf_value_type_id == i->val, "r2 map info btf %u",
	      mi.btf_id);
	memset(&a, 0, sizeof(a));
	a.btf_id = mi.btf_id;
	int b2 = bpfrt_bpf(r2, BPF_BTF_GET_FD_BY_ID, &a, sizeof(a));
	static uint8_t out[8192];
	struct bpf_btf_info bi;
	memset(&bi, 0, sizeof(bi));
	bi.btf = (uintptr_t)out, bi.btf_size = sizeof(out);
	CHECK(b2 >= 0 && info(b2, &bi, sizeof(bi)) == 0 && bi.btf_size == n && !memcmp(out, raw, n),
	      "r2 gets the same BTF bytes");
	memset(o, 0xff, sizeof(o));
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, m2, &k, o, BPF_F_LOCK) == 0 && o[0] == 1 && o[1] == 0 && o[2] == 2,
	      "F_LOCK in r2");
	bpfrt_close(r2, b2);
	bpfrt_close(r2, m2);
	bpfrt_close(r1, m);
	bpfrt_close(r1, b1);
	rt = saved;
	bpfrt_free(r1);
	bpfrt_free(r2);
	unlink(path);
	rmdir(root);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	test_btf_load();
	test_map_create();
	struct btf_build b;
	struct ids i;
	build(&b, &i);
	uint32_t n;
	const void *raw = bb_raw(&b, &n);
	int btf = btf_load(raw, n, 0, NULL, 0);
	spin_case(BPF_MAP_TYPE_ARRAY, btf, &i);
	spin_case(BPF_MAP_TYPE_HASH, btf, &i);
	test_held_lock(btf, &i);
	test_pinned(&i, raw, n);
	bpfrt_close(rt, btf);
	bpfrt_free(rt);
	return CHECK_DONE();
}
