/* test_uprobe.c — uprobes end to end: uprobe_args.bpf.c (clang-19, libbpf
 * SEC() names) loaded by bpfrt's loader and attached by ptrace breakpoints
 * to uprobe_target, which calls its functions N times with known
 * arguments: the entry probe must fire exactly N times with those
 * arguments, the return probe N times with the return values.  Then the
 * error paths: section names, a missing function, a file that is not ELF,
 * a non-KPROBE program.  Usage: test_uprobe OBJDIR TARGET.  Skips (77)
 * without the object (no clang) or where ptrace is not permitted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef HOOKS_HAVE_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"
#include "hooks/elf_sym.h"
#include "hooks/uprobe.h"
#include "hooks/uprobe_insn.h"
#include "hooks/usdt.h"

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

static uint64_t stat_of(struct bpfrt *rt, int map_fd, uint32_t k)
{
	uint64_t v = 0;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map_fd;
	a.key = (uintptr_t)&k;
	a.value = (uintptr_t)&v;
	if (bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)))
		return UINT64_MAX;
	return v;
}

static void test_parse(void)
{
	struct bpfrt_uprobe_spec s;
	char err[256];
	CHECK(bpfrt_uprobe_parse_sec("uprobe//usr/bin/x:main", &s, err, sizeof(err)) == 0 && !strcmp(s.path, "/usr/bin/x") &&
		      !strcmp(s.func, "main") && !s.retprobe && !s.offset,
	      "uprobe//usr/bin/x:main");
	CHECK(bpfrt_uprobe_parse_sec("uretprobe/libc.so.6:malloc", &s, err, sizeof(err)) == 0 && s.retprobe &&
		      !strcmp(s.path, "libc.so.6"),
	      "uretprobe/libc.so.6:malloc");
	CHECK(bpfrt_uprobe_parse_sec("uprobe.s//bin/x:f+0x10", &s, err, sizeof(err)) == 0 && s.offset == 0x10 &&
		      !strcmp(s.func, "f"),
	      "uprobe.s FUNC+OFF");
	CHECK(bpfrt_uprobe_parse_sec("uprobe//bin/x:0x1234", &s, err, sizeof(err)) == 0 && !s.func[0] &&
		      s.offset == 0x1234,
	      "uprobe PATH:OFFSET");
	CHECK(bpfrt_uprobe_parse_sec("uprobe", &s, err, sizeof(err)) == 1, "bare uprobe: attached by code");
	CHECK(bpfrt_uprobe_parse_sec("kprobe/do_sys_open", &s, err, sizeof(err)) == -ENOENT, "kprobe is no uprobe");
	CHECK(bpfrt_uprobe_parse_sec("uprobe/nocolon", &s, err, sizeof(err)) == -EINVAL && strstr(err, "PATH:FUNC"),
	      "missing ':' message: %s", err);
	CHECK(bpfrt_uprobe_parse_sec("uprobe//bin/x:f+zz", &s, err, sizeof(err)) == -EINVAL && strstr(err, "offset"),
	      "bad offset: %s", err);
	CHECK(bpfrt_uprobe_parse_sec("uretprobe//bin/x:f+4", &s, err, sizeof(err)) == -EINVAL && strstr(err, "uretprobe"),
	      "uretprobe with offset: %s", err);
	CHECK(bpfrt_uprobe_parse_sec("uprobe//bin/x:f-g", &s, err, sizeof(err)) == -EINVAL, "bad function character");
}

static void test_elf(const char *target)
{
	uint64_t off = 0, off2 = 0;
	char err[512];
	CHECK(bpfrt_elf_func_offset(target, "uprobe_target_add", &off, err, sizeof(err)) == 0 && off, "%s", err);
	CHECK(bpfrt_elf_func_offset(target, "uprobe_target_ret", &off2, err, sizeof(err)) == 0 && off2 != off, "%s",
	      err);
	CHECK(bpfrt_elf_func_offset(target, "no_such_function", &off, err, sizeof(err)) == -ENOENT &&
		      strstr(err, "no_such_function") && strstr(err, target),
	      "missing function message: %s", err);
	CHECK(bpfrt_elf_func_offset("/proc/self/status", "main", &off, err, sizeof(err)) == -ENOEXEC &&
		      strstr(err, "not an ELF"),
	      "not ELF: %s", err);
	CHECK(bpfrt_elf_func_offset("/nonexistent/file", "main", &off, err, sizeof(err)) == -ENOENT, "no file: %s", err);
	/* libc: found through .dynsym (versioned names) */
	CHECK(bpfrt_elf_entry_offset(target, &off, err, sizeof(err)) == 0 && off, "entry: %s", err);
}

/* Run target with the object's probes; returns 0, 77 to skip, or -1. */
static int run_probed(struct bpfrt *rt, struct bpfrt_object *obj, const char *target, long n, uint64_t cookie_unused,
		      struct bpfrt_uprobe_stats *st)
{
	(void)cookie_unused;
	struct bpfrt_uprobes *u = bpfrt_uprobes_new(rt);
	char err[1024] = "";
	int added = bpfrt_uprobes_add_object(u, obj, err, sizeof(err));
	CHECK(added == 2, "add_object: %d %s", added, err);
	char nbuf[32];
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	char *argv[] = {(char *)target, nbuf, NULL};
	int status = -1;
	int r = bpfrt_uprobes_run(u, argv, &status, err, sizeof(err));
	if (r == -EPERM) {
		printf("SKIP: %s\n", err);
		bpfrt_uprobes_free(u);
		return 77;
	}
	CHECK(r == 0, "run: %d %s", r, err);
	CHECK(status == 0, "target exit status %d", status);
	bpfrt_uprobes_stats(u, st);
	bpfrt_uprobes_free(u);
	return r ? -1 : 0;
}

static void test_errors(struct bpfrt *rt, struct bpfrt_object *obj, const char *target)
{
	char err[1024] = "";
	struct bpfrt_uprobes *u = bpfrt_uprobes_new(rt);
	struct bpfrt_program *p = bpfrt_object_find_program_by_name(obj, "on_add");
	struct bpfrt_uprobe_spec s = {0};
	snprintf(s.path, sizeof(s.path), "%s", target);
	snprintf(s.func, sizeof(s.func), "not_a_function");
	CHECK(bpfrt_uprobes_add(u, bpfrt_program_fd(p), &s, 0, err, sizeof(err)) == 0, "add: %s", err);
	char *argv[] = {(char *)target, "1", NULL};
	int status;
	int r = bpfrt_uprobes_run(u, argv, &status, err, sizeof(err));
	CHECK(r == -ENOENT && strstr(err, "not_a_function"), "missing function at attach: %d %s", r, err);
	bpfrt_uprobes_free(u);

	/* a program of another type is refused */
	u = bpfrt_uprobes_new(rt);
	struct bpf_insn ret0[] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0}, {.code = BPF_JMP | BPF_EXIT}};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uintptr_t)ret0;
	a.insn_cnt = 2;
	a.license = (uintptr_t) "GPL";
	int fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
	CHECK(fd >= 0, "load socket filter");
	CHECK(bpfrt_uprobes_add(u, fd, &s, 0, err, sizeof(err)) == -EINVAL && strstr(err, "KPROBE"),
	      "non-kprobe refused: %s", err);
	CHECK(bpfrt_uprobes_add(u, 9999, &s, 0, err, sizeof(err)) < 0, "bad fd refused");
	bpfrt_close(rt, fd);
	bpfrt_uprobes_free(u);

	/* a command that does not exist */
	u = bpfrt_uprobes_new(rt);
	char *bad[] = {"/nonexistent/command", NULL};
	r = bpfrt_uprobes_run(u, bad, &status, err, sizeof(err));
	CHECK(r == -ENOENT && strstr(err, "/nonexistent/command"), "exec failure: %d %s", r, err);
	bpfrt_uprobes_free(u);
}

/* Threads at once through a trampoline: every call counted (the int3 path
 * may miss a call made while another thread steps over the probe, so only
 * the trampolined entry probe is held to exactness). */
static void agent_threads(struct bpfrt *rt, int stats, const char *dir, const char *target, const char *agent,
			  long n, int threads)
{
	uint64_t zero = 0;
	for (uint32_t k = 0; k < 8; k++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)stats;
		a.key = (uintptr_t)&k;
		a.value = (uintptr_t)&zero;
		bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
	}
	char probes[1024], nbuf[32], tbuf[16];
	snprintf(probes, sizeof(probes), "%s/on_add|uprobe//proc/self/exe:uprobe_target_add", dir);
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	snprintf(tbuf, sizeof(tbuf), "%d", threads);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("BPFRT_AGENT_PROBES", probes, 1);
		setenv("BPFRT_AGENT_STRICT", "1", 1);
		setenv("LD_PRELOAD", agent, 1);
		execl(target, target, nbuf, "-", tbuf, (char *)NULL);
		_exit(127);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "agent threads: status %#x", st);
	CHECK(stat_of(rt, stats, 0) == (uint64_t)(n * threads), "agent, %d threads: entry hits %llu, want %ld", threads,
	      (unsigned long long)stat_of(rt, stats, 0), n * threads);
	CHECK(stat_of(rt, stats, 1) == 0, "agent threads: wrong arguments");
	CHECK(stat_of(rt, stats, 2) == (uint64_t)threads * (uint64_t)(n * (n - 1) / 2), "agent threads: sum of a");
}

/* The in-process agent: the same programs, pinned (maps shared through the
 * pins), run by libbpfrt_agent.so preloaded into the target: the counts
 * must be exact again, in the map this process holds. */
static void agent_run(struct bpfrt *rt, int stats, const char *dir, const char *target, const char *agent, long n,
		      bool int3)
{
	uint64_t zero = 0;
	for (uint32_t k = 0; k < 8; k++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)stats;
		a.key = (uintptr_t)&k;
		a.value = (uintptr_t)&zero;
		bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
	}
	char probes[2048], nbuf[32];
	snprintf(probes, sizeof(probes),
		 "%s/on_add|uprobe//proc/self/exe:uprobe_target_add;%s/on_ret|uretprobe//proc/self/exe:uprobe_target_ret|7;"
		 "%s/on_tick|usdt//proc/self/exe:bpfrt_test:tick|5",
		 dir, dir, dir);
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("BPFRT_AGENT_PROBES", probes, 1);
		setenv("BPFRT_AGENT_STRICT", "1", 1);
		if (int3)
			setenv("BPFRT_AGENT_INT3", "1", 1);
		setenv("LD_PRELOAD", agent, 1);
		execl(target, target, nbuf, (char *)NULL);
		_exit(127);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	const char *mode = int3 ? "agent (int3)" : "agent (trampoline)";
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: run status %#x", mode, st);
	uint64_t sum_a = (uint64_t)(n * (n - 1) / 2);
	CHECK(stat_of(rt, stats, 0) == (uint64_t)n, "%s: entry hits %llu, want %ld", mode,
	      (unsigned long long)stat_of(rt, stats, 0), n);
	CHECK(stat_of(rt, stats, 1) == 0, "%s: %llu calls with wrong arguments", mode,
	      (unsigned long long)stat_of(rt, stats, 1));
	CHECK(stat_of(rt, stats, 2) == sum_a, "%s: sum of a %llu", mode, (unsigned long long)stat_of(rt, stats, 2));
	CHECK(stat_of(rt, stats, 3) == (uint64_t)n, "%s: return hits %llu", mode,
	      (unsigned long long)stat_of(rt, stats, 3));
	CHECK(stat_of(rt, stats, 6) == (uint64_t)n, "%s: USDT hits %llu, want %ld (semaphore set, bpf_usdt_arg)", mode,
	      (unsigned long long)stat_of(rt, stats, 6), n);
	CHECK(stat_of(rt, stats, 5) == (uint64_t)pid, "%s: current pid %llu, want %d", mode,
	      (unsigned long long)stat_of(rt, stats, 5), (int)pid);
}

/* The in-process agent: the same programs, pinned (maps shared through the
 * pins), run by libbpfrt_agent.so preloaded into the target, with
 * trampolines where the function allows and with breakpoints only: the
 * counts must be exact again, in the map this process holds. */
static void test_agent(struct bpfrt *rt, struct bpfrt_object *obj, int stats, const char *target, const char *agent,
		       long n)
{
	/* pins live on the filesystem of the runtime's pin root */
	char dir[256];
	if ((size_t)snprintf(dir, sizeof(dir), "%s/uprobe-agent-XXXXXX", bpfrt_pin_root(rt)) >= sizeof(dir) ||
	    !mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	CHECK(bpfrt_object_pin_programs(obj, dir) == 0, "pin programs: %s", bpfrt_object_error(obj));
	agent_run(rt, stats, dir, target, agent, n, false);
	agent_run(rt, stats, dir, target, agent, n, true);
	agent_threads(rt, stats, dir, target, agent, n, 4);

	/* a probe that cannot be placed: strict mode stops the process with 126 and a message */
	char probes[2048];
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		snprintf(probes, sizeof(probes), "%s/on_add|uprobe//proc/self/exe:no_such_function", dir);
		setenv("BPFRT_AGENT_PROBES", probes, 1);
		setenv("BPFRT_AGENT_STRICT", "1", 1);
		setenv("LD_PRELOAD", agent, 1);
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 2);
		execl(target, target, "1", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 126, "agent strict failure status %#x", st);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "rm");
}

/* The trampoline's instruction decoder on encodings compilers emit. */
static void test_decoder(void)
{
	static const struct {
		uint8_t bytes[16];
		int len;
		uint32_t flags;
		int64_t rel; /* branch target - (address + length) */
	} cases[] = {
		{{0xf3, 0x0f, 0x1e, 0xfa}, 4, 0, 0},                         /* endbr64 */
		{{0x55}, 1, 0, 0},                                           /* push rbp */
		{{0x41, 0x57}, 2, 0, 0},                                     /* push r15 */
		{{0x48, 0x89, 0xe5}, 3, 0, 0},                               /* mov rbp, rsp */
		{{0x48, 0x83, 0xec, 0x20}, 4, 0, 0},                         /* sub rsp, 0x20 */
		{{0x48, 0x81, 0xec, 0, 1, 0, 0}, 7, 0, 0},                   /* sub rsp, 0x100 */
		{{0x89, 0x7d, 0xec}, 3, 0, 0},                               /* mov [rbp-0x14], edi */
		{{0x8b, 0x44, 0x24, 0x08}, 4, 0, 0},                         /* mov eax, [rsp+8] */
		{{0x4c, 0x8b, 0xbc, 0x24, 0, 1, 0, 0}, 8, 0, 0},             /* mov r15, [rsp+0x100] */
		{{0x80, 0x3a, 0x68}, 3, 0, 0},                               /* cmp byte [rdx], 0x68 */
		{{0x48, 0x63, 0xff}, 3, 0, 0},                               /* movsxd rdi, edi */
		{{0x0f, 0x94, 0xc0}, 3, 0, 0},                               /* sete al */
		{{0x0f, 0xb6, 0xc0}, 3, 0, 0},                               /* movzx eax, al */
		{{0x6b, 0xc0, 0x0c}, 3, 0, 0},                               /* imul eax, eax, 12 */
		{{0xa9, 1, 0, 0, 0}, 5, 0, 0},                               /* test eax, 1 */
		{{0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}, 10, 0, 0},            /* movabs rax, imm64 */
		{{0x66, 0x0f, 0x1f, 0x44, 0, 0}, 6, 0, 0},                   /* nopw */
		{{0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}, 10, 0, 0},   /* cs nopw */
		{{0x48, 0x8d, 0x05, 0x10, 0, 0, 0}, 7, X86_RIPREL, 0},       /* lea rax, [rip+0x10] */
		{{0xe8, 0x10, 0, 0, 0}, 5, X86_BRANCH | X86_CALL, 0x10},     /* call rel32 */
		{{0xeb, 0xfe}, 2, X86_BRANCH | X86_STOP, -2},                /* jmp $ */
		{{0x0f, 0x84, 0, 1, 0, 0}, 6, X86_BRANCH, 0x100},            /* je rel32 */
		{{0x75, 0x05}, 2, X86_BRANCH, 5},                            /* jne rel8 */
		{{0xc3}, 1, X86_STOP, 0},                                    /* ret */
		{{0xff, 0xe0}, 2, X86_STOP | X86_INDIRECT, 0},               /* jmp rax */
		{{0xff, 0xd0}, 2, X86_CALL | X86_INDIRECT, 0},               /* call rax */
		{{0xd9, 0xc0}, 0, 0, 0},                                     /* x87: unknown */
		{{0xc5, 0xf8, 0x77}, 0, 0, 0},                               /* VEX: unknown */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x86_insn in;
		uint64_t at = 0x1000;
		int len = bpfrt_x86_decode(cases[i].bytes, sizeof(cases[i].bytes), at, &in);
		CHECK(len == cases[i].len, "decoder case %zu: length %d, want %d", i, len, cases[i].len);
		if (len && len == cases[i].len) {
			CHECK(in.flags == cases[i].flags, "decoder case %zu: flags %#x, want %#x", i, in.flags,
			      cases[i].flags);
			if (in.flags & X86_BRANCH)
				CHECK(in.target == at + (uint64_t)len + (uint64_t)cases[i].rel, "decoder case %zu: target",
				      i);
		}
	}
	/* cut short: never read past the end */
	struct x86_insn in;
	static const uint8_t cut[] = {0x48, 0x81, 0xec, 0};
	CHECK(bpfrt_x86_decode(cut, sizeof(cut), 0, &in) == 0, "truncated instruction");
}

/* USDT: section names, the notes of uprobe_target, argument specs in
 * libbpf's layout. */
static void test_usdt(const char *target)
{
	char path[256], prov[64], name[64], err[512];
	CHECK(bpfrt_usdt_parse_sec("usdt/libc.so.6:libc:setjmp", path, sizeof(path), prov, sizeof(prov), name,
				   sizeof(name), err, sizeof(err)) == 0 &&
		      !strcmp(path, "libc.so.6") && !strcmp(prov, "libc") && !strcmp(name, "setjmp"),
	      "usdt section");
	CHECK(bpfrt_usdt_parse_sec("usdt", path, sizeof(path), prov, sizeof(prov), name, sizeof(name), err,
				   sizeof(err)) == 1,
	      "bare usdt");
	CHECK(bpfrt_usdt_parse_sec("usdt/x:y", path, sizeof(path), prov, sizeof(prov), name, sizeof(name), err,
				   sizeof(err)) == -EINVAL &&
		      strstr(err, "PROVIDER:NAME"),
	      "usdt/x:y: %s", err);
	struct bpfrt_usdt_site sites[4];
	int n = bpfrt_usdt_sites(target, "bpfrt_test", "tick", sites, 4, err, sizeof(err));
	/* one site in the source; a compiler may copy the loop (clang -O3 does) */
	CHECK(n >= 1 && sites[0].pc_off && sites[0].sema_off && strstr(sites[0].args, "-4@%"), "sites: %d %s", n,
	      n > 0 ? sites[0].args : err);
	CHECK(bpfrt_usdt_sites(target, "bpfrt_test", "nope", sites, 4, err, sizeof(err)) == 0, "no such site");
	struct bpfrt_usdt_spec sp;
	CHECK(bpfrt_usdt_parse_args("-4@%edi 8@-16(%rbp) 2@$7 1@(%r12) 8@%r9", &sp, err, sizeof(err)) == 0 &&
		      sp.arg_cnt == 5,
	      "args: %s", err);
	CHECK(sp.args[0].arg_type == BPFRT_USDT_ARG_REG && sp.args[0].reg_off == 14 * 8 && sp.args[0].arg_signed &&
		      sp.args[0].arg_bitshift == 32,
	      "arg 0");
	CHECK(sp.args[1].arg_type == BPFRT_USDT_ARG_REG_DEREF && sp.args[1].reg_off == 4 * 8 &&
		      (int64_t)sp.args[1].val_off == -16 && sp.args[1].arg_bitshift == 0,
	      "arg 1");
	CHECK(sp.args[2].arg_type == BPFRT_USDT_ARG_CONST && sp.args[2].val_off == 7 && sp.args[2].arg_bitshift == 48,
	      "arg 2");
	CHECK(sp.args[3].arg_type == BPFRT_USDT_ARG_REG_DEREF && sp.args[3].reg_off == 3 * 8 && !sp.args[3].val_off,
	      "arg 3");
	CHECK(sp.args[4].reg_off == 8 * 8, "arg 4");
	CHECK(bpfrt_usdt_parse_args("3@%eax", &sp, err, sizeof(err)) == -EINVAL && strstr(err, "SIZE"), "bad size: %s",
	      err);
	CHECK(bpfrt_usdt_parse_args("4@%xmm0", &sp, err, sizeof(err)) == -EINVAL && strstr(err, "register"),
	      "bad register: %s", err);
	CHECK(bpfrt_usdt_parse_args("4@[eax]", &sp, err, sizeof(err)) == -EINVAL, "bad location");
}

/* The host kernel as the oracle: the same object loaded by libbpf, its two
 * uprobe programs attached to the target with the kernel's own uprobes,
 * the same run; every counter but the pid (key 5) must equal bpfrt's.
 * Skipped without libbpf or where the kernel refuses (no root, no
 * uprobe PMU). */
static void test_kernel_uprobes(struct bpfrt *rt, int stats, const char *objpath, const char *target, long n)
{
#ifdef HOOKS_HAVE_LIBBPF
	libbpf_set_print(NULL);
	struct bpf_object *ko = bpf_object__open_file(objpath, NULL);
	if (!ko || bpf_object__load(ko)) {
		printf("kernel uprobes skipped: libbpf could not load %s (%s)\n", objpath, strerror(errno));
		if (ko)
			bpf_object__close(ko);
		return;
	}
	/* The child waits on a pipe until the probes are attached to its pid
	 * only (other tests run uprobe_target at the same time). */
	int go[2];
	char nbuf[32];
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	if (pipe(go)) {
		bpf_object__close(ko);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) == 1)
			execl(target, target, nbuf, (char *)NULL);
		_exit(127);
	}
	close(go[0]);
	LIBBPF_OPTS(bpf_uprobe_opts, add_o, .func_name = "uprobe_target_add");
	LIBBPF_OPTS(bpf_uprobe_opts, ret_o, .func_name = "uprobe_target_ret", .retprobe = true);
	struct bpf_link *l1 = bpf_program__attach_uprobe_opts(bpf_object__find_program_by_name(ko, "on_add"), pid,
								target, 0, &add_o);
	struct bpf_link *l2 = bpf_program__attach_uprobe_opts(bpf_object__find_program_by_name(ko, "on_ret"), pid,
								target, 0, &ret_o);
	if (!l1 || !l2) {
		printf("kernel uprobes skipped: attach failed (%s)\n", strerror(errno));
		close(go[1]);
		waitpid(pid, NULL, 0);
	} else {
		if (write(go[1], "g", 1) != 1)
			CHECK(0, "pipe");
		close(go[1]);
		int st = -1;
		waitpid(pid, &st, 0);
		int kfd = bpf_map__fd(bpf_object__find_map_by_name(ko, "stats"));
		int agree = 0;
		for (uint32_t k = 0; k < 8; k++) {
			uint64_t kv = 0;
			bpf_map_lookup_elem(kfd, &k, &kv);
			uint64_t ours = stat_of(rt, stats, k);
			if (k == 5) {
				CHECK(kv == (uint64_t)pid, "kernel: pid %llu, want %d", (unsigned long long)kv, (int)pid);
				continue;
			}
			CHECK(kv == ours, "stats[%u]: kernel %llu, bpfrt %llu", k, (unsigned long long)kv,
			      (unsigned long long)ours);
			agree += kv == ours;
		}
		printf("kernel uprobes: %d/7 counters agree with bpfrt (%ld calls)\n", agree, n);
	}
	bpf_link__destroy(l1);
	bpf_link__destroy(l2);
	bpf_object__close(ko);
#else
	(void)rt, (void)stats, (void)objpath, (void)target, (void)n;
	printf("kernel uprobes skipped: built without libbpf\n");
#endif
}

/* Kernel-only program types are refused at PROG_LOAD with a sentence
 * saying why and what to use instead (not a bare EINVAL). */
static void test_kernel_only_types(void)
{
	struct bpfrt *rt = bpfrt_new(NULL);
	struct bpf_insn ret0[] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0}, {.code = BPF_JMP | BPF_EXIT}};
	static const struct {
		uint32_t type;
		const char *says;
	} cases[] = {
		{BPF_PROG_TYPE_TRACING, "uprobe/PATH:FUNC"},
		{BPF_PROG_TYPE_LSM, "bpf_override_return"},
		{BPF_PROG_TYPE_STRUCT_OPS, "kernel interfaces"},
		{BPF_PROG_TYPE_EXT, "bpf_tail_call"},
		{BPF_PROG_TYPE_CGROUP_SKB, "socket_filter, sched_cls"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char log[1024] = "";
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.prog_type = cases[i].type;
		a.insns = (uintptr_t)ret0;
		a.insn_cnt = 2;
		a.license = (uintptr_t) "GPL";
		a.log_buf = (uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		int fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
		CHECK(fd == -EINVAL && strstr(log, cases[i].says), "type %u: %d, log '%s'", cases[i].type, fd, log);
	}
	bpfrt_free(rt);
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: test_uprobe OBJDIR TARGET [AGENT]\n");
		return 2;
	}
	test_parse();
	test_elf(argv[2]);
	test_kernel_only_types();
	test_decoder();
	test_usdt(argv[2]);
	char path[4096];
	snprintf(path, sizeof(path), "%s/uprobe_args.o", argv[1]);
	if (access(path, R_OK)) {
		printf("SKIP: %s not built (no clang-19)\n", path);
		return failures ? 1 : 77;
	}
	struct bpfrt *rt = bpfrt_new(NULL);
	struct bpfrt_object *obj = bpfrt_object_open_file(rt, path, NULL, NULL);
	CHECK(obj, "open %s", path);
	if (!obj)
		return 1;
	int r = bpfrt_object_load(obj);
	CHECK(r == 0, "load: %s", bpfrt_object_error(obj));
	if (r)
		return 1;
	int stats = bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, "stats"));

	const long n = 1000;
	struct bpfrt_uprobe_stats st;
	r = run_probed(rt, obj, argv[2], n, 0, &st);
	if (r == 77) {
		bpfrt_object_close(obj);
		bpfrt_free(rt);
		return 77;
	}
	uint64_t sum_a = (uint64_t)(n * (n - 1) / 2), sum_ret = 0;
	for (long i = 0; i < n; i++)
		sum_ret += (uint64_t)(uint32_t)(int32_t)(i * 2 + 1);
	CHECK(stat_of(rt, stats, 0) == (uint64_t)n, "entry hits %llu, want %ld", (unsigned long long)stat_of(rt, stats, 0),
	      n);
	CHECK(stat_of(rt, stats, 1) == 0, "%llu calls with wrong arguments", (unsigned long long)stat_of(rt, stats, 1));
	CHECK(stat_of(rt, stats, 2) == sum_a, "sum of a %llu, want %llu", (unsigned long long)stat_of(rt, stats, 2),
	      (unsigned long long)sum_a);
	CHECK(stat_of(rt, stats, 3) == (uint64_t)n, "return hits %llu", (unsigned long long)stat_of(rt, stats, 3));
	CHECK(stat_of(rt, stats, 4) == sum_ret, "sum of returns %llu, want %llu",
	      (unsigned long long)stat_of(rt, stats, 4), (unsigned long long)sum_ret);
	CHECK(stat_of(rt, stats, 5) != 0 && stat_of(rt, stats, 5) != (uint64_t)getpid(),
	      "current pid is the tracee's, got %llu", (unsigned long long)stat_of(rt, stats, 5));
	CHECK(stat_of(rt, stats, 7) == 0, "PT_REGS_IP 0");
	CHECK(st.hits == 3 * (uint64_t)n && st.runs == 2 * (uint64_t)n && !st.errors, "stats hits %llu runs %llu errors %llu",
	      (unsigned long long)st.hits, (unsigned long long)st.runs, (unsigned long long)st.errors);
	if (st.hits)
		printf("uprobe: %ld calls, %.1f us per hit handled in the tracer\n", n,
		       (double)st.handle_ns / (double)st.hits / 1000.0);

	test_kernel_uprobes(rt, stats, path, argv[2], n);
	test_errors(rt, obj, argv[2]);
	if (argc == 4) {
		test_agent(rt, obj, stats, argv[2], argv[3], n);
	}
	bpfrt_object_close(obj);
	bpfrt_free(rt);
	if (failures) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
