/* skb_helpers_diff.c — bpf_skb_store_bytes, bpf_l3_csum_replace and
 * bpf_l4_csum_replace of bpfrt against the host kernel: the same SCHED_CLS
 * program (the helper's result is the program's return value) run by
 * BPF_PROG_TEST_RUN on both sides over the same 64-byte frame, for
 * fixed-seed random offsets (odd, past the end, past 0xffff), lengths,
 * field sizes (0 = diff, 2, 4, others), from/to values and flag
 * combinations (known and unknown bits, BPF_F_MARK_MANGLED_0 on zero
 * checksums): return values and output frames must be identical.
 * BPFRT_SEED=S picks another seed.  Exits 77 without the kernel's bpf().
 */
#define _GNU_SOURCE
#include "bpfrt/bpfrt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LD_IMM64(d, v) INSN(BPF_LD | BPF_IMM | BPF_DW, d, 0, 0, (int32_t)(uint32_t)(v)), \
	INSN(0, 0, 0, 0, (int32_t)((uint64_t)(v) >> 32))
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)

static struct bpfrt *rt;
static int failures, cases, succeeded, refused;
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int sys(bool kernel, int cmd, union bpf_attr *a)
{
	if (!kernel)
		return bpfrt_bpf(rt, cmd, a, sizeof(*a));
	int r = (int)syscall(SYS_bpf, cmd, a, sizeof(*a));
	return r < 0 ? -errno : r;
}

struct outcome {
	long long ret; /* load error, run error, or the helper's result */
	uint8_t data[128];
	uint32_t size;
};

static void run(bool k, const struct bpf_insn *insns, uint32_t n, const uint8_t *pkt, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	char log[1024] = "";
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uintptr_t) "GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	int fd = sys(k, BPF_PROG_LOAD, &a);
	if (fd < 0) {
		o->ret = 1000 + fd;
		return;
	}
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = 64;
	a.test.data_out = (uintptr_t)o->data;
	a.test.data_size_out = sizeof(o->data);
	int err = sys(k, BPF_PROG_TEST_RUN, &a);
	o->ret = err ? 2000 + err : (long long)(int32_t)a.test.retval;
	o->size = a.test.data_size_out;
	k ? close(fd) : bpfrt_close(rt, fd);
}

static void compare(const char *what, const struct bpf_insn *insns, uint32_t n, const uint8_t *pkt)
{
	struct outcome ko, uo;
	run(true, insns, n, pkt, &ko);
	run(false, insns, n, pkt, &uo);
	cases++;
	if (ko.ret == 0)
		succeeded++;
	else if (ko.ret >= 1000)
		refused++; /* not loaded or not run: only the outcome compares */
	if (ko.ret != uo.ret || ko.size != uo.size || memcmp(ko.data, uo.data, ko.size)) {
		if (failures++ < 20)
			fprintf(stderr, "MISMATCH %s: kernel ret %lld size %u, bpfrt ret %lld size %u%s\n", what, ko.ret,
				ko.size, uo.ret, uo.size,
				ko.ret == uo.ret && ko.size == uo.size ? " (frames differ)" : "");
	}
}

static void store_case(const uint8_t *pkt, uint32_t off, uint32_t len, uint64_t flags)
{
	uint64_t a = rnd(), b = rnd();
	struct bpf_insn p[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),
		LD_IMM64(2, a),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 2, -16, 0),
		LD_IMM64(2, b),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 2, -8, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0),
		MOV_IMM(2, (int32_t)off),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -16),
		MOV_IMM(4, (int32_t)len),
		LD_IMM64(5, flags),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_store_bytes),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	char what[96];
	snprintf(what, sizeof(what), "skb_store_bytes off %u len %u flags %#llx", off, len, (unsigned long long)flags);
	compare(what, p, sizeof(p) / sizeof(p[0]), pkt);
}

static void csum_case(int helper, const uint8_t *pkt, uint32_t off, uint64_t from, uint64_t to, uint64_t flags)
{
	struct bpf_insn p[] = {
		MOV_IMM(2, (int32_t)off),
		LD_IMM64(3, from),
		LD_IMM64(4, to),
		LD_IMM64(5, flags),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, helper),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	char what[128];
	snprintf(what, sizeof(what), "%s off %u from %#llx to %#llx flags %#llx",
		 helper == BPF_FUNC_l3_csum_replace ? "l3_csum_replace" : "l4_csum_replace", off,
		 (unsigned long long)from, (unsigned long long)to, (unsigned long long)flags);
	compare(what, p, sizeof(p) / sizeof(p[0]), pkt);
}

static uint32_t pick_off(void)
{
	switch (rnd() % 8) {
	case 0: return 62 + (uint32_t)(rnd() % 6);      /* around the end */
	case 1: return 0xfffe + (uint32_t)(rnd() % 4);  /* around 0xffff */
	case 2: return (uint32_t)rnd();                  /* anything */
	default: return (uint32_t)(rnd() % 64);
	}
}

int main(void)
{
	union bpf_attr probe;
	memset(&probe, 0, sizeof(probe));
	probe.map_type = BPF_MAP_TYPE_ARRAY;
	probe.key_size = probe.value_size = 4;
	probe.max_entries = 1;
	int pfd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &probe, sizeof(probe));
	if (pfd < 0) {
		printf("SKIP: the kernel's bpf() is unavailable here (%s)\n", strerror(errno));
		return 77;
	}
	close(pfd);
	const char *s = getenv("BPFRT_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 1;
	rng = seed * 0x9e3779b97f4a7c15ull + 7;
	printf("seed %llu (BPFRT_SEED=%llu replays it)\n", (unsigned long long)seed, (unsigned long long)seed);
	struct bpfrt_opts o = {.sz = sizeof(o)};
	rt = bpfrt_new(&o);
	if (!rt)
		return 1;
	uint8_t pkt[64];
	for (int i = 0; i < 400; i++) {
		for (int b = 0; b < 64; b++)
			pkt[b] = (uint8_t)rnd();
		if (rnd() % 4 == 0)
			pkt[40] = pkt[41] = 0; /* a zero checksum for BPF_F_MARK_MANGLED_0 */
		uint64_t sflags = rnd() % 8 == 0 ? rnd() & 0xff : rnd() & 3;
		store_case(pkt, pick_off(), 1 + (uint32_t)(rnd() % 16), sflags);
		static const uint64_t sizes[] = {0, 2, 4, 4, 2, 1, 3, 8};
		uint64_t size = sizes[rnd() % 8];
		uint64_t from = size == 0 && rnd() % 4 ? 0 : rnd(), to = rnd();
		uint32_t off = rnd() % 3 ? 40 : pick_off();
		uint64_t l3flags = size | (rnd() % 10 == 0 ? (rnd() & 0xf0) : 0);
		csum_case(BPF_FUNC_l3_csum_replace, pkt, off, from, to, l3flags);
		uint64_t l4flags = size | (rnd() & (BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_IPV6)) |
				   (rnd() % 10 == 0 ? (rnd() & 0xff00) : 0);
		csum_case(BPF_FUNC_l4_csum_replace, pkt, off, from, to, l4flags);
	}
	bpfrt_free(rt);
	printf("%d cases (%d helper successes, %d loads/runs refused), %d mismatches\n", cases, succeeded, refused,
	       failures);
	/* The random mix must reach the helpers' success paths. */
	return failures || succeeded < cases / 4 ? 1 : 0;
}
