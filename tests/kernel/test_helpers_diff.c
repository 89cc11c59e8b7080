/* test_helpers_diff.c — helper results of bpfrt against the host kernel:
 * bpf_csum_diff, bpf_strtol/bpf_strtoul, bpf_snprintf and the XDP packet
 * helpers (bpf_xdp_adjust_meta/head/tail with the test run's metadata
 * from ctx_in) run with the same instructions (XDP, BPF_PROG_TEST_RUN) on
 * both sides; the program's map value — helper output buffer and return
 * value — must come out identical, and for the XDP cases also the test
 * run's error, retval, data_out and ctx_out.
 * Fixed tables, then seeded random cases for each seed of a fixed list
 * (BPFRT_DIFF_SEED=S runs only seed S; BPFRT_HELPERS_DIFF_COUNT the cases per
 * seed).  A mismatch prints its seed and the command that replays it.
 * Exits 77 (CTest skip) when the kernel's bpf() is unavailable. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LD_VALUE(d, fd, off) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_VALUE, 0, fd), INSN(0, 0, 0, 0, off)
#define LD_IMM64(d, v) INSN(BPF_LD | BPF_IMM | BPF_DW, d, 0, 0, (int32_t)(uint32_t)(v)), INSN(0, 0, 0, 0, (int32_t)((uint64_t)(v) >> 32))
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)

#define VALUE_SIZE 2048
#define RET_OFF 2040 /* r0 of the helper goes here */

static struct bpfrt *rt;
static int failures, cases;

/* An XDP test run's input and what came out of it. */
struct xdp_io {
	const uint8_t *pkt;
	uint32_t size;
	const struct xdp_md *ctx; /* ctx_in, or NULL for none */
	int err;
	uint32_t retval, data_size, ctx_size;
	uint8_t data[4096];
	struct xdp_md ctx_out;
};

/* One side of the comparison: the kernel or bpfrt, same bpf(2) API. */
static int sys(bool kernel, int cmd, union bpf_attr *a)
{
	if (!kernel)
		return bpfrt_bpf(rt, cmd, a, sizeof(*a));
	int r = (int)syscall(SYS_bpf, cmd, a, sizeof(*a));
	return r < 0 ? -errno : r;
}

static void sys_close(bool kernel, int fd)
{
	if (fd < 0)
		return;
	if (kernel)
		close(fd);
	else
		bpfrt_close(rt, fd);
}

static int map_with(bool kernel, uint32_t flags, const void *value, bool freeze)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY, a.key_size = 4, a.value_size = VALUE_SIZE, a.max_entries = 1;
	a.map_flags = flags;
	int fd = sys(kernel, BPF_MAP_CREATE, &a);
	if (fd < 0)
		return fd;
	uint32_t k = 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)&k, a.value = (uintptr_t)value;
	int err = sys(kernel, BPF_MAP_UPDATE_ELEM, &a);
	if (!err && freeze) {
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd;
		err = sys(kernel, BPF_MAP_FREEZE, &a);
	}
	if (err) {
		sys_close(kernel, fd);
		return err;
	}
	return fd;
}

/* The program: r7 = &value (data map), r8 = &value (rodata map), then the
 * caller's argument setup, the call, value[RET_OFF] = r0, return XDP_PASS.
 * In `body`, map fds are written as -1 (data) and -2 (rodata). */
static int run_case(bool kernel, const struct bpf_insn *body, uint32_t nbody, const uint8_t *data,
		    const uint8_t *rodata, uint8_t *out, char *log, size_t log_size, struct xdp_io *io)
{
	int dfd = map_with(kernel, 0, data, false);
	int rfd = rodata ? map_with(kernel, BPF_F_RDONLY_PROG, rodata, true) : -1;
	struct bpf_insn prog[512];
	uint32_t n = 0;
	int ret = -1;
	if (dfd < 0 || (rodata && rfd < 0)) {
		snprintf(log, log_size, "map create: %d %d", dfd, rfd);
		goto out;
	}
	const struct bpf_insn head[] = {LD_VALUE(7, dfd, 0)};
	memcpy(prog, head, sizeof(head));
	n = 2;
	if (rodata) {
		const struct bpf_insn ro[] = {LD_VALUE(8, rfd, 0)};
		memcpy(prog + n, ro, sizeof(ro));
		n += 2;
	}
	memcpy(prog + n, body, nbody * sizeof(*body));
	n += nbody;
	prog[n++] = INSN(BPF_STX | BPF_MEM | BPF_DW, 7, 0, RET_OFF, 0);
	prog[n++] = MOV_IMM(0, 2);
	prog[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP, a.insns = (uintptr_t)prog, a.insn_cnt = n, a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log, a.log_size = (uint32_t)log_size, a.log_level = 1;
	log[0] = 0;
	int pfd = sys(kernel, BPF_PROG_LOAD, &a);
	if (pfd < 0) {
		if (!log[0])
			snprintf(log, log_size, "prog load: %d", pfd);
		goto out;
	}
	uint8_t pkt[64] = {0};
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)pfd, a.test.data_in = (uintptr_t)pkt, a.test.data_size_in = sizeof(pkt);
	if (io) {
		a.test.data_in = (uintptr_t)io->pkt, a.test.data_size_in = io->size;
		memset(io->data, 0, sizeof(io->data));
		memset(&io->ctx_out, 0xee, sizeof(io->ctx_out));
		a.test.data_out = (uintptr_t)io->data, a.test.data_size_out = sizeof(io->data);
		if (io->ctx) {
			a.test.ctx_in = (uintptr_t)io->ctx, a.test.ctx_size_in = sizeof(*io->ctx);
			a.test.ctx_out = (uintptr_t)&io->ctx_out, a.test.ctx_size_out = sizeof(io->ctx_out);
		}
	}
	int err = sys(kernel, BPF_PROG_TEST_RUN, &a);
	if (io) {
		/* A refused run is a result to compare, not a failure. */
		io->err = err, io->retval = a.test.retval, io->data_size = a.test.data_size_out;
		io->ctx_size = a.test.ctx_size_out;
		err = 0;
	}
	uint32_t k = 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)dfd, a.key = (uintptr_t)&k, a.value = (uintptr_t)out;
	if (!err)
		err = sys(kernel, BPF_MAP_LOOKUP_ELEM, &a);
	if (err)
		snprintf(log, log_size, "test run / lookup: %d", err);
	ret = err;
	sys_close(kernel, pfd);
out:
	sys_close(kernel, dfd);
	sys_close(kernel, rfd);
	return ret;
}

/* Where the kernel's verifier refuses a program because of its constant
 * format string, bpfrt (no verifier in this path) must answer -EINVAL at
 * run time: that is what the kernel's helper itself returns for it. */
static bool einval_on_refusal;

/* The seed of the random cases being run (0: the fixed tables). */
static uint64_t cur_seed;
static bool cur_seeded;
static uint32_t cur_count;

static void mismatch_seed(void)
{
	failures++;
	if (cur_seeded)
		fprintf(stderr, "  (seed %#llx; replay: BPFRT_DIFF_SEED=%#llx BPFRT_HELPERS_DIFF_COUNT=%u tests/kernel/test_helpers_diff)\n",
			(unsigned long long)cur_seed, (unsigned long long)cur_seed, cur_count);
}

static bool compare_io(const char *what, const struct xdp_io *k, const struct xdp_io *u)
{
	if (k->err == u->err && (k->err ||
	    (k->retval == u->retval && k->data_size == u->data_size && !memcmp(k->data, u->data, sizeof(k->data)) &&
	     k->ctx_size == u->ctx_size && !memcmp(&k->ctx_out, &u->ctx_out, sizeof(k->ctx_out)))))
		return true;
	fprintf(stderr, "MISMATCH %s: test run kernel err %d retval %u data_size_out %u ctx_out {data %u data_end %u data_meta %u} size %u\n"
		"                bpfrt  err %d retval %u data_size_out %u ctx_out {data %u data_end %u data_meta %u} size %u\n",
		what, k->err, k->retval, k->data_size, k->ctx_out.data, k->ctx_out.data_end, k->ctx_out.data_meta,
		k->ctx_size, u->err, u->retval, u->data_size, u->ctx_out.data, u->ctx_out.data_end,
		u->ctx_out.data_meta, u->ctx_size);
	size_t d = 0;
	while (d < sizeof(k->data) && k->data[d] == u->data[d])
		d++;
	if (d < sizeof(k->data))
		fprintf(stderr, "  data_out first differs at byte %zu: kernel %#x bpfrt %#x\n", d, k->data[d], u->data[d]);
	mismatch_seed();
	return false;
}

static bool compare_xdp(const char *what, const struct bpf_insn *body, uint32_t nbody, const uint8_t *data,
			const uint8_t *rodata, struct xdp_io *kio, struct xdp_io *uio)
{
	static uint8_t ko[VALUE_SIZE], uo[VALUE_SIZE];
	static char klog[65536], ulog[4096];
	cases++;
	int kr = run_case(true, body, nbody, data, rodata, ko, klog, sizeof(klog), kio);
	int ur = run_case(false, body, nbody, data, rodata, uo, ulog, sizeof(ulog), uio);
	if (kio && !kr && !ur && !compare_io(what, kio, uio))
		return false;
	if (kr && einval_on_refusal && !ur) {
		int64_t uret;
		memcpy(&uret, uo + RET_OFF, 8);
		if (uret != -EINVAL) {
			fprintf(stderr, "MISMATCH %s: the kernel refuses the format, bpfrt returns %lld\n", what,
				(long long)uret);
			mismatch_seed();
			return false;
		}
		return true;
	}
	if (kr) {
		/* The kernel refused the program: nothing to compare (a helper
		 * not offered to XDP on this kernel, say).  Say so once. */
		static int told;
		if (!told++)
			fprintf(stderr, "note: kernel refused a case (%s): %.300s\n", what, klog);
		cases--;
		return true;
	}
	int64_t kret, uret;
	memcpy(&kret, ko + RET_OFF, 8);
	memcpy(&uret, uo + RET_OFF, 8);
	if (ur || memcmp(ko, uo, VALUE_SIZE)) {
		size_t d = 0;
		while (d < VALUE_SIZE && ko[d] == uo[d])
			d++;
		fprintf(stderr, "MISMATCH %s: kernel ret %lld, bpfrt ret %lld (run %d %s); first differing byte %zu\n",
			what, (long long)kret, (long long)uret, ur, ur ? ulog : "", d);
		if (d < 256)
			fprintf(stderr, "  kernel out: \"%.120s\"\n  bpfrt  out: \"%.120s\"\n", (char *)ko, (char *)uo);
		mismatch_seed();
		return false;
	}
	return true;
}

static bool compare(const char *what, const struct bpf_insn *body, uint32_t nbody, const uint8_t *data,
		    const uint8_t *rodata)
{
	return compare_xdp(what, body, nbody, data, rodata, NULL, NULL);
}

static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* csum_diff(from = value+0, from_size, to = value+1024, to_size, seed). */
static void csum_case(const uint8_t *data, uint32_t fs, uint32_t ts, uint32_t seed)
{
	const struct bpf_insn body[] = {
		MOV_REG(1, 7), MOV_IMM(2, (int32_t)fs), MOV_REG(3, 7), ADD_IMM(3, 1024), MOV_IMM(4, (int32_t)ts),
		LD_IMM64(5, seed), INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_csum_diff),
	};
	char what[96];
	snprintf(what, sizeof(what), "csum_diff(from_size %u, to_size %u, seed %#x)", fs, ts, seed);
	compare(what, body, sizeof(body) / sizeof(body[0]), data, NULL);
}

static void test_csum(uint32_t count)
{
	static uint8_t data[VALUE_SIZE];
	static const uint32_t sizes[][2] = {{0, 0}, {0, 4}, {4, 0}, {4, 4}, {8, 8}, {0, 20}, {20, 0}, {16, 40},
					    {3, 4}, {4, 6}, {512, 0}, {0, 512}, {256, 256}, {256, 260}, {1020, 1000}};
	static const uint32_t seeds[] = {0, 1, 0xffff, 0xffffffff, 0x12345678, 0xfffe0001};
	for (int fill = 0; fill < 3; fill++) {
		for (size_t i = 0; i < VALUE_SIZE; i++)
			data[i] = fill == 0 ? 0 : fill == 1 ? 0xff : (uint8_t)rnd();
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k += fill == 2 ? 1 : 3)
				csum_case(data, sizes[s][0], sizes[s][1], seeds[k]);
	}
	/* The inputs of tests/unit/test_helpers.c's test_csum_diff. */
	static const uint32_t ua[4] = {0x01020304, 0xa0b0c0d0, 0xffffffff, 0};
	static const uint32_t ub[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};
	memset(data, 0, sizeof(data));
	memcpy(data, ua, sizeof(ua));
	memcpy(data + 1024, ub, sizeof(ub));
	csum_case(data, 0, 16, 0);
	csum_case(data, 8, 8, 0);
	csum_case(data, 3, 4, 0);
	csum_case(data, 4, 6, 0);
	csum_case(data, 0, 0, 0x12345678);
	for (uint32_t i = 0; i < 300; i++) {
		uint32_t w = 0x01010101u * i;
		memcpy(data + 4 * i, &w, 4);
	}
	csum_case(data, 1200, 0, 0);
	/* Random words where the ones'-complement corner cases live: 0 and ~0. */
	for (uint32_t i = 0; i < count; i++) {
		for (size_t w = 0; w < VALUE_SIZE / 4; w++) {
			uint32_t pick = (uint32_t)rnd() % 4, v = pick == 0 ? 0 : pick == 1 ? 0xffffffff : (uint32_t)rnd();
			memcpy(data + 4 * w, &v, 4);
		}
		uint32_t fs = 4 * ((uint32_t)rnd() % 9), ts = 4 * ((uint32_t)rnd() % 9);
		uint32_t seed = rnd() % 3 ? (uint32_t)rnd() : (rnd() & 1) ? 0xffffffff : 0;
		csum_case(data, fs, ts, seed);
	}
}

static void strto_case(int helper, const char *s, uint32_t len, uint32_t flags)
{
	static uint8_t data[VALUE_SIZE];
	memset(data, 0x55, sizeof(data));
	memcpy(data, s, len);
	const struct bpf_insn body[] = {
		MOV_REG(1, 7), MOV_IMM(2, (int32_t)len), MOV_IMM(3, (int32_t)flags), MOV_REG(4, 7), ADD_IMM(4, 1024),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, helper),
	};
	char what[160];
	snprintf(what, sizeof(what), "%s(\"%.*s\", %u, %#x)", helper == BPF_FUNC_strtol ? "strtol" : "strtoul",
		 (int)(len < 80 ? len : 80), s, len, flags);
	compare(what, body, sizeof(body) / sizeof(body[0]), data, NULL);
}

static void test_strto(uint32_t count)
{
	static const char *strs[] = {
		"0", "123", "-123", "  42", "\t\n\v\f\r 7", "-", "+1", "0x", "0x1f", "0X1F", "0xg", "017", "089", "1f",
		"ff", "-0", "- 1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551615", "18446744073709551616", "ffffffffffffffff",
		"10000000000000000", "01777777777777777777777", "02000000000000000000000", "\xa0" "5", "12 34",
		"000000000000000000000000000000000000000000000000000000000000000000000001",
	};
	static const uint32_t bases[] = {0, 8, 10, 16, 2, 36, 0x20, 0x100 | 10};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
			uint32_t len = (uint32_t)strlen(strs[i]);
			strto_case(BPF_FUNC_strtol, strs[i], len ? len : 1, bases[b]);
			strto_case(BPF_FUNC_strtoul, strs[i], len ? len : 1, bases[b]);
		}
	static const char alphabet[] = "0123456789abcdefxX -\t+g";
	for (uint32_t i = 0; i < count; i++) {
		char s[32];
		uint32_t len = 1 + (uint32_t)rnd() % 24;
		for (uint32_t k = 0; k < len; k++)
			s[k] = alphabet[rnd() % (sizeof(alphabet) - 1)];
		strto_case(rnd() & 1 ? BPF_FUNC_strtol : BPF_FUNC_strtoul, s, len, bases[rnd() % 4]);
	}
}

/* snprintf(value+0, size, fmt = rodata, data = value+1024, data_len). */
static void snprintf_case(const char *fmt, const uint64_t *args, uint32_t nargs, uint32_t size)
{
	static uint8_t data[VALUE_SIZE], rodata[VALUE_SIZE];
	memset(data, 'Z', 1024);
	memset(data + 1024, 0, VALUE_SIZE - 1024);
	memcpy(data + 1024, args, nargs * 8u);
	memset(rodata, 0, sizeof(rodata));
	strcpy((char *)rodata, fmt);
	/* Numbers only: pointer arguments go through snprintf_ptr_case(). */
	const struct bpf_insn body[] = {
		MOV_REG(1, 7), MOV_IMM(2, (int32_t)size), MOV_REG(3, 8), MOV_REG(4, 7), ADD_IMM(4, 1024),
		MOV_IMM(5, (int32_t)(nargs * 8)), INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_snprintf),
	};
	char what[200];
	snprintf(what, sizeof(what), "snprintf(\"%s\", %u args, size %u)", fmt, nargs, size);
	compare(what, body, sizeof(body) / sizeof(body[0]), data, rodata);
}

static void test_snprintf(void)
{
	static const struct {
		const char *fmt;
		uint64_t args[12];
		uint32_t nargs;
	} t[] = {
		{"plain", {0}, 0},
		{"%d %i %u %x %X", {(uint64_t)-5, 7, (uint64_t)-1, 0xabcdef12345ull, 0xbeef}, 5},
		{"%ld %li %lu %lx %lX", {(uint64_t)-5, (uint64_t)INT64_MIN, UINT64_MAX, 0xabcdef12345ull, 0xbeefull << 40}, 5},
		{"%lld %lli %llu %llx %llX", {(uint64_t)-5, (uint64_t)INT64_MIN, UINT64_MAX, 1, 0xfff}, 5},
		{"[%5d|%-5d|%05d|%+d|% d|%+ d|%-05d]", {42, 42, (uint64_t)-42, 42, 42, 42, 7}, 7},
		{"[%08x|%-8X|%+u|% x|%020lld]", {0xbeef, 0xbeef, 5, 5, (uint64_t)-3}, 5},
		{"%c%c%c|%5c|%-3c|", {'a', 'b', 'c', 'x', 'y'}, 5},
		{"100%% %d%%", {5}, 1},
		{"%px|%20px|%-20px|", {0x1234, 0xdeadbeef, 0xabc}, 3},
		{"%pxabc:%pK", {0x1234, 0}, 2},
		{"%p", {0}, 1},
		{"%d", {0}, 0},
		{"%d %d", {1}, 1},
		{"%.3d", {1}, 1},
		{"%hd", {1}, 1},
		{"%zd", {1}, 1},
		{"%#x", {1}, 1},
		{"%lf", {1}, 1},
		{"%n", {1}, 1},
		{"%*d", {1, 2}, 2},
		{"%lc", {1}, 1},
		{"%ls", {1}, 1},
		{"%pa", {1}, 1},
		{"%pI4x", {1}, 1},
		{"%pI5", {1}, 1},
		{"%", {1}, 1},
		{"% %", {1}, 1},
		{"%5%", {1}, 1},
		{"tab\tnl\n", {0}, 0},
		{"\x01", {0}, 0},
		{"\x7f", {0}, 0},
		{"caf\xc3\xa9", {0}, 0},
		{"\x80|\x9f|\xa0|\xff", {0}, 0},
		{"%d\xa0%d\xd7%c\x80", {1, 2, 'x'}, 3},
		{"%px\xa1", {5}, 1},
		{"%p\xd7|%p", {0, 0}, 2}, /* NULL: the kernel prints it unhashed */
		{"%s", {0}, 1},
		{"%s|%10s|%-10s|", {1024 + 512, 1024 + 512, 1024 + 512}, 3},
		{"%s.", {1024 + 512}, 1},
		{"%sx", {1024 + 512}, 1},
		{"%pks %pus", {1024 + 512, 1024 + 512}, 2},
		{"%pI4 %pi4 %pI6 %pi6", {1024 + 600, 1024 + 600, 1024 + 600, 1024 + 600}, 4},
		{"%5pI4|%pI4c", {1024 + 600, 1024 + 600}, 2},
		{"%d %d %d %d %d %d %d %d %d %d %d %d", {1, 2, 3, 4, 5, 6}, 6},
	};
	einval_on_refusal = true;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t args[12];
		memcpy(args, t[i].args, sizeof(t[i].args));
		snprintf_case(t[i].fmt, args, t[i].nargs, 200);
	}
	/* Truncation and size 0 (NULL is not allowed by the kernel's verifier
	 * with a non-zero size; size 0 with a valid buffer is). */
	uint64_t v[2] = {1234567, 89};
	snprintf_case("%d-%d", v, 2, 0);
	snprintf_case("%d-%d", v, 2, 1);
	snprintf_case("%d-%d", v, 2, 5);
	snprintf_case("%d-%d", v, 2, 10);
	snprintf_case("%d-%d", v, 2, 11);
}

/* snprintf with pointer arguments: the program rewrites data[1024+8k]
 * offsets (>= 1024) into map-value pointers before the call. */
static void snprintf_ptr_case(const char *fmt, const uint64_t *offs, uint32_t nargs)
{
	static uint8_t data[VALUE_SIZE], rodata[VALUE_SIZE];
	memset(data, 'Z', 1024);
	memset(data + 1024, 0, VALUE_SIZE - 1024);
	memcpy(data + 1024, offs, nargs * 8u);
	strcpy((char *)data + 1024 + 512, "hello");
	const uint8_t ip[16] = {192, 168, 0, 1, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 1};
	memcpy(data + 1024 + 600, ip, 16);
	memset(rodata, 0, sizeof(rodata));
	strcpy((char *)rodata, fmt);
	struct bpf_insn body[64];
	uint32_t n = 0;
	for (uint32_t k = 0; k < nargs; k++) {
		/* data[1024 + 8k] = r7 + offset */
		body[n++] = MOV_REG(1, 7);
		body[n++] = ADD_IMM(1, (int32_t)offs[k]);
		body[n++] = INSN(BPF_STX | BPF_MEM | BPF_DW, 7, 1, (int16_t)(1024 + 8 * k), 0);
	}
	const struct bpf_insn tail[] = {
		MOV_REG(1, 7), MOV_IMM(2, 200), MOV_REG(3, 8), MOV_REG(4, 7), ADD_IMM(4, 1024),
		MOV_IMM(5, (int32_t)(nargs * 8)), INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_snprintf),
		/* the pointers differ between the two sides: clear them */
		MOV_IMM(1, 0),
	};
	memcpy(body + n, tail, sizeof(tail));
	n += sizeof(tail) / sizeof(tail[0]);
	for (uint32_t k = 0; k < nargs; k++)
		body[n++] = INSN(BPF_STX | BPF_MEM | BPF_DW, 7, 1, (int16_t)(1024 + 8 * k), 0);
	char what[200];
	snprintf(what, sizeof(what), "snprintf(\"%s\") with pointers", fmt);
	compare(what, body, n, data, rodata);
}

static void test_snprintf_pointers(void)
{
	static const struct {
		const char *fmt;
		uint64_t offs[4];
		uint32_t nargs;
	} t[] = {
		{"%s", {1536}, 1},
		{"[%s|%10s|%-10s]", {1536, 1536, 1536}, 3},
		{"%pks|%10pks", {1536, 1536}, 2}, /* %pus differs: one address space in bpfrt */
		{"%pI4 %pi4", {1624, 1624}, 2},
		{"%pI6 %pi6", {1628, 1628}, 2},
		{"%10pI4|%pI4c|", {1624, 1624}, 2},
		{"%s%s", {1536, 1536}, 2},
		{"%s\xa0|%s\xb5|%s\xc3", {1536, 1536, 1536}, 3},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		snprintf_ptr_case(t[i].fmt, t[i].offs, t[i].nargs);
}

/* ---- XDP metadata: bpf_xdp_adjust_meta with adjust_head/tail ---------- */

struct xdp_op {
	int helper; /* BPF_FUNC_xdp_adjust_meta, _head or _tail */
	int32_t delta;
};

#define MAX_XDP_OPS 8

/* r6 = ctx; per op k: value[8k] = helper(ctx, delta); value[256+16k] =
 * data - data_meta, value[264+16k] = data_end - data; when the metadata
 * has 4 bytes, its first word = 0x11223344 + k (seen in data_out). */
static uint32_t xdp_ops_body(struct bpf_insn *b, const struct xdp_op *ops, uint32_t nops)
{
	uint32_t n = 0;
	b[n++] = MOV_REG(6, 1);
	for (uint32_t k = 0; k < nops; k++) {
		b[n++] = MOV_REG(1, 6);
		b[n++] = MOV_IMM(2, ops[k].delta);
		b[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, ops[k].helper);
		b[n++] = INSN(BPF_STX | BPF_MEM | BPF_DW, 7, 0, (int16_t)(8 * k), 0);
		b[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 6, offsetof(struct xdp_md, data_meta), 0);
		b[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 6, offsetof(struct xdp_md, data), 0);
		b[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 4, 6, offsetof(struct xdp_md, data_end), 0);
		b[n++] = MOV_REG(5, 3);
		b[n++] = INSN(BPF_ALU64 | BPF_SUB | BPF_X, 5, 2, 0, 0);
		b[n++] = INSN(BPF_STX | BPF_MEM | BPF_DW, 7, 5, (int16_t)(256 + 16 * k), 0);
		b[n++] = INSN(BPF_ALU64 | BPF_SUB | BPF_X, 4, 3, 0, 0);
		b[n++] = INSN(BPF_STX | BPF_MEM | BPF_DW, 7, 4, (int16_t)(264 + 16 * k), 0);
		b[n++] = MOV_REG(5, 2);
		b[n++] = ADD_IMM(5, 4);
		b[n++] = INSN(BPF_JMP | BPF_JGT | BPF_X, 5, 3, 1, 0);
		b[n++] = INSN(BPF_ST | BPF_MEM | BPF_W, 2, 0, 0, (int32_t)(0x11223344 + k));
	}
	return n;
}

static const char *xdp_op_name(int helper)
{
	return helper == BPF_FUNC_xdp_adjust_meta ? "meta" : helper == BPF_FUNC_xdp_adjust_head ? "head" : "tail";
}

/* ctx_meta < 0: no ctx_in (and no ctx_out). */
static void xdp_meta_case(int32_t ctx_meta, uint32_t size, const struct xdp_op *ops, uint32_t nops)
{
	static uint8_t data[VALUE_SIZE], pkt[4096];
	static struct xdp_io kio, uio;
	static struct bpf_insn body[16 * MAX_XDP_OPS + 2];
	memset(data, 0, sizeof(data));
	for (uint32_t i = 0; i < size && i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i * 7 + 1);
	struct xdp_md ctx = {.data = (uint32_t)ctx_meta, .data_end = size};
	kio.pkt = uio.pkt = pkt, kio.size = uio.size = size;
	kio.ctx = uio.ctx = ctx_meta >= 0 ? &ctx : NULL;
	uint32_t n = xdp_ops_body(body, ops, nops);
	char what[256];
	int w = snprintf(what, sizeof(what), "xdp(ctx meta %d, size %u):", ctx_meta, size);
	for (uint32_t k = 0; k < nops && w > 0 && (size_t)w < sizeof(what); k++)
		w += snprintf(what + w, sizeof(what) - (size_t)w, " %s(%d)", xdp_op_name(ops[k].helper), ops[k].delta);
	compare_xdp(what, body, n, data, NULL, &kio, &uio);
}

#define META(d) {BPF_FUNC_xdp_adjust_meta, d}
#define HEAD(d) {BPF_FUNC_xdp_adjust_head, d}
#define TAIL(d) {BPF_FUNC_xdp_adjust_tail, d}

static void test_xdp_meta(void)
{
	static const struct {
		struct xdp_op ops[MAX_XDP_OPS];
		uint32_t n;
	} seqs[] = {
		{{META(0)}, 1},
		{{META(-4)}, 1},
		{{META(-8), META(4)}, 2},
		{{META(-32)}, 1},
		{{META(-36)}, 1},            /* past the 32 bytes of older kernels */
		{{META(-212)}, 1},
		{{META(-216)}, 1},           /* down to the end of the xdp_frame */
		{{META(-220)}, 1},           /* into it: -EINVAL */
		{{META(-252)}, 1},
		{{META(-256)}, 1},
		{{META(-2)}, 1},             /* not a multiple of 4: -EACCES */
		{{META(-6), META(-4)}, 2},
		{{META(4)}, 1},              /* past data: -EINVAL */
		{{META(-8), META(8)}, 2},
		{{META(-8), META(12)}, 2},
		{{META(-8), META(2)}, 2},
		{{META(INT32_MIN)}, 1},
		{{META(INT32_MAX)}, 1},
		{{HEAD(-8), META(-4)}, 2},
		{{META(-8), HEAD(-4)}, 2},   /* the metadata moves with data */
		{{META(-8), HEAD(8)}, 2},
		{{META(-8), HEAD(-200)}, 2},
		{{META(-8), HEAD(-208)}, 2},
		{{META(-8), HEAD(-209)}, 2},
		{{META(-16), HEAD(-1), META(-4), HEAD(3)}, 4},
		{{META(-8), TAIL(-10), META(-4)}, 3},
		{{META(-8), HEAD(40)}, 2},
		{{META(-200), HEAD(-16)}, 2},
	};
	static const int32_t ctx_metas[] = {-1, 0, 4, 8, 36, 212, 216};
	static const uint32_t sizes[] = {64, 14, 230};
	for (size_t c = 0; c < sizeof(ctx_metas) / sizeof(ctx_metas[0]); c++)
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
			for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
				if (ctx_metas[c] < 0 || sizes[z] >= (uint32_t)ctx_metas[c] + 14)
					xdp_meta_case(ctx_metas[c], sizes[z], seqs[i].ops, seqs[i].n);
	/* Test runs both refuse: bad metadata lengths in ctx_in, data_meta
	 * set, less than an Ethernet header after the metadata, data past
	 * data_end, a full-page packet. */
	static const struct xdp_op none[] = {META(0)};
	xdp_meta_case(2, 64, none, 1);
	xdp_meta_case(220, 300, none, 1);
	xdp_meta_case(256, 300, none, 1);
	xdp_meta_case(8, 21, none, 1);
	xdp_meta_case(64, 64, none, 1);
	xdp_meta_case(0, 13, none, 1);
	xdp_meta_case(-1, 13, none, 1);
	xdp_meta_case(8, 3528, none, 1);   /* the largest linear frame with 8 bytes of metadata */
	xdp_meta_case(-1, 3520, none, 1);
	struct xdp_md c = {.data_meta = 4, .data_end = 64};
	static uint8_t data[VALUE_SIZE], pkt[64];
	static struct xdp_io kio, uio;
	static struct bpf_insn body[32];
	memset(data, 0, sizeof(data));
	kio.pkt = uio.pkt = pkt, kio.size = uio.size = sizeof(pkt), kio.ctx = uio.ctx = &c;
	uint32_t n = xdp_ops_body(body, none, 1);
	compare_xdp("xdp(ctx data_meta 4)", body, n, data, NULL, &kio, &uio);
	c = (struct xdp_md){.data = 8, .data_end = 4};
	compare_xdp("xdp(ctx data 8 > data_end 4)", body, n, data, NULL, &kio, &uio);
}

/* Random sequences of the three helpers with deltas near the limits. */
static void test_xdp_meta_random(uint32_t count)
{
	static const int32_t ctx_metas[] = {-1, 0, 4, 8, 32, 40, 100, 216};
	for (uint32_t i = 0; i < count; i++) {
		struct xdp_op ops[MAX_XDP_OPS];
		uint32_t nops = 1 + (uint32_t)(rnd() % MAX_XDP_OPS);
		for (uint32_t k = 0; k < nops; k++) {
			uint32_t pick = (uint32_t)(rnd() % 8);
			int32_t d = (int32_t)(rnd() % 65) - 48;
			if (rnd() % 4 == 0)
				d *= 5;
			if (pick < 5 && rnd() % 3)
				d &= ~3; /* mostly aligned metadata steps */
			ops[k].helper = pick < 5 ? BPF_FUNC_xdp_adjust_meta : pick < 7 ? BPF_FUNC_xdp_adjust_head
										 : BPF_FUNC_xdp_adjust_tail;
			ops[k].delta = d;
		}
		int32_t cm = ctx_metas[rnd() % (sizeof(ctx_metas) / sizeof(ctx_metas[0]))];
		uint32_t size = 14 + (uint32_t)(rnd() % 300);
		if (cm > 0 && size < (uint32_t)cm + 14)
			size = (uint32_t)cm + 14 + (uint32_t)(rnd() % 64);
		xdp_meta_case(cm, size, ops, nops);
	}
}

int main(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY, a.key_size = 4, a.value_size = 8, a.max_entries = 1;
	int probe = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (probe < 0) {
		printf("SKIP: the kernel's bpf() is unavailable (%s)\n", strerror(errno));
		return 77;
	}
	close(probe);
	rt = bpfrt_new(NULL);
	if (!rt)
		return 1;
	/* The random cases run once per seed of this list (or of
	 * BPFRT_DIFF_SEED alone), so the default run is the same every time. */
	static const uint64_t seeds[] = {0x5eed, 0x7a11, 0xc0ffee};
	const char *seed = getenv("BPFRT_DIFF_SEED"), *count = getenv("BPFRT_HELPERS_DIFF_COUNT");
	uint32_t n = count ? (uint32_t)strtoul(count, NULL, 0) : 200;
	uint64_t one = seed ? strtoull(seed, NULL, 0) : 0;
	const uint64_t *list = seed ? &one : seeds;
	size_t nseeds = seed ? 1 : sizeof(seeds) / sizeof(seeds[0]);
	cur_count = n;
	for (size_t i = 0; i < nseeds; i++) {
		cur_seed = list[i], cur_seeded = true;
		rng_state = list[i];
		test_csum(n);
		test_strto(n);
		test_xdp_meta_random(n);
	}
	cur_seeded = false;
	test_snprintf();
	test_snprintf_pointers();
	test_xdp_meta();
	bpfrt_free(rt);
	printf("%d cases compared (seeds", cases);
	for (size_t i = 0; i < nseeds; i++)
		printf(" %#llx", (unsigned long long)list[i]);
	printf(", %u random cases each), %d mismatches\n", n, failures);
	return failures ? 1 : 0;
}
