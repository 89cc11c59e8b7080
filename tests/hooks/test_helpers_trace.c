/* test_helpers_trace.c — the tracing helpers bpf_get_current_task (with
 * CO-RE reads of bpfrt's task_struct), bpf_get_ns_current_pid_tgid,
 * bpf_get_stack and bpf_get_attach_cookie, from helpers_trace.bpf.c:
 *  1. raw_tp programs test-run on bpfrt in this process: the answers are
 *     this process's ids, parent, euid, comm, and the kernel's errors;
 *  2. the same object on the host kernel (libbpf, BPF_PROG_TEST_RUN, CO-RE
 *     against the kernel's BTF): every program must answer the same
 *     (skipped without libbpf or bpf());
 *  3. bpf_get_stack on crafted struct pt_regs and frames (KPROBE test run):
 *     frame-pointer walk, skip, truncation, build-id form, -EFAULT/-EINVAL;
 *     bpf_get_stackid into a STACK_TRACE map (ids, collisions, REUSE,
 *     syscall lookup/delete/next), map creation against the kernel's;
 *  4. in a uprobe on uprobe_target under ptrace: the task is the tracee (its
 *     parent is this process), the cookie is the attachment's, the stack
 *     starts at the probed address (skips 77 where ptrace is refused).
 * Usage: test_helpers_trace OBJDIR TARGET.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"
#include "hooks/elf_sym.h"
#include "hooks/uprobe.h"

#ifdef HOOKS_HAVE_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

static int failures;
#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			failures++;                                        \
		}                                                          \
	} while (0)

static const char *const raw_progs[] = {
	"ns_tgid",   "ns_pid",      "ns_bigdev", "ns_badsize", "task_tgid",      "task_pid",      "task_ppid",
	"task_leader", "task_euid", "task_comm", "stack_badflags", "stack_buildid_kernel", "stack_badsize",
	"stack_buildid_size",
};
#define NR_RAW (sizeof(raw_progs) / sizeof(raw_progs[0]))

static uint64_t ns_args[2];

static int32_t expected(const char *name)
{
	char comm[17] = {0};
	FILE *f = fopen("/proc/self/comm", "re");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = 0;
	if (!strcmp(name, "ns_tgid") || !strcmp(name, "task_tgid") || !strcmp(name, "task_leader"))
		return getpid();
	if (!strcmp(name, "ns_pid") || !strcmp(name, "task_pid"))
		return gettid();
	if (!strcmp(name, "task_ppid"))
		return getppid();
	if (!strcmp(name, "task_euid"))
		return (int32_t)geteuid();
	if (!strcmp(name, "task_comm"))
		return (int32_t)((uint32_t)(uint8_t)comm[0] | (uint32_t)(uint8_t)comm[1] << 8 |
				 (uint32_t)(uint8_t)comm[2] << 16 | (uint32_t)(uint8_t)comm[3] << 24);
	return -EINVAL; /* ns_bigdev, ns_badsize, stack_* */
}

static int bpfrt_test_run(struct bpfrt *rt, int fd, void *ctx, uint32_t ctx_size, uint32_t *retval)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.ctx_in = (uintptr_t)ctx;
	a.test.ctx_size_in = ctx_size;
	int r = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
	*retval = a.test.retval;
	return r;
}

static void map_set(struct bpfrt *rt, int fd, uint32_t k, const void *v)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)&k;
	a.value = (uintptr_t)v;
	CHECK(bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)) == 0, "map update");
}

static void map_get(struct bpfrt *rt, int fd, uint32_t k, void *v)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)&k;
	a.value = (uintptr_t)v;
	CHECK(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == 0, "map lookup");
}

static int prog_fd(struct bpfrt_object *obj, const char *name)
{
	return bpfrt_program_fd(bpfrt_object_find_program_by_name(obj, name));
}

/* 1. bpfrt's answers in this process. */
static void test_bpfrt_raw(struct bpfrt *rt, struct bpfrt_object *obj, int32_t *got)
{
	for (size_t i = 0; i < NR_RAW; i++) {
		uint32_t ret = 0;
		int r = bpfrt_test_run(rt, prog_fd(obj, raw_progs[i]), ns_args, sizeof(ns_args), &ret);
		CHECK(r == 0, "%s: test run %d", raw_progs[i], r);
		got[i] = (int32_t)ret;
		CHECK(got[i] == expected(raw_progs[i]), "%s: bpfrt says %d, expected %d", raw_progs[i], got[i],
		      expected(raw_progs[i]));
	}
	/* another namespace's inode: -EINVAL */
	uint64_t other[2] = {ns_args[0], ns_args[1] + 1};
	uint32_t ret;
	bpfrt_test_run(rt, prog_fd(obj, "ns_tgid"), other, sizeof(other), &ret);
	CHECK((int32_t)ret == -EINVAL, "ns mismatch: %d", (int32_t)ret);
	/* the attach cookie of a test run: none, 0 */
	uint64_t regs[21] = {0};
	bpfrt_test_run(rt, prog_fd(obj, "cookie"), regs, sizeof(regs), &ret);
	CHECK(ret == 0, "cookie without attachment: %u", ret);
}

/* 2. The host kernel, through libbpf. */
static void test_kernel(const char *path, const int32_t *ours)
{
#ifdef HOOKS_HAVE_LIBBPF
	libbpf_set_print(NULL);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj)) {
		printf("kernel side skipped: libbpf could not load %s here (%s)\n", path, strerror(errno));
		if (obj)
			bpf_object__close(obj);
		return;
	}
	int agree = 0;
	for (size_t i = 0; i < NR_RAW; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, raw_progs[i]);
		LIBBPF_OPTS(bpf_test_run_opts, ro, .ctx_in = ns_args, .ctx_size_in = sizeof(ns_args));
		int r = bpf_prog_test_run_opts(bpf_program__fd(p), &ro);
		CHECK(r == 0, "kernel test run %s: %s", raw_progs[i], strerror(errno));
		CHECK((int32_t)ro.retval == ours[i], "%s: kernel says %d, bpfrt %d", raw_progs[i], (int32_t)ro.retval,
		      ours[i]);
		agree += (int32_t)ro.retval == ours[i];
	}
	printf("kernel: %d/%zu programs agree with bpfrt\n", agree, NR_RAW);
	bpf_object__close(obj);
#else
	(void)path, (void)ours;
	printf("kernel side skipped: built without libbpf\n");
#endif
}

struct stack_out {
	int64_t ret;
	uint64_t ips[16];
};

/* 3. bpf_get_stack on crafted registers: one case. */
static struct stack_out stack_case(struct bpfrt *rt, struct bpfrt_object *obj, uint64_t mode, uint64_t flags,
				   const uint64_t *regs)
{
	int cfg = bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, "cfg"));
	int out = bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, "out"));
	struct stack_out o;
	memset(&o, 0xaa, sizeof(o));
	map_set(rt, out, 0, &o);
	map_set(rt, cfg, 0, &mode);
	map_set(rt, cfg, 1, &flags);
	uint32_t ret;
	CHECK(bpfrt_test_run(rt, prog_fd(obj, "stack_regs"), (void *)regs, 21 * 8, &ret) == 0, "stack test run");
	map_get(rt, out, 0, &o);
	return o;
}

static void test_stack(struct bpfrt *rt, struct bpfrt_object *obj)
{
	/* frames rise through memory: {next rbp, return address} */
	static uint64_t frames[6];
	frames[0] = (uintptr_t)&frames[2], frames[1] = 0x2222;
	frames[2] = (uintptr_t)&frames[4], frames[3] = 0x3333;
	frames[4] = 0, frames[5] = 0x4444;
	uint64_t regs[21] = {0};
	regs[16] = 0x1111;                 /* ip */
	regs[4] = (uintptr_t)&frames[0];   /* bp */
	struct stack_out o = stack_case(rt, obj, 0, BPF_F_USER_STACK, regs);
	CHECK(o.ret == 32 && o.ips[0] == 0x1111 && o.ips[1] == 0x2222 && o.ips[2] == 0x3333 && o.ips[3] == 0x4444 &&
		      o.ips[4] == 0 && o.ips[15] == 0,
	      "user stack: ret %lld ips %llx %llx %llx %llx %llx", (long long)o.ret, (unsigned long long)o.ips[0],
	      (unsigned long long)o.ips[1], (unsigned long long)o.ips[2], (unsigned long long)o.ips[3],
	      (unsigned long long)o.ips[4]);
	o = stack_case(rt, obj, 0, BPF_F_USER_STACK | 1, regs);
	CHECK(o.ret == 24 && o.ips[0] == 0x2222 && o.ips[2] == 0x4444 && o.ips[3] == 0, "skip 1: %lld", (long long)o.ret);
	o = stack_case(rt, obj, 0, BPF_F_USER_STACK | 5, regs);
	CHECK(o.ret == -EFAULT && o.ips[0] == 0, "skip past the frames: %lld", (long long)o.ret);
	o = stack_case(rt, obj, 0, 0, regs);
	CHECK(o.ret == 0 && o.ips[0] == 0, "kernel stack: no frames in user space: %lld", (long long)o.ret);
	o = stack_case(rt, obj, 0, 1, regs);
	CHECK(o.ret == -EFAULT, "kernel stack, skip 1: %lld", (long long)o.ret);
	o = stack_case(rt, obj, 1, BPF_F_USER_STACK, regs);
	CHECK(o.ret == 24 && o.ips[2] == 0x3333, "truncated to 3: %lld", (long long)o.ret);
	o = stack_case(rt, obj, 2, BPF_F_USER_STACK, regs);
	CHECK(o.ret == 0, "size 0: %lld", (long long)o.ret);
	o = stack_case(rt, obj, 3, BPF_F_USER_STACK | BPF_F_USER_BUILD_ID, regs);
	struct bpf_stack_build_id ids[2];
	memcpy(ids, o.ips, sizeof(ids));
	CHECK(o.ret == 64 && ids[0].status == BPF_STACK_BUILD_ID_IP && ids[0].ip == 0x1111 && ids[1].ip == 0x2222,
	      "build id form: %lld", (long long)o.ret);
	o = stack_case(rt, obj, 0, BPF_F_USER_STACK | (1ull << 12), regs);
	CHECK(o.ret == -EINVAL && o.ips[0] == 0, "bad flag: %lld", (long long)o.ret);
	regs[4] = 0x10; /* rbp unreadable: only ip */
	o = stack_case(rt, obj, 0, BPF_F_USER_STACK, regs);
	CHECK(o.ret == 8 && o.ips[0] == 0x1111 && o.ips[1] == 0, "bad frame pointer: %lld", (long long)o.ret);
}

/* 3b. bpf_get_stackid and the STACK_TRACE map: one bucket, so a second,
 * different stack collides. */
static int64_t stackid_case(struct bpfrt *rt, struct bpfrt_object *obj, uint64_t flags, const uint64_t *regs)
{
	int cfg = bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, "cfg"));
	int out = bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, "out"));
	map_set(rt, cfg, 1, &flags);
	uint32_t ret;
	CHECK(bpfrt_test_run(rt, prog_fd(obj, "stackid_regs"), (void *)regs, 21 * 8, &ret) == 0, "stackid run");
	struct stack_out o;
	map_get(rt, out, 0, &o);
	return o.ret;
}

static void test_stackid(struct bpfrt *rt, struct bpfrt_object *obj)
{
	static uint64_t frames[6];
	frames[0] = (uintptr_t)&frames[2], frames[1] = 0x2222;
	frames[2] = (uintptr_t)&frames[4], frames[3] = 0x3333;
	frames[4] = 0, frames[5] = 0x4444;
	uint64_t regs[21] = {0};
	regs[16] = 0x1111;
	regs[4] = (uintptr_t)&frames[0];
	int map = bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, "stacks"));
	CHECK(stackid_case(rt, obj, BPF_F_USER_STACK, regs) == 0, "first stack: id 0");
	CHECK(stackid_case(rt, obj, BPF_F_USER_STACK, regs) == 0, "the same stack: the same id");
	uint64_t v[4];
	uint32_t id = 0;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map;
	a.key = (uintptr_t)&id;
	a.value = (uintptr_t)v;
	CHECK(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == 0 && v[0] == 0x1111 && v[3] == 0x4444,
	      "lookup of the stack: %llx %llx", (unsigned long long)v[0], (unsigned long long)v[3]);
	CHECK(stackid_case(rt, obj, BPF_F_USER_STACK | 1, regs) == -EEXIST, "another stack in the bucket: -EEXIST");
	CHECK(stackid_case(rt, obj, BPF_F_USER_STACK | 1 | BPF_F_REUSE_STACKID, regs) == 0, "REUSE_STACKID");
	CHECK(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == 0 && v[0] == 0x2222 && v[3] == 0,
	      "the replaced stack, zero-padded: %llx %llx", (unsigned long long)v[0], (unsigned long long)v[3]);
	CHECK(stackid_case(rt, obj, BPF_F_USER_STACK | 9, regs) == -EFAULT, "skip past the frames: -EFAULT");
	CHECK(stackid_case(rt, obj, 0, regs) == -EFAULT, "no kernel frames: -EFAULT");
	CHECK(stackid_case(rt, obj, BPF_F_USER_STACK | BPF_F_USER_BUILD_ID, regs) == -EINVAL, "bad flag: -EINVAL");
	CHECK(bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)) == -EINVAL, "update: -EINVAL");
	uint32_t next = 7;
	a.next_key = (uintptr_t)&next;
	CHECK(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)) == -ENOENT, "next after the only id");
	a.key = 0; /* from the start */
	CHECK(bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)) == 0 && next == 0, "first id: %u", next);
	union bpf_attr d;
	memset(&d, 0, sizeof(d));
	d.map_fd = (uint32_t)map;
	d.key = (uintptr_t)&id;
	CHECK(bpfrt_bpf(rt, BPF_MAP_DELETE_ELEM, &d, sizeof(d)) == 0, "delete");
	CHECK(bpfrt_bpf(rt, BPF_MAP_DELETE_ELEM, &d, sizeof(d)) == -ENOENT, "delete again: -ENOENT");
	a.key = (uintptr_t)&id;
	a.value = (uintptr_t)v;
	CHECK(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == -ENOENT, "lookup after delete");
}

/* BPF_MAP_CREATE of STACK_TRACE maps: bpfrt's answers against the
 * kernel's (raw bpf(2)) for good and bad attributes. */
static void test_stack_map_create(struct bpfrt *rt)
{
	static const struct {
		uint32_t key, value, entries, flags;
	} cases[] = {
		{4, 8 * 16, 64, 0}, {4, 8 * 127, 4, 0}, {4, 8 * 128, 4, 0}, {8, 64, 4, 0}, {4, 12, 4, 0},
		{4, 4, 4, 0},       {4, 64, 0, 0},      {4, 32 * 4, 4, BPF_F_STACK_BUILD_ID}, {4, 40, 4, BPF_F_STACK_BUILD_ID},
		{4, 64, 4, BPF_F_MMAPABLE},
	};
	int agree = 0, n = (int)(sizeof(cases) / sizeof(cases[0]));
	for (int i = 0; i < n; i++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_type = BPF_MAP_TYPE_STACK_TRACE;
		a.key_size = cases[i].key;
		a.value_size = cases[i].value;
		a.max_entries = cases[i].entries;
		a.map_flags = cases[i].flags;
		int ours = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
		int kfd = (int)syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
		int kernel = kfd >= 0 ? 0 : -errno;
		if (kfd >= 0)
			close(kfd);
		if (kernel == -EPERM || kernel == -ENOSYS) {
			printf("stack map create: kernel side skipped (%s)\n", strerror(-kernel));
			return;
		}
		CHECK((ours >= 0) == (kernel == 0) && (ours >= 0 || ours == kernel),
		      "STACK_TRACE create key %u value %u entries %u flags %#x: bpfrt %d, kernel %d", cases[i].key,
		      cases[i].value, cases[i].entries, cases[i].flags, ours, kernel);
		agree += (ours >= 0) == (kernel == 0) && (ours >= 0 || ours == kernel);
		if (ours >= 0)
			bpfrt_close(rt, ours);
	}
	printf("stack map create: %d/%d cases agree with the kernel\n", agree, n);
}

/* 4. In a uprobe on a traced process. */
static int test_uprobe(struct bpfrt *rt, struct bpfrt_object *obj, const char *target)
{
	struct bpfrt_uprobes *u = bpfrt_uprobes_new(rt);
	struct bpfrt_uprobe_spec s = {0};
	snprintf(s.path, sizeof(s.path), "%s", target);
	snprintf(s.func, sizeof(s.func), "uprobe_target_add");
	char err[1024] = "";
	CHECK(bpfrt_uprobes_add(u, prog_fd(obj, "in_uprobe"), &s, 0xc00c1e, err, sizeof(err)) == 0, "add: %s", err);
	char *argv[] = {(char *)target, "3", NULL};
	int status = -1;
	int r = bpfrt_uprobes_run(u, argv, &status, err, sizeof(err));
	bpfrt_uprobes_free(u);
	if (r == -EPERM) {
		printf("uprobe part skipped: %s\n", err);
		return 77;
	}
	CHECK(r == 0 && status == 0, "run: %d %s (status %d)", r, err, status);
	int seen = bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, "seen"));
	uint64_t v[7];
	for (uint32_t k = 0; k < 7; k++)
		map_get(rt, seen, k, &v[k]);
	CHECK(v[0] && v[0] != (uint64_t)getpid(), "task tgid %llu is the tracee's", (unsigned long long)v[0]);
	CHECK(v[1] == (uint64_t)getpid(), "tracee's parent %llu, want %d", (unsigned long long)v[1], getpid());
	CHECK(v[2] == 0xc00c1e, "cookie %llx", (unsigned long long)v[2]);
	CHECK((int64_t)v[3] >= 16 && v[4] == v[5] && v[5], "stack: ret %lld first %llx ip %llx", (long long)v[3],
	      (unsigned long long)v[4], (unsigned long long)v[5]);
	/* the second address is in the caller, run_loop (found through the
	 * ELF symbols: same segment, so the same load bias as the probe) */
	uint64_t add_off, loop_off, loop_size;
	if (!bpfrt_elf_func_find(target, "uprobe_target_add", &add_off, NULL, err, sizeof(err)) &&
	    !bpfrt_elf_func_find(target, "run_loop", &loop_off, &loop_size, err, sizeof(err))) {
		uint64_t loop = v[5] - add_off + loop_off;
		CHECK(v[6] > loop && v[6] < loop + loop_size, "second stack entry %llx is not in the caller [%llx, +%llu)",
		      (unsigned long long)v[6], (unsigned long long)loop, (unsigned long long)loop_size);
	} else {
		CHECK(0, "symbols: %s", err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_helpers_trace OBJDIR TARGET\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/helpers_trace.o", argv[1]);
	if (access(path, R_OK)) {
		printf("SKIP: %s not built (no clang-19)\n", path);
		return 77;
	}
	struct stat st;
	if (stat("/proc/self/ns/pid", &st)) {
		printf("SKIP: no /proc/self/ns/pid\n");
		return 77;
	}
	ns_args[0] = (uint64_t)major(st.st_dev) << 20 | minor(st.st_dev);
	ns_args[1] = st.st_ino;
	struct bpfrt *rt = bpfrt_new(NULL);
	struct bpfrt_object *obj = bpfrt_object_open_file(rt, path, NULL, NULL);
	CHECK(obj != NULL, "open %s", path);
	if (!obj)
		return 1;
	int r = bpfrt_object_load(obj);
	CHECK(r == 0, "load: %s", bpfrt_object_error(obj));
	if (r)
		return 1;
	int32_t ours[NR_RAW];
	test_bpfrt_raw(rt, obj, ours);
	test_kernel(path, ours);
	test_stack(rt, obj);
	test_stackid(rt, obj);
	test_stack_map_create(rt);
	int skip = test_uprobe(rt, obj, argv[2]);
	bpfrt_object_close(obj);
	bpfrt_free(rt);
	if (failures) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	printf("ok%s\n", skip ? " (uprobe part skipped)" : "");
	return 0;
}
