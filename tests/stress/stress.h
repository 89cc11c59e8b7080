/* stress.h — shared pieces of the multi-threaded map stress tests: a
 * thread-safe failure counter (check.h's counters are not), per-thread
 * random numbers, a time budget, and thin bpfrt_bpf() wrappers.  Each test
 * starts its threads together and runs them for STRESS_SECONDS, so the
 * suite's length does not grow with sanitizer slowdowns. */
#ifndef BPFRT_TESTS_STRESS_H
#define BPFRT_TESTS_STRESS_H

#include "bpfrt/bpfrt.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds of concurrent work per scenario ($BPFRT_STRESS_SECONDS overrides). */
#define STRESS_SECONDS 1.5

static int stress_failures;

/* Record a failure (any thread).  Only the first few are printed. */
#define FAIL(...)                                                                    \
	do {                                                                         \
		if (__atomic_add_fetch(&stress_failures, 1, __ATOMIC_RELAXED) <= 20) { \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);              \
			fprintf(stderr, __VA_ARGS__);                                \
			fputc('\n', stderr);                                         \
		}                                                                    \
	} while (0)
#define EXPECT(cond, ...)                \
	do {                             \
		if (!(cond))             \
			FAIL(__VA_ARGS__); \
	} while (0)

static inline int stress_done(const char *name)
{
	int n = __atomic_load_n(&stress_failures, __ATOMIC_RELAXED);
	printf("%s: %d failures\n", name, n);
	return n ? 1 : 0;
}

static inline double stress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double stress_seconds(void)
{
	const char *s = getenv("BPFRT_STRESS_SECONDS");
	double v = s ? atof(s) : 0;
	return v > 0 ? v : STRESS_SECONDS;
}

/* The end of the run, shared by the threads of one scenario. */
static double stress_deadline;
static int stress_stop;

static inline void stress_start(void)
{
	__atomic_store_n(&stress_stop, 0, __ATOMIC_RELAXED);
	stress_deadline = stress_now() + stress_seconds();
}

static inline int stress_running(void)
{
	if (__atomic_load_n(&stress_stop, __ATOMIC_RELAXED))
		return 0;
	if (stress_now() < stress_deadline)
		return 1;
	__atomic_store_n(&stress_stop, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Run fn(arg[i]) on n threads and wait for all of them. */
static inline void stress_run_threads(int n, void *(*fn)(void *), void *args, size_t arg_size)
{
	pthread_t th[16];
	stress_start();
	for (int i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, fn, (char *)args + arg_size * (size_t)i)) {
			fprintf(stderr, "pthread_create failed\n");
			exit(2);
		}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

/* xorshift64*: cheap, per thread. */
static inline uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* ---- bpf() wrappers ---- */

static struct bpfrt *rt;

static inline int map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n, a.map_flags = flags;
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

static inline int map_lookup(int fd, const void *key, void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.value = (uintptr_t)value;
	return bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
}

static inline int map_update(int fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.value = (uintptr_t)value, a.flags = flags;
	return bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

static inline int map_delete(int fd, const void *key)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key;
	return bpfrt_bpf(rt, BPF_MAP_DELETE_ELEM, &a, sizeof(a));
}

static inline int map_next_key(int fd, const void *key, void *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.next_key = (uintptr_t)next;
	return bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a));
}

/* ---- programs as raw instructions ---- */

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD64_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define STX_W(d, s, o) INSN(BPF_STX | BPF_MEM | BPF_W, d, s, o, 0)
#define ST_W(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define ATOMIC_ADD64(d, s, o) INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JGT_REG(d, s, o) INSN(BPF_JMP | BPF_JGT | BPF_X, d, s, o, 0)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define LD_MAP(d, fd) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define N_INSNS(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))

static inline int prog_load_xdp(const struct bpf_insn *insns, uint32_t cnt)
{
	static char log[1024];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP, a.insns = (uintptr_t)insns, a.insn_cnt = cnt;
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log, a.log_size = sizeof(log), a.log_level = 1;
	strcpy(a.prog_name, "stress");
	int fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0)
		fprintf(stderr, "prog load: %d %s\n", fd, log);
	return fd;
}

/* One BPF_PROG_TEST_RUN of an XDP program on pkt, repeat times; r0 of
 * the last run in *retval. */
static inline int prog_run(int fd, void *pkt, uint32_t size, uint32_t repeat, uint32_t *retval)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd, a.test.data_in = (uintptr_t)pkt, a.test.data_size_in = size;
	a.test.repeat = repeat;
	int err = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
	*retval = a.test.retval;
	return err;
}

#endif
