/* test_helpers.c — the string, trace, task, checksum, probe and callback
 * helpers (src/helpers/) run from programs loaded with BPF_PROG_LOAD and
 * run with BPF_PROG_TEST_RUN: kernel return values and errno, snprintf and
 * trace_printk output, strtol/strtoul tables, bpf_loop and for_each_map_elem
 * stopping rules, fault-safe probe reads, and checked-mode pointer checks. */
#define _GNU_SOURCE
#include "bpfrt/bpfrt.h"
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define LDX64(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define STX64(d, s, o) INSN(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define LD_MAP(d, fd) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define LD_FUNC(d, rel) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_FUNC, 0, rel), INSN(0, 0, 0, 0, 0)
#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))
#define P(x) ((uint64_t)(uintptr_t)(x))

static struct bpfrt *rt;

/* The ctx every program here gets: r1..r5 for the helper, r0 back. */
struct call_ctx {
	uint64_t arg[5];
	uint64_t ret;
	uint8_t buf[256]; /* memory inside ctx (a region in checked mode) */
};

static int prog_load_flags(uint32_t type, const struct bpf_insn *insns, uint32_t cnt, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type, a.insns = (uintptr_t)insns, a.insn_cnt = cnt, a.license = (uintptr_t)"GPL";
	a.prog_flags = flags;
	return bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}


static int run_ctx(int fd, void *ctx, uint32_t size)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	/* SYSCALL programs write their context back into ctx_in (no ctx_out,
	 * as in the kernel). */
	a.test.prog_fd = (uint32_t)fd, a.test.ctx_in = (uintptr_t)ctx, a.test.ctx_size_in = size;
	return bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
}

/* r1..r5 from ctx->arg, call helper `id`, ctx->ret = r0. */
static void call_prog(int id, struct bpf_insn *p)
{
	const struct bpf_insn prog[] = {
		MOV64_REG(6, 1), LDX64(1, 6, 0), LDX64(2, 6, 8), LDX64(3, 6, 16), LDX64(4, 6, 24),
		LDX64(5, 6, 32), CALL(id), STX64(6, 0, 40), MOV64_IMM(0, 0), EXIT,
	};
	memcpy(p, prog, sizeof(prog));
}

static int64_t call_helper(int id, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bpf_insn prog[10];
	call_prog(id, prog);
	/* Raw addresses as scalar arguments: no verifier would take this, so
	 * it runs unverified (checked, with a budget). */
	int fd = prog_load_flags(BPF_PROG_TYPE_SYSCALL, prog, N(prog), BPFRT_F_UNVERIFIED);
	CHECK(fd >= 0, "load helper %d: %d", id, fd);
	struct call_ctx c = {.arg = {a1, a2, a3, a4, a5}, .ret = 0xdeadbeef};
	CHECK(run_ctx(fd, &c, sizeof(c)) == 0, "run helper %d", id);
	bpfrt_close(rt, fd);
	return (int64_t)c.ret;
}

/* The same call through the interpreter in checked mode, ctx = c. */
static int64_t call_checked(int id, struct call_ctx *c)
{
	struct bpf_insn prog[10];
	call_prog(id, prog);
	struct bpfrt_vm_prog *vp = NULL;
	struct bpfrt_diag diag;
	CHECK(bpfrt_vm_prog_new(rt, prog, N(prog), NULL, &vp, &diag) == 0, "vm prog: %s", diag.msg);
	struct bpfrt_run_opts o = {.sz = sizeof(o), .flags = BPFRT_RUN_CHECKED, .ctx = c, .ctx_size = sizeof(*c)};
	uint64_t r0 = 0;
	int err = bpfrt_vm_run(vp, &o, &r0, &diag);
	CHECK(err == 0, "checked run of helper %d: %d %s", id, err, diag.msg);
	bpfrt_vm_prog_free(vp);
	return (int64_t)c->ret;
}

static void test_snprintf(void)
{
	static const char ip[4] = {(char)192, (char)168, 0, 1};
	const struct {
		const char *fmt;
		uint64_t args[5];
		uint32_t nargs;
		int64_t ret;
		const char *out;
	} t[] = {
		{"hello", {0}, 0, 6, "hello"},
		{"%d %i %u", {(uint64_t)-5, 7, (uint64_t)-1}, 3, 16, "-5 7 4294967295"},
		{"%ld %lld %lu", {(uint64_t)-5, (uint64_t)INT64_MIN, UINT64_MAX}, 3, 45,
		 "-5 -9223372036854775808 18446744073709551615"},
		{"%x %X %llx", {0xabcdef12345ull, 0xbeef, 0x1234567890ull}, 3, 25, "def12345 BEEF 1234567890"},
		{"[%5d|%-5d|%05d|%+d|% d]", {42, 42, (uint64_t)-42, 42, 42}, 5, 28, "[   42|42   |-0042|+42| 42]"},
		{"%c%c%c", {'a', 'b', 'c'}, 3, 4, "abc"},
		{"100%%", {0}, 0, 5, "100%"},
		{"%s!", {P("str")}, 1, 5, "str!"},
		{"[%5s|%-4s]", {P("ab"), P("c")}, 2, 13, "[   ab|c   ]"},
		{"%px", {0x1234}, 1, 17, "0000000000001234"},
		{"%pI4 %pi4", {P(ip), P(ip)}, 2, 28, "192.168.0.1 192.168.000.001"},
		{"tab\tok\n", {0}, 0, 8, "tab\tok\n"},
		/* formats the kernel refuses */
		{"%d", {0}, 0, -EINVAL, NULL}, /* more specifiers than data */
		{"%.3d", {1}, 1, -EINVAL, NULL},
		{"%hd", {1}, 1, -EINVAL, NULL},
		{"%#x", {1}, 1, -EINVAL, NULL},
		{"%lf", {1}, 1, -EINVAL, NULL},
		{"%n", {1}, 1, -EINVAL, NULL},
		{"%sx", {0}, 1, -EINVAL, NULL}, /* %s must be followed by space, punctuation or the end */
		{"%pa", {1}, 1, -EINVAL, NULL},
		{"bell\a", {0}, 0, -EINVAL, NULL},
		{"%", {1}, 1, -EINVAL, NULL},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char out[128];
		memset(out, 'Z', sizeof(out));
		int64_t r = call_helper(BPF_FUNC_snprintf, P(out), sizeof(out), P(t[i].fmt), P(t[i].args), t[i].nargs * 8u);
		CHECK(r == t[i].ret, "snprintf(\"%s\") = %lld, want %lld", t[i].fmt, (long long)r, (long long)t[i].ret);
		if (t[i].out)
			CHECK(r > 0 && !strcmp(out, t[i].out), "snprintf(\"%s\") wrote \"%s\"", t[i].fmt, out);
	}
	/* Truncation: the return value is the full length + 1; str gets what fits. */
	char small[4] = "xxx";
	uint64_t v = 123456;
	CHECK(call_helper(BPF_FUNC_snprintf, P(small), 4, P("%d"), P(&v), 8) == 7 && !strcmp(small, "123"), "truncate: %s", small);
	CHECK(call_helper(BPF_FUNC_snprintf, 0, 0, P("%d"), P(&v), 8) == 7, "size 0");
	CHECK(call_helper(BPF_FUNC_snprintf, P(small), 4, P("x"), P(&v), 7) == -EINVAL, "data_len %% 8");
	CHECK(call_helper(BPF_FUNC_snprintf, P(small), 4, P("x"), P(&v), 13 * 8) == -EINVAL, "data_len > 96");
	CHECK(call_helper(BPF_FUNC_snprintf, P(small), 4, P("x"), 0, 8) == -EINVAL, "data NULL");
	/* Extra data is fine. */
	uint64_t two[2] = {1, 2};
	char out[16];
	CHECK(call_helper(BPF_FUNC_snprintf, P(out), sizeof(out), P("%d"), P(two), 16) == 2 && !strcmp(out, "1"), "extra");
	/* A bad %s pointer prints as the empty string; an unreadable %pI4 as zeros. */
	uint64_t bad = 8;
	CHECK(call_helper(BPF_FUNC_snprintf, P(out), sizeof(out), P("<%s>"), P(&bad), 8) == 3 && !strcmp(out, "<>"),
	      "bad %%s: %s", out);
	CHECK(call_helper(BPF_FUNC_snprintf, P(out), sizeof(out), P("%pI4"), P(&bad), 8) == 8 && !strcmp(out, "0.0.0.0"),
	      "bad %%pI4: %s", out);
	/* Strings share the kernel's 512-byte argument area: the tail is cut. */
	static char big[700];
	memset(big, 'a', sizeof(big) - 1);
	uint64_t s2[2] = {P(big), P(big)};
	char *o2 = calloc(1, 1024);
	CHECK(call_helper(BPF_FUNC_snprintf, P(o2), 1024, P("%s"), P(s2), 8) == 512 && strlen(o2) == 511, "512 area");
	CHECK(call_helper(BPF_FUNC_snprintf, P(o2), 1024, P("%s%s"), P(s2), 16) == -ENOSPC, "ENOSPC");
	free(o2);
}

static void test_strtol(void)
{
	static const struct {
		const char *s;
		uint32_t len; /* 0: strlen */
		uint64_t flags;
		int64_t ret, val; /* strtol */
		int64_t uret;     /* strtoul */
		uint64_t uval;
	} t[] = {
		{"123", 0, 0, 3, 123, 3, 123},
		{"  \t\n-42xyz", 0, 10, 7, -42, -EINVAL, 0},
		{"0x1f", 0, 0, 4, 31, 4, 31},
		{"0x1f", 0, 16, 4, 31, 4, 31},
		{"1f", 0, 16, 2, 31, 2, 31},
		{"0X1F", 0, 16, 4, 31, 4, 31},
		{"017", 0, 0, 3, 15, 3, 15},
		{"0xg", 0, 0, 1, 0, 1, 0}, /* base 0: "0" then 'x' stops */
		{"0xg", 0, 16, -EINVAL, 0, -EINVAL, 0},
		{"089", 0, 0, 1, 0, 1, 0},
		{"089", 0, 8, 1, 0, 1, 0},
		{"+5", 0, 0, -EINVAL, 0, -EINVAL, 0},
		{"", 1, 0, -EINVAL, 0, -EINVAL, 0},
		{"   ", 0, 0, -EINVAL, 0, -EINVAL, 0},
		{"-", 0, 0, -EINVAL, 0, -EINVAL, 0},
		{"12345", 3, 10, 3, 123, 3, 123}, /* buf_len bounds the parse */
		{"9223372036854775807", 0, 10, 19, INT64_MAX, 19, INT64_MAX},
		{"9223372036854775808", 0, 10, -ERANGE, 0, 19, 9223372036854775808ull},
		{"-9223372036854775808", 0, 10, 20, INT64_MIN, -EINVAL, 0},
		{"-9223372036854775809", 0, 10, -ERANGE, 0, -EINVAL, 0},
		{"18446744073709551615", 0, 10, -ERANGE, 0, 20, UINT64_MAX},
		{"18446744073709551616", 0, 10, -ERANGE, 0, -ERANGE, 0},
		{"ffffffffffffffff", 0, 16, -ERANGE, 0, 16, UINT64_MAX},
		{"10", 0, 2, -EINVAL, 0, -EINVAL, 0}, /* base 2 is not allowed */
		{"10", 0, 0x20 | 10, -EINVAL, 0, -EINVAL, 0},
		{"\xa0" "7", 0, 0, 2, 7, 2, 7}, /* the kernel's isspace(0xa0) */
		{"-0", 0, 0, 2, 0, -EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint32_t len = t[i].len ? t[i].len : (uint32_t)strlen(t[i].s);
		int64_t res = 77;
		int64_t r = call_helper(BPF_FUNC_strtol, P(t[i].s), len, t[i].flags, P(&res), 0);
		CHECK(r == t[i].ret && res == (t[i].ret >= 0 ? t[i].val : 0), "strtol(\"%s\", %u, %#llx) = %lld res %lld",
		      t[i].s, len, (unsigned long long)t[i].flags, (long long)r, (long long)res);
		uint64_t ures = 77;
		r = call_helper(BPF_FUNC_strtoul, P(t[i].s), len, t[i].flags, P(&ures), 0);
		CHECK(r == t[i].uret && ures == (t[i].uret >= 0 ? t[i].uval : 0), "strtoul(\"%s\") = %lld res %llu", t[i].s,
		      (long long)r, (unsigned long long)ures);
	}
	/* Only 63 characters after the sign are looked at. */
	char zeros[80];
	memset(zeros, '0', sizeof(zeros));
	zeros[79] = '1';
	int64_t res = 5;
	CHECK(call_helper(BPF_FUNC_strtol, P(zeros), 80, 10, P(&res), 0) == 63 && res == 0, "63 chars");
}

static void test_strncmp(void)
{
	CHECK(call_helper(BPF_FUNC_strncmp, P("abc"), 3, P("abc"), 0, 0) == 0, "equal");
	CHECK(call_helper(BPF_FUNC_strncmp, P("abd"), 3, P("abc"), 0, 0) == 1, "greater");
	CHECK(call_helper(BPF_FUNC_strncmp, P("abb"), 3, P("abc"), 0, 0) == -1, "less");
	CHECK(call_helper(BPF_FUNC_strncmp, P("abcdef"), 3, P("abc"), 0, 0) == 0, "prefix within s1_sz");
	CHECK(call_helper(BPF_FUNC_strncmp, P("ab"), 3, P("abc"), 0, 0) == -1, "shorter");
	CHECK(call_helper(BPF_FUNC_strncmp, P("\xff"), 1, P("a"), 0, 0) == 1, "unsigned compare");
}

static void drain(int fd)
{
	char buf[8192];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void test_trace_printk(void)
{
	int fd = bpfrt_trace_pipe_fd(rt);
	CHECK(fd >= 0, "trace pipe fd %d", fd);
	CHECK(bpfrt_trace_pipe_fd(rt) == fd, "same fd");
	drain(fd);
	prctl(PR_SET_NAME, "helpertest", 0, 0, 0);
	static const char fmt[] = "x=%d s=%s c=%c";
	CHECK(call_helper(BPF_FUNC_trace_printk, P(fmt), sizeof(fmt), 7, P("hi"), 'Q') == 12, "printk ret");
	char line[2048] = "";
	ssize_t n = read(fd, line, sizeof(line) - 1);
	CHECK(n > 0, "a line");
	line[n > 0 ? n : 0] = 0;
	CHECK(strstr(line, "helpertest-") && strstr(line, ": bpf_trace_printk: x=7 s=hi c=Q\n") &&
		      strchr(line, '\n') == line + n - 1,
	      "line: %s", line);
	char want[64];
	snprintf(want, sizeof(want), "-%d", (int)gettid());
	CHECK(strstr(line, want) != NULL, "tid in line: %s", line);
	/* Errors: fmt without NUL in fmt_size, a 4th argument, bad conversions. */
	CHECK(call_helper(BPF_FUNC_trace_printk, P("abc"), 3, 0, 0, 0) == -EINVAL, "no NUL");
	CHECK(call_helper(BPF_FUNC_trace_printk, P("%d%d%d%d"), 9, 1, 2, 3) == -EINVAL, "4 args");
	CHECK(call_helper(BPF_FUNC_trace_printk, P("%q"), 3, 1, 2, 3) == -EINVAL, "%%q");
	CHECK(read(fd, line, sizeof(line)) < 0 && errno == EAGAIN, "nothing written on errors");
	/* vprintk: up to 12 arguments; a trailing newline is not doubled. */
	uint64_t args[4] = {1, 2, 3, 4};
	CHECK(call_helper(BPF_FUNC_trace_vprintk, P("%d-%d-%d-%d\n"), 13, P(args), 32, 0) == 8, "vprintk");
	n = read(fd, line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = 0;
	CHECK(n > 0 && strstr(line, "bpf_trace_printk: 1-2-3-4\n") && strchr(line, '\n') == line + n - 1,
	      "vprintk line: %s", line);
	CHECK(call_helper(BPF_FUNC_trace_vprintk, P("x"), 2, P(args), 12, 0) == -EINVAL, "data_len & 7");
	CHECK(call_helper(BPF_FUNC_trace_vprintk, P("x"), 2, 0, 8, 0) == -EINVAL, "NULL data");
	/* A full pipe drops lines instead of blocking. */
	for (int i = 0; i < 1500; i++)
		call_helper(BPF_FUNC_trace_printk, P("fill fill fill fill fill fill"), 30, 0, 0, 0);
	drain(fd);
}

static void test_current(void)
{
	uint64_t pt = (uint64_t)call_helper(BPF_FUNC_get_current_pid_tgid, 0, 0, 0, 0, 0);
	CHECK(pt >> 32 == (uint64_t)getpid() && (uint32_t)pt == (uint32_t)gettid(), "pid_tgid %llx",
	      (unsigned long long)pt);
	uint64_t ug = (uint64_t)call_helper(BPF_FUNC_get_current_uid_gid, 0, 0, 0, 0, 0);
	CHECK(ug >> 32 == getgid() && (uint32_t)ug == getuid(), "uid_gid");
	prctl(PR_SET_NAME, "commtest", 0, 0, 0);
	char comm[16];
	memset(comm, 'x', sizeof(comm));
	CHECK(call_helper(BPF_FUNC_get_current_comm, P(comm), sizeof(comm), 0, 0, 0) == 0 && !strcmp(comm, "commtest") &&
		      comm[15] == 0,
	      "comm %s", comm);
	memset(comm, 'x', sizeof(comm));
	CHECK(call_helper(BPF_FUNC_get_current_comm, P(comm), 5, 0, 0, 0) == 0 && !strcmp(comm, "comm") && comm[5] == 'x',
	      "short comm");
	CHECK(call_helper(BPF_FUNC_get_current_comm, P(comm), 0, 0, 0, 0) == -EINVAL, "size 0");
	CHECK(call_helper(BPF_FUNC_get_numa_node_id, 0, 0, 0, 0, 0) >= 0, "numa");
	uint64_t j1 = (uint64_t)call_helper(BPF_FUNC_jiffies64, 0, 0, 0, 0, 0);
	usleep(20000);
	uint64_t j2 = (uint64_t)call_helper(BPF_FUNC_jiffies64, 0, 0, 0, 0, 0);
	CHECK(j2 >= j1 + 4 && j2 < j1 + 250, "jiffies %llu -> %llu", (unsigned long long)j1, (unsigned long long)j2);
}

static void test_csum_diff(void)
{
	/* Expected values as Linux 6.18 gives them: tests/kernel/test_helpers_diff.c
	 * runs these inputs (and ~800 more) on the kernel and on bpfrt. */
	uint32_t a[4] = {0x01020304, 0xa0b0c0d0, 0xffffffff, 0};
	uint32_t b[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};
	int64_t r;
	r = call_helper(BPF_FUNC_csum_diff, 0, 0, P(b), 16, 0);
	CHECK(r == 0x5555, "push %llx", (long long)r);
	r = call_helper(BPF_FUNC_csum_diff, 0, 0, 0, 0, 0x12345678);
	CHECK(r == 0x68ac, "seed only %llx", (long long)r);
	r = call_helper(BPF_FUNC_csum_diff, P(a), 8, P(b), 8, 0);
	CHECK(r == 0xdf, "diff %llx", (long long)r);
	r = call_helper(BPF_FUNC_csum_diff, P(a), 4, P(a), 4, 0);
	CHECK(r == 0xffff, "same words %llx", (long long)r);
	/* Linux 6.18 takes any sizes: a 1-3 byte tail is a zero-padded word. */
	r = call_helper(BPF_FUNC_csum_diff, P(a), 3, P(b), 4, 0);
	CHECK(r == 0x1f1c, "size 3: %llx", (long long)r);
	r = call_helper(BPF_FUNC_csum_diff, P(a), 4, P(b), 6, 0);
	CHECK(r == 0x403e, "size 6: %llx", (long long)r);
	static uint32_t big[300];
	for (int i = 0; i < 300; i++)
		big[i] = 0x01010101u * (uint32_t)i;
	r = call_helper(BPF_FUNC_csum_diff, P(big), 1200, 0, 0, 0);
	CHECK(r == 0x3c68, "pull 1200 bytes: %llx", (long long)r);
}

static void test_probe_read(void)
{
	/* A mapped, then unmapped page: a certainly-bad address. */
	uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED, "mmap");
	munmap(page, 4096);
	uint8_t dst[16];
	memset(dst, 0x5a, sizeof(dst));
	CHECK(call_helper(BPF_FUNC_probe_read_kernel, P(dst), sizeof(dst), P(page), 0, 0) == -EFAULT, "bad addr");
	CHECK(dst[0] == 0 && dst[15] == 0, "zero-filled");
	memset(dst, 0x5a, sizeof(dst));
	CHECK(call_helper(BPF_FUNC_probe_read_user, P(dst), sizeof(dst), 0, 0, 0) == -EFAULT && dst[3] == 0, "NULL");
	static const char src[] = "0123456789abcdef";
	CHECK(call_helper(BPF_FUNC_probe_read_user, P(dst), 16, P(src), 0, 0) == 0 && !memcmp(dst, src, 16), "good read");
	/* _str: length with NUL; truncation keeps a NUL; bad -> -EFAULT, zeroed. */
	CHECK(call_helper(BPF_FUNC_probe_read_kernel_str, P(dst), 16, P("hey"), 0, 0) == 4 && !strcmp((char *)dst, "hey"),
	      "str");
	CHECK(call_helper(BPF_FUNC_probe_read_user_str, P(dst), 5, P(src), 0, 0) == 5 && !strcmp((char *)dst, "0123"),
	      "trunc");
	CHECK(call_helper(BPF_FUNC_probe_read_user_str, P(dst), 0, P(src), 0, 0) == 0, "size 0");
	memset(dst, 0x5a, sizeof(dst));
	CHECK(call_helper(BPF_FUNC_probe_read_kernel_str, P(dst), 16, P(page), 0, 0) == -EFAULT && dst[7] == 0, "bad str");
	/* Reads running into an unmapped page. */
	uint8_t *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(two != MAP_FAILED, "mmap 2");
	memset(two, 'a', 4096);
	munmap(two + 4096, 4096);
	CHECK(call_helper(BPF_FUNC_probe_read_kernel_str, P(dst), 16, P(two + 4090), 0, 0) == -EFAULT, "str into hole");
	CHECK(call_helper(BPF_FUNC_probe_read_kernel, P(dst), 16, P(two + 4090), 0, 0) == -EFAULT, "read into hole");
	CHECK(call_helper(BPF_FUNC_probe_read_kernel, P(dst), 6, P(two + 4090), 0, 0) == 0, "read up to hole");
	munmap(two, 4096);
}

/* bpf_loop: the callback counts calls in ctx->buf[0..8) and returns 1 at
 * the index in ctx->arg[2]. */
static void test_loop(void)
{
	const struct bpf_insn prog[] = {
		MOV64_REG(6, 1), LDX64(1, 6, 0), LD_FUNC(2, 7), MOV64_REG(3, 6), LDX64(4, 6, 8),
		CALL(BPF_FUNC_loop), STX64(6, 0, 40), MOV64_IMM(0, 0), EXIT,
		/* slot 10: callback(index r1, ctx r2) */
		LDX64(3, 2, 48), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, 1), STX64(2, 3, 48),
		MOV64_IMM(0, 0), LDX64(4, 2, 16), INSN(BPF_JMP | BPF_JNE | BPF_X, 1, 4, 1, 0), MOV64_IMM(0, 1), EXIT,
	};
	/* The callback's ctx is the test's context, which the kernel's
	 * bpf_loop/for_each (ARG_PTR_TO_STACK) would not take: unverified. */
	int fd = prog_load_flags(BPF_PROG_TYPE_SYSCALL, prog, N(prog), BPFRT_F_UNVERIFIED);
	CHECK(fd >= 0, "load loop prog %d", fd);
	static const struct {
		uint64_t n, flags, stop;
		int64_t ret;
		uint64_t calls;
	} t[] = {
		{10, 0, 99, 10, 10}, {10, 0, 3, 4, 4}, {0, 0, 0, 0, 0}, {5, 1, 99, -EINVAL, 0},
		{(1u << 23) + 1, 0, 0, -E2BIG, 0}, {1ull << 32 | 2, 0, 99, 2, 2}, /* nr_loops is a u32 */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct call_ctx c = {.arg = {t[i].n, t[i].flags, t[i].stop}};
		CHECK(run_ctx(fd, &c, sizeof(c)) == 0, "run");
		uint64_t calls;
		memcpy(&calls, c.buf, 8);
		CHECK((int64_t)c.ret == t[i].ret && calls == t[i].calls, "loop(%llu) = %lld after %llu calls",
		      (unsigned long long)t[i].n, (long long)c.ret, (unsigned long long)calls);
	}
	/* The limit itself is allowed. */
	struct call_ctx c = {.arg = {1u << 23, 0, 1u << 30}};
	CHECK(run_ctx(fd, &c, sizeof(c)) == 0 && c.ret == 1u << 23, "loop 2^23: %llu", (unsigned long long)c.ret);
	bpfrt_close(rt, fd);
}

static void test_for_each_map_elem(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY, a.key_size = 4, a.value_size = 8, a.max_entries = 5;
	int map = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
	CHECK(map >= 0, "map %d", map);
	for (uint32_t k = 0; k < 5; k++) {
		uint64_t v = 10 * (k + 1);
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)map, a.key = P(&k), a.value = P(&v);
		CHECK(bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)) == 0, "update");
	}
	/* callback(map, key, value, ctx): sum the values into ctx->buf, add 1
	 * to each value, stop at key ctx->arg[2]. */
	const struct bpf_insn prog[] = {
		MOV64_REG(6, 1), LD_MAP(1, map), LD_FUNC(2, 7), MOV64_REG(3, 6), LDX64(4, 6, 8),
		CALL(BPF_FUNC_for_each_map_elem), STX64(6, 0, 40), MOV64_IMM(0, 0), EXIT,
		/* slot 11 */
		INSN(BPF_LDX | BPF_MEM | BPF_W, 5, 2, 0, 0), LDX64(0, 3, 0), LDX64(7, 4, 48),
		INSN(BPF_ALU64 | BPF_ADD | BPF_X, 7, 0, 0, 0), STX64(4, 7, 48),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1), STX64(3, 0, 0), MOV64_IMM(0, 0), LDX64(7, 4, 16),
		INSN(BPF_JMP | BPF_JNE | BPF_X, 5, 7, 1, 0), MOV64_IMM(0, 1), EXIT,
	};
	/* The callback's ctx is the test's context, which the kernel's
	 * bpf_loop/for_each (ARG_PTR_TO_STACK) would not take: unverified. */
	int fd = prog_load_flags(BPF_PROG_TYPE_SYSCALL, prog, N(prog), BPFRT_F_UNVERIFIED);
	CHECK(fd >= 0, "load for_each prog %d", fd);
	struct call_ctx c = {.arg = {0, 0, 99}};
	CHECK(run_ctx(fd, &c, sizeof(c)) == 0, "run");
	uint64_t sum;
	memcpy(&sum, c.buf, 8);
	CHECK(c.ret == 5 && sum == 150, "all: %llu elems, sum %llu", (unsigned long long)c.ret, (unsigned long long)sum);
	memset(&c, 0, sizeof(c));
	c.arg[2] = 2;
	CHECK(run_ctx(fd, &c, sizeof(c)) == 0, "run");
	memcpy(&sum, c.buf, 8);
	CHECK(c.ret == 3 && sum == 11 + 21 + 31, "stop at key 2: %llu elems, sum %llu", (unsigned long long)c.ret,
	      (unsigned long long)sum);
	c.arg[1] = 1;
	CHECK(run_ctx(fd, &c, sizeof(c)) == 0 && (int64_t)c.ret == -EINVAL, "flags");
	uint32_t k = 4;
	uint64_t v = 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map, a.key = P(&k), a.value = P(&v);
	CHECK(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == 0 && v == 51, "values written by callback: %llu",
	      (unsigned long long)v);
	bpfrt_close(rt, fd);
	bpfrt_close(rt, map);
}

/* Checked mode: pointers must lie in the run's regions. */
static void test_checked(void)
{
	struct call_ctx c;
	memset(&c, 0, sizeof(c));
	static const char fmt[] = "n=%d";
	uint64_t data = 5;
	char outside[32];
	memcpy(c.buf + 64, fmt, sizeof(fmt));
	memcpy(c.buf + 128, &data, 8);
	c.arg[0] = P(c.buf), c.arg[1] = 32, c.arg[2] = P(c.buf + 64), c.arg[3] = P(c.buf + 128), c.arg[4] = 8;
	CHECK(call_checked(BPF_FUNC_snprintf, &c) == 4 && !strcmp((char *)c.buf, "n=5"), "checked snprintf");
	c.arg[0] = P(outside);
	CHECK(call_checked(BPF_FUNC_snprintf, &c) == -EFAULT, "str outside");
	c.arg[0] = P(c.buf), c.arg[2] = P(fmt);
	CHECK(call_checked(BPF_FUNC_snprintf, &c) == -EFAULT, "fmt outside");
	c.arg[2] = P(c.buf + 64), c.arg[3] = P(&data);
	CHECK(call_checked(BPF_FUNC_snprintf, &c) == -EFAULT, "data outside");
	/* probe_read: dst must be writable program memory; src may be anything. */
	memset(&c, 0, sizeof(c));
	c.arg[0] = P(c.buf), c.arg[1] = 4, c.arg[2] = P("abc");
	CHECK(call_checked(BPF_FUNC_probe_read_kernel, &c) == 0 && !strcmp((char *)c.buf, "abc"), "probe into ctx");
	c.arg[0] = P(outside);
	CHECK(call_checked(BPF_FUNC_probe_read_kernel, &c) == -EFAULT, "probe to outside");
	c.arg[1] = 300, c.arg[0] = P(c.buf);
	CHECK(call_checked(BPF_FUNC_probe_read_kernel, &c) == -EFAULT, "probe past ctx");
	/* strtol: res must be writable. */
	memcpy(c.buf, "42", 3);
	c.arg[0] = P(c.buf), c.arg[1] = 2, c.arg[2] = 0, c.arg[3] = P(c.buf + 8);
	CHECK(call_checked(BPF_FUNC_strtol, &c) == 2, "strtol in ctx");
	c.arg[3] = P(&data);
	CHECK(call_checked(BPF_FUNC_strtol, &c) == -EFAULT, "strtol res outside");
	memset(&c, 0, sizeof(c));
	c.arg[2] = P(outside), c.arg[3] = 4;
	CHECK(call_checked(BPF_FUNC_csum_diff, &c) == -EFAULT, "csum outside");
	c.arg[2] = P(c.buf);
	CHECK(call_checked(BPF_FUNC_csum_diff, &c) == 0, "csum in ctx");
	c.arg[0] = P(c.buf), c.arg[1] = 3, c.arg[2] = P("abc");
	CHECK(call_checked(BPF_FUNC_strncmp, &c) == -EFAULT, "strncmp s2 outside");
	c.arg[0] = P(outside), c.arg[1] = 16;
	CHECK(call_checked(BPF_FUNC_get_current_comm, &c) == -EFAULT, "comm outside");
	c.arg[0] = P(fmt), c.arg[1] = sizeof(fmt);
	CHECK(call_checked(BPF_FUNC_trace_printk, &c) == -EFAULT, "printk fmt outside");
}

int main(void)
{
	rt = bpfrt_new(NULL);
	CHECK(rt, "runtime");
	test_snprintf();
	test_strtol();
	test_strncmp();
	test_trace_printk();
	test_current();
	test_csum_diff();
	test_probe_read();
	test_loop();
	test_for_each_map_elem();
	test_checked();
	bpfrt_free(rt);
	return CHECK_DONE();
}
