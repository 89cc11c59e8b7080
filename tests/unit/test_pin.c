/* test_pin.c — pinning shared across processes: process A creates and pins
 * a map and a program; process B (a fork with its own runtime) opens both
 * by path, runs the program and updates the map; A sees B's updates.  Also
 * ids, GET_FD_BY_ID, OBJ_GET_INFO_BY_FD, pin errors and file modes. */
#define _GNU_SOURCE
#include "bpfrt/bpfrt.h"
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)

static char root[256];

static int bpf(struct bpfrt *rt, int cmd, union bpf_attr *a)
{
	return bpfrt_bpf(rt, cmd, a, sizeof(*a));
}

static int obj_path(struct bpfrt *rt, int cmd, int fd, const char *path)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)path, a.bpf_fd = (uint32_t)fd;
	return bpf(rt, cmd, &a);
}

static int map_elem(struct bpfrt *rt, int cmd, int fd, uint32_t key, uint64_t *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)&key, a.value = (uintptr_t)value;
	return bpf(rt, cmd, &a);
}

/* A syscall program: map[0] += 1 (atomically), return the new value. */
static int load_counter(struct bpfrt *rt, int map_fd)
{
	const struct bpf_insn prog[] = {
		INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, map_fd), INSN(0, 0, 0, 0, 0),
		MOV64_REG(2, 10), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 1, 0), EXIT,
		MOV64_IMM(1, 1),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 0, BPF_ADD | BPF_FETCH),
		MOV64_REG(0, 1), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1), EXIT,
	};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SYSCALL, a.insns = (uintptr_t)prog;
	a.insn_cnt = sizeof(prog) / sizeof(prog[0]), a.license = (uintptr_t)"GPL";
	strcpy(a.prog_name, "counter");
	return bpf(rt, BPF_PROG_LOAD, &a);
}

/* SYSCALL programs take no repeat (as in the kernel): run them n times. */
static int run(struct bpfrt *rt, int prog_fd, uint32_t n, uint32_t *retval)
{
	union bpf_attr a;
	int err = 0;
	for (uint32_t i = 0; i < n && !err; i++) {
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)prog_fd;
		err = bpf(rt, BPF_PROG_TEST_RUN, &a);
		*retval = a.test.retval;
	}
	return err;
}

static struct bpfrt *new_rt(void)
{
	struct bpfrt_opts o = {.sz = sizeof(o), .pin_root = root};
	return bpfrt_new(&o);
}

/* Process B: open the pins, run the program 100 times, write map[1]. */
static int child_b(const char *map_path, const char *prog_path)
{
	struct bpfrt *rt = new_rt();
	int map = obj_path(rt, BPF_OBJ_GET, 0, map_path);
	int prog = obj_path(rt, BPF_OBJ_GET, 0, prog_path);
	if (map < 0 || prog < 0)
		return 10;
	uint32_t retval = 0;
	if (run(rt, prog, 100, &retval) || retval != 101)
		return 11;
	uint64_t v = 42;
	if (map_elem(rt, BPF_MAP_UPDATE_ELEM, map, 1, &v))
		return 12;
	bpfrt_free(rt);
	return 0;
}

static void test_two_processes(void)
{
	struct bpfrt *rt = new_rt();
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY, a.key_size = 4, a.value_size = 8, a.max_entries = 4;
	strcpy(a.map_name, "shared");
	int map = bpf(rt, BPF_MAP_CREATE, &a);
	int prog = load_counter(rt, map);
	CHECK(map >= 0 && prog >= 0, "create %d %d", map, prog);
	char map_path[300], prog_path[300];
	snprintf(map_path, sizeof(map_path), "%s/counts", root);
	snprintf(prog_path, sizeof(prog_path), "%s/counter", root);
	CHECK(obj_path(rt, BPF_OBJ_PIN, map, map_path) == 0, "pin map: %s", strerror(errno));
	CHECK(obj_path(rt, BPF_OBJ_PIN, prog, prog_path) == 0, "pin prog: %s", strerror(errno));
	CHECK(obj_path(rt, BPF_OBJ_PIN, map, map_path) == -EEXIST, "pin twice");
	struct stat st;
	CHECK(stat(map_path, &st) == 0 && (st.st_mode & 0777) == 0600, "map pin mode %o", st.st_mode & 0777);
	CHECK(stat(prog_path, &st) == 0 && (st.st_mode & 0777) == 0600, "prog pin mode %o", st.st_mode & 0777);
	uint32_t retval = 0;
	CHECK(run(rt, prog, 1, &retval) == 0 && retval == 1, "A runs once: %u", retval);

	pid_t pid = fork();
	if (pid == 0)
		_exit(child_b(map_path, prog_path));
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", WEXITSTATUS(status));
	uint64_t v = 0;
	CHECK(map_elem(rt, BPF_MAP_LOOKUP_ELEM, map, 0, &v) == 0 && v == 101, "A sees B's runs: %llu", (unsigned long long)v);
	CHECK(map_elem(rt, BPF_MAP_LOOKUP_ELEM, map, 1, &v) == 0 && v == 42, "A sees B's update: %llu", (unsigned long long)v);
	CHECK(run(rt, prog, 1, &retval) == 0 && retval == 102, "A's program sees the shared map: %u", retval);

	/* The pin keeps the map alive after every fd is closed. */
	bpfrt_close(rt, prog);
	bpfrt_close(rt, map);
	map = obj_path(rt, BPF_OBJ_GET, 0, map_path);
	CHECK(map >= 0 && map_elem(rt, BPF_MAP_LOOKUP_ELEM, map, 0, &v) == 0 && v == 102, "reopened: %llu", (unsigned long long)v);
	/* Opening the same pin again gives the same object (one id), as in the kernel. */
	int again = obj_path(rt, BPF_OBJ_GET, 0, map_path);
	struct bpf_map_info i1, i2;
	union bpf_attr ia;
	memset(&i1, 0, sizeof(i1));
	memset(&i2, 0, sizeof(i2));
	memset(&ia, 0, sizeof(ia));
	ia.info.bpf_fd = (uint32_t)map, ia.info.info = (uintptr_t)&i1, ia.info.info_len = sizeof(i1);
	bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &ia);
	ia.info.bpf_fd = (uint32_t)again, ia.info.info = (uintptr_t)&i2;
	bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &ia);
	CHECK(again >= 0 && again != map && i1.id == i2.id && i1.id != 0, "same object: ids %u %u", i1.id, i2.id);

	/* Errors. */
	char missing[300];
	snprintf(missing, sizeof(missing), "%s/nodir/x", root);
	CHECK(obj_path(rt, BPF_OBJ_PIN, map, missing) == -ENOENT, "pin into a missing dir");
	CHECK(obj_path(rt, BPF_OBJ_GET, 0, missing) == -ENOENT, "get missing");
	CHECK(obj_path(rt, BPF_OBJ_PIN, 77, map_path) == -EBADF, "pin bad fd");
	snprintf(missing, sizeof(missing), "%s/junk", root);
	FILE *f = fopen(missing, "w");
	fputs("not a bpfrt object", f);
	fclose(f);
	CHECK(obj_path(rt, BPF_OBJ_GET, 0, missing) == -EINVAL, "get junk");
	bpfrt_free(rt);
}

static void test_ids_and_info(void)
{
	struct bpfrt *rt = new_rt();
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY, a.key_size = 4, a.value_size = 8, a.max_entries = 2;
	strcpy(a.map_name, "m1");
	int m1 = bpf(rt, BPF_MAP_CREATE, &a);
	int m2 = bpf(rt, BPF_MAP_CREATE, &a);
	int prog = load_counter(rt, m2);
	memset(&a, 0, sizeof(a));
	CHECK(bpf(rt, BPF_MAP_GET_NEXT_ID, &a) == 0 && a.next_id == 1, "first map id %u", a.next_id);
	a.start_id = a.next_id;
	CHECK(bpf(rt, BPF_MAP_GET_NEXT_ID, &a) == 0 && a.next_id == 2, "second map id");
	a.start_id = 2;
	CHECK(bpf(rt, BPF_MAP_GET_NEXT_ID, &a) == -ENOENT, "no third map");
	memset(&a, 0, sizeof(a));
	a.map_id = 1;
	int fd = bpf(rt, BPF_MAP_GET_FD_BY_ID, &a);
	CHECK(fd >= 0 && fd != m1, "fd by id %d", fd);
	a.map_id = 99;
	CHECK(bpf(rt, BPF_MAP_GET_FD_BY_ID, &a) == -ENOENT, "bad id");

	struct bpf_map_info mi;
	memset(&mi, 0, sizeof(mi));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd, a.info.info = (uintptr_t)&mi, a.info.info_len = sizeof(mi);
	CHECK(bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a) == 0, "map info");
	CHECK(mi.id == 1 && mi.type == BPF_MAP_TYPE_ARRAY && mi.key_size == 4 && mi.value_size == 8 &&
	      mi.max_entries == 2 && !strcmp(mi.name, "m1"), "map info fields");
	uint32_t map_ids[4] = {0};
	struct bpf_prog_info pi;
	memset(&pi, 0, sizeof(pi));
	pi.map_ids = (uintptr_t)map_ids, pi.nr_map_ids = 4;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)prog, a.info.info = (uintptr_t)&pi, a.info.info_len = sizeof(pi);
	CHECK(bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a) == 0, "prog info");
	CHECK(pi.type == BPF_PROG_TYPE_SYSCALL && pi.nr_map_ids == 1 && map_ids[0] == 2 && !strcmp(pi.name, "counter") &&
	      pi.xlated_prog_len == 13 * 8, "prog info fields: %u %u %u", pi.nr_map_ids, map_ids[0], pi.xlated_prog_len);
	/* A larger struct from a newer caller: the extra bytes must be zero. */
	char big[sizeof(struct bpf_map_info) + 16];
	memset(big, 0, sizeof(big));
	big[sizeof(big) - 1] = 1;
	a.info.bpf_fd = (uint32_t)m1, a.info.info = (uintptr_t)big, a.info.info_len = sizeof(big);
	CHECK(bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a) == -E2BIG, "info tail");
	/* Closing every fd frees the map; its id disappears. */
	bpfrt_close(rt, fd);
	bpfrt_close(rt, m1);
	memset(&a, 0, sizeof(a));
	a.map_id = 1;
	CHECK(bpf(rt, BPF_MAP_GET_FD_BY_ID, &a) == -ENOENT, "freed map id");
	bpfrt_free(rt);
}

/* Process C opens a pinned hash map and writes to it in a loop until it is
 * killed with SIGKILL; the others must find the map consistent and usable. */
static void writer_loop(const char *path)
{
	struct bpfrt *rt = new_rt();
	int map = obj_path(rt, BPF_OBJ_GET, 0, path);
	if (map < 0)
		_exit(3);
	for (uint64_t i = 0;; i++) {
		uint32_t key = (uint32_t)(i * 2654435761u) % 512;
		uint64_t v = i;
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)map, a.key = (uintptr_t)&key, a.value = (uintptr_t)&v;
		bpf(rt, i % 3 ? BPF_MAP_UPDATE_ELEM : BPF_MAP_DELETE_ELEM, &a);
	}
}

static void test_kill_writer(void)
{
	struct bpfrt *rt = new_rt();
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH, a.key_size = 4, a.value_size = 8, a.max_entries = 256;
	int map = bpf(rt, BPF_MAP_CREATE, &a);
	char path[300];
	snprintf(path, sizeof(path), "%s/victim", root);
	CHECK(map >= 0 && obj_path(rt, BPF_OBJ_PIN, map, path) == 0, "create and pin hash");
	int bad_rounds = 0;
	for (int round = 0; round < 20; round++) {
		pid_t pid = fork();
		if (pid == 0)
			writer_loop(path);
		usleep(2000 + (useconds_t)(round * 700));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		/* The survivor: walk, look every key up, update, delete. */
		uint32_t key, next, n = 0;
		uint64_t v;
		int err = 0;
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)map, a.key = 0, a.next_key = (uintptr_t)&next;
		while (n <= 256 && (err = bpf(rt, BPF_MAP_GET_NEXT_KEY, &a)) == 0) {
			key = next;
			if (map_elem(rt, BPF_MAP_LOOKUP_ELEM, map, key, &v) != 0)
				bad_rounds++;
			a.key = (uintptr_t)&key;
			n++;
		}
		if (err != -ENOENT || n > 256)
			bad_rounds++;
		v = 7;
		if (map_elem(rt, BPF_MAP_UPDATE_ELEM, map, 1000 + (uint32_t)round, &v) != 0 && n < 256)
			bad_rounds++;
		map_elem(rt, BPF_MAP_DELETE_ELEM, map, 1000 + (uint32_t)round, NULL);
	}
	CHECK(bad_rounds == 0, "%d inconsistent rounds after kill -9 of a writer", bad_rounds);
	bpfrt_free(rt);
}

int main(void)
{
	snprintf(root, sizeof(root), "/tmp/bpfrt-test-pin-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	test_two_processes();
	test_ids_and_info();
	test_kill_writer();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		return 1;
	return CHECK_DONE();
}
