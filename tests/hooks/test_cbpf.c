/* test_cbpf.c — the classic BPF checker and translator (src/hooks/cbpf*.c):
 *  - every rejection path of the checker, with the instruction it names;
 *  - the checker's verdicts against the host kernel's bpf_check_classic
 *    (SO_ATTACH_FILTER on a UDP socket) on mutated programs;
 *  - translation refusals (ancillary loads with no user-space meaning);
 *  - random valid programs: every translation passes bpfrt's verifier, and
 *    on random packets gives libpcap's bpf_filter result on the JIT, the
 *    interpreter and the checked interpreter;
 *  - hand-written filters (MSH, ancillary loads, division by X = 0);
 *  - seccomp: the kernel's extra rules and a translated allow-list run on
 *    struct seccomp_data.
 * Fixed seeds; BPFRT_SEED=N replays another.
 */
#include "bpfrt/cbpf.h"
#include "check.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* libpcap's interpreter (pcap/bpf.h); declared here with the kernel's
 * struct sock_filter, which has the layout of libpcap's struct bpf_insn:
 * pcap.h and <linux/bpf.h> both define struct bpf_insn. */
extern unsigned int bpf_filter(const struct sock_filter *pc, const unsigned char *p, unsigned int wirelen,
			       unsigned int buflen);

#define S(c, k) ((struct sock_filter){(uint16_t)(c), 0, 0, (uint32_t)(k)})
#define J(c, k, t, f) ((struct sock_filter){(uint16_t)(c), (t), (f), (uint32_t)(k)})
#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))
#define RET_K(k) S(BPF_RET | BPF_K, k)
#define RET_A S(BPF_RET | BPF_A, 0)

static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

/* Expect bpfrt_cbpf_check to refuse prog at insn `at` with `words` in the message. */
static void expect_refused(const char *what, const struct sock_filter *prog, uint32_t len,
			   enum bpfrt_cbpf_flavor flavor, int32_t at, const char *words)
{
	struct bpfrt_diag d;
	memset(&d, 0, sizeof(d));
	int err = bpfrt_cbpf_check(prog, len, flavor, &d);
	CHECK(err == -EINVAL, "%s: check gave %d, want -EINVAL", what, err);
	CHECK(d.insn == at, "%s: diag names insn %d, want %d (%s)", what, d.insn, at, d.msg);
	CHECK(strstr(d.msg, words) != NULL, "%s: message '%s' lacks '%s'", what, d.msg, words);
	/* The translator checks first. */
	struct bpf_insn *out = NULL;
	uint32_t cnt = 0;
	CHECK(bpfrt_cbpf_translate(prog, len, flavor, &out, &cnt, NULL) == -EINVAL, "%s: translated", what);
	free(out);
}

static void test_rejections(void)
{
	struct bpfrt_diag d;
	CHECK(bpfrt_cbpf_check(NULL, 0, BPFRT_CBPF_SOCKET_FILTER, &d) == -EINVAL && d.insn == -1, "empty");
	static struct sock_filter big[BPF_MAXINSNS + 1];
	for (uint32_t i = 0; i < N(big); i++)
		big[i] = RET_K(0);
	CHECK(bpfrt_cbpf_check(big, BPF_MAXINSNS, 0, NULL) == 0, "4096 insns are allowed");
	CHECK(bpfrt_cbpf_check(big, BPF_MAXINSNS + 1, 0, &d) == -EINVAL && strstr(d.msg, "1 to 4096"),
	      "4097 insns: %s", d.msg);
	CHECK(bpfrt_cbpf_check(big, 1, 7, &d) == -EINVAL && strstr(d.msg, "flavour"), "bad flavour");

	struct sock_filter unknown[] = {S(BPF_LD | BPF_IMM, 1), S(0x0e /* ret x */, 0), RET_A};
	expect_refused("unknown opcode", unknown, N(unknown), 0, 1, "unknown opcode 0x0e");
	struct sock_filter ldx_h[] = {S(BPF_LDX | BPF_H | BPF_MSH, 1), RET_A};
	expect_refused("ldx h msh", ldx_h, N(ldx_h), 0, 0, "unknown opcode");
	struct sock_filter div0[] = {S(BPF_ALU | BPF_DIV | BPF_K, 0), RET_A};
	expect_refused("div 0", div0, N(div0), 0, 0, "division by constant 0");
	struct sock_filter mod0[] = {S(BPF_LD | BPF_IMM, 1), S(BPF_ALU | BPF_MOD | BPF_K, 0), RET_A};
	expect_refused("mod 0", mod0, N(mod0), 0, 1, "modulo by constant 0");
	struct sock_filter shl[] = {S(BPF_ALU | BPF_LSH | BPF_K, 32), RET_A};
	expect_refused("lsh 32", shl, N(shl), 0, 0, "shift by constant 32");
	struct sock_filter st16[] = {S(BPF_ST, 16), RET_A};
	expect_refused("st M[16]", st16, N(st16), 0, 0, "scratch memory index 16");
	struct sock_filter ld16[] = {S(BPF_ST, 0), S(BPF_LDX | BPF_MEM, 16), RET_A};
	expect_refused("ldx M[16]", ld16, N(ld16), 0, 1, "scratch memory index 16");
	struct sock_filter ja[] = {S(BPF_JMP | BPF_JA, 1), RET_A};
	expect_refused("ja past end", ja, N(ja), 0, 0, "jumps past the last instruction");
	struct sock_filter jt[] = {J(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 2), RET_K(1), RET_A};
	expect_refused("jf past end", jt, N(jt), 0, 0, "lands past the last instruction");
	struct sock_filter jt2[] = {J(BPF_JMP | BPF_JSET | BPF_X, 1, 2, 0), RET_K(1), RET_A};
	expect_refused("jt past end", jt2, N(jt2), 0, 0, "lands past the last instruction");
	struct sock_filter anc[] = {S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_MAX), RET_A};
	expect_refused("unknown ancillary", anc, N(anc), 0, 0, "unknown ancillary load at SKF_AD_OFF+64");
	struct sock_filter anc2[] = {S(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + 2), RET_A};
	expect_refused("misaligned ancillary", anc2, N(anc2), 0, 0, "unknown ancillary");
	struct sock_filter last[] = {S(BPF_LD | BPF_IMM, 1)};
	expect_refused("no ret", last, N(last), 0, 0, "the last instruction must be ret");
	struct sock_filter last2[] = {RET_A, S(BPF_MISC | BPF_TAX, 0)};
	expect_refused("tax last", last2, N(last2), 0, 1, "the last instruction must be ret");
	struct sock_filter uninit[] = {S(BPF_LD | BPF_MEM, 3), RET_A};
	expect_refused("M[3] unwritten", uninit, N(uninit), 0, 0, "M[3] that is not written");
	/* Written on one branch only: the join point has it unwritten. */
	struct sock_filter half[] = {
		J(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1), S(BPF_ST, 5), S(BPF_LDX | BPF_MEM, 5), RET_A,
	};
	expect_refused("M[5] on one path", half, N(half), 0, 2, "M[5]");
	/* Written on both: accepted. */
	struct sock_filter both[] = {
		J(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 2), S(BPF_ST, 5), S(BPF_JMP | BPF_JA, 1), S(BPF_STX, 5),
		S(BPF_LDX | BPF_MEM, 5), RET_A,
	};
	CHECK(bpfrt_cbpf_check(both, N(both), 0, &d) == 0, "M[5] on both paths: %s", d.msg);
	/* A write after the jump does not reach the jump's target. */
	struct sock_filter skip[] = {S(BPF_JMP | BPF_JA, 1), S(BPF_ST, 2), S(BPF_LD | BPF_MEM, 2), RET_A};
	expect_refused("write skipped by ja", skip, N(skip), 0, 2, "M[2]");

	/* seccomp_check_filter */
	struct sock_filter sc_h[] = {S(BPF_LD | BPF_H | BPF_ABS, 0), RET_A};
	expect_refused("seccomp ldh", sc_h, N(sc_h), BPFRT_CBPF_SECCOMP, 0, "packet load");
	struct sock_filter sc_ind[] = {S(BPF_LD | BPF_W | BPF_IND, 0), RET_A};
	expect_refused("seccomp ind", sc_ind, N(sc_ind), BPFRT_CBPF_SECCOMP, 0, "packet load");
	struct sock_filter sc_msh[] = {S(BPF_LDX | BPF_B | BPF_MSH, 0), RET_A};
	expect_refused("seccomp msh", sc_msh, N(sc_msh), BPFRT_CBPF_SECCOMP, 0, "packet load");
	struct sock_filter sc_mis[] = {S(BPF_LD | BPF_W | BPF_ABS, 2), RET_A};
	expect_refused("seccomp misaligned", sc_mis, N(sc_mis), BPFRT_CBPF_SECCOMP, 0, "aligned 32-bit word");
	struct sock_filter sc_out[] = {S(BPF_LD | BPF_W | BPF_ABS, 64), RET_A};
	expect_refused("seccomp past the end", sc_out, N(sc_out), BPFRT_CBPF_SECCOMP, 0, "64 bytes");
	struct sock_filter sc_anc[] = {S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL), RET_A};
	expect_refused("seccomp ancillary", sc_anc, N(sc_anc), BPFRT_CBPF_SECCOMP, 0, "seccomp");
	CHECK(bpfrt_cbpf_check(sc_anc, N(sc_anc), 0, NULL) == 0, "ancillary is fine in a socket filter");
}

static void test_translate_refusals(void)
{
	static const struct {
		uint32_t k;
		const char *words;
	} cases[] = {
		{SKF_AD_OFF + SKF_AD_NLATTR, "netlink"},
		{SKF_AD_OFF + SKF_AD_NLATTR_NEST, "netlink"},
		{SKF_AD_OFF + SKF_AD_HATYPE, "hardware type"},
		{SKF_AD_OFF + SKF_AD_PAY_OFFSET, "payload offset"},
		{(uint32_t)SKF_NET_OFF + 9, "SKF_NET_OFF+9"},
	};
	for (uint32_t i = 0; i < N(cases); i++) {
		struct sock_filter p[] = {S(BPF_LD | BPF_IMM, 5), S(BPF_LD | BPF_B | BPF_ABS, cases[i].k), RET_A};
		struct bpf_insn *out = NULL;
		uint32_t cnt = 0;
		struct bpfrt_diag d;
		int err = bpfrt_cbpf_translate(p, N(p), 0, &out, &cnt, &d);
		CHECK(err == -EOPNOTSUPP && d.insn == 1 && strstr(d.msg, cases[i].words),
		      "k 0x%x: err %d insn %d '%s'", cases[i].k, err, d.insn, d.msg);
		free(out);
	}
	struct sock_filter ok[] = {S(BPF_LD | BPF_IMM, 5), RET_A};
	CHECK(bpfrt_cbpf_translate(ok, N(ok), 0, NULL, NULL, NULL) == -EINVAL, "no output pointers");
}

/* ---- the kernel's checker as the oracle ---------------------------------- */

/* 1: the kernel accepts prog, 0: refuses it (EINVAL), -1: can't tell. */
static int kernel_accepts(int sock, const struct sock_filter *prog, uint32_t len)
{
	struct sock_fprog fp = {.len = (unsigned short)len, .filter = (struct sock_filter *)prog};
	if (setsockopt(sock, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) == 0) {
		(void)setsockopt(sock, SOL_SOCKET, SO_DETACH_FILTER, NULL, 0);
		return 1;
	}
	return errno == EINVAL ? 0 : -1;
}

static const uint16_t known_codes[] = {
	BPF_ALU | BPF_ADD | BPF_K, BPF_ALU | BPF_SUB | BPF_X, BPF_ALU | BPF_MUL | BPF_K, BPF_ALU | BPF_DIV | BPF_K,
	BPF_ALU | BPF_DIV | BPF_X, BPF_ALU | BPF_MOD | BPF_K, BPF_ALU | BPF_MOD | BPF_X, BPF_ALU | BPF_AND | BPF_K,
	BPF_ALU | BPF_OR | BPF_X, BPF_ALU | BPF_XOR | BPF_K, BPF_ALU | BPF_LSH | BPF_K, BPF_ALU | BPF_RSH | BPF_K,
	BPF_ALU | BPF_NEG, BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS, BPF_LD | BPF_B | BPF_ABS,
	BPF_LD | BPF_W | BPF_LEN, BPF_LD | BPF_W | BPF_IND, BPF_LD | BPF_H | BPF_IND, BPF_LD | BPF_B | BPF_IND,
	BPF_LD | BPF_IMM, BPF_LD | BPF_MEM, BPF_LDX | BPF_W | BPF_LEN, BPF_LDX | BPF_B | BPF_MSH,
	BPF_LDX | BPF_IMM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA,
	BPF_JMP | BPF_JA, BPF_JMP | BPF_JEQ | BPF_K, BPF_JMP | BPF_JGT | BPF_X, BPF_JMP | BPF_JGE | BPF_K,
	BPF_JMP | BPF_JSET | BPF_K, BPF_JMP | BPF_JSET | BPF_X, BPF_RET | BPF_K, BPF_RET | BPF_A,
};

/* A random instruction, mostly well-formed, sometimes not. */
static struct sock_filter random_insn(uint32_t pc, uint32_t len, bool wild)
{
	struct sock_filter in = {known_codes[rnd() % N(known_codes)], 0, 0, rnd() % 64};
	uint32_t room = len - pc - 1;
	if (BPF_CLASS(in.code) == BPF_JMP) {
		in.jt = (uint8_t)(room ? rnd() % room : 0);
		in.jf = (uint8_t)(room ? rnd() % room : 0);
		in.k = BPF_OP(in.code) == BPF_JA ? (room ? rnd() % room : 0) : rnd();
	}
	switch (in.code) {
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_MOD | BPF_K: in.k = 1 + rnd() % 9; break;
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_K: in.k = rnd() % 32; break;
	case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM: case BPF_ST: case BPF_STX: in.k = rnd() % BPF_MEMWORDS; break;
	default: break;
	}
	if (!wild)
		return in;
	switch (rnd() % 8) { /* one of the checker's failure modes */
	case 0: in.code = (uint16_t)(rnd() % 256); break;
	case 1: in.k = rnd() % 40; break;
	case 2: in.jt = (uint8_t)rnd(); break;
	case 3: in.k = (uint32_t)SKF_AD_OFF + rnd() % 80; break;
	case 4: in.k = 0; break;
	default: break;
	}
	return in;
}

static void test_kernel_oracle(void)
{
	int sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock < 0 || kernel_accepts(sock, (struct sock_filter[]){RET_K(1)}, 1) != 1) {
		printf("SKIP kernel oracle: SO_ATTACH_FILTER unavailable\n");
		if (sock >= 0)
			close(sock);
		return;
	}
	uint32_t agree = 0, accepted = 0, tried = 0;
	struct sock_filter prog[24];
	for (int iter = 0; iter < 3000; iter++) {
		uint32_t len = 1 + rnd() % N(prog);
		for (uint32_t pc = 0; pc < len; pc++)
			prog[pc] = random_insn(pc, len, rnd() % 16 == 0);
		if (rnd() % 4)
			prog[len - 1] = rnd() % 2 ? RET_A : RET_K(rnd());
		int k = kernel_accepts(sock, prog, len);
		if (k < 0)
			continue;
		tried++;
		struct bpfrt_diag d = {0};
		int ours = bpfrt_cbpf_check(prog, len, 0, &d) == 0;
		accepted += (uint32_t)ours;
		agree += ours == k;
		if (ours != k) {
			fprintf(stderr, "kernel %s, bpfrt %s (%s) for:\n", k ? "accepts" : "refuses",
				ours ? "accepts" : "refuses", d.msg);
			for (uint32_t i = 0; i < len; i++)
				fprintf(stderr, "  %2u: { 0x%02x, %u, %u, 0x%08x }\n", i, prog[i].code, prog[i].jt,
					prog[i].jf, prog[i].k);
		}
	}
	close(sock);
	CHECK(agree == tried, "checker verdicts: %u of %u agree with the kernel", agree, tried);
	CHECK(accepted > tried / 10, "too few accepted programs (%u of %u) to mean much", accepted, tried);
	printf("kernel oracle: %u programs, %u accepted, %u agree\n", tried, accepted, agree);
}

/* ---- random valid programs: verifier and libpcap's interpreter ----------- */

static struct bpfrt *rts[3];
static const char *engine_names[3] = {"jit", "interp", "checked"};

/* A valid program: random instructions, scratch words written before use
 * (all of M[] is stored first), X made small before indirect loads (where
 * the kernel and libpcap differ on X + k overflowing 32 bits), no shifts by
 * X (the kernel masks the count, libpcap gives 0 for >= 32), no ancillary
 * loads (libpcap's bpf_filter has none). */
static uint32_t random_program(struct sock_filter *prog, uint32_t cap)
{
	uint32_t len = 20 + rnd() % (cap - 20);
	uint32_t pc = 0;
	prog[pc++] = S(BPF_LD | BPF_IMM, rnd());
	for (uint32_t m = 0; m < BPF_MEMWORDS; m++)
		prog[pc++] = S(rnd() % 2 ? BPF_ST : BPF_STX, m);
	while (pc < len - 1) {
		struct sock_filter in = random_insn(pc, len, false);
		uint16_t op = (uint16_t)BPF_OP(in.code);
		if (BPF_CLASS(in.code) == BPF_ALU && BPF_SRC(in.code) == BPF_X && (op == BPF_LSH || op == BPF_RSH))
			continue;
		if (BPF_CLASS(in.code) == BPF_RET && rnd() % 3)
			continue;
		if (BPF_CLASS(in.code) == BPF_LD && (BPF_MODE(in.code) == BPF_ABS || BPF_MODE(in.code) == BPF_IND))
			in.k = rnd() % 8 ? rnd() % 80 : rnd(); /* mostly inside, sometimes far out */
		if (in.code == (BPF_LDX | BPF_B | BPF_MSH))
			in.k = rnd() % 80;
		if (BPF_CLASS(in.code) == BPF_LD && BPF_MODE(in.code) == BPF_IND) {
			if (pc + 2 >= len)
				continue;
			prog[pc++] = S(BPF_LDX | BPF_IMM, rnd() % 70);
			in.k = rnd() % 16;
		}
		if (BPF_CLASS(in.code) == BPF_JMP) { /* recompute the room after the fix-ups above */
			uint32_t room = len - pc - 1;
			in.jt = (uint8_t)(rnd() % room);
			in.jf = (uint8_t)(rnd() % room);
			if (BPF_OP(in.code) == BPF_JA)
				in.k = rnd() % room;
			if (rnd() % 2)
				in.k = rnd() % 256; /* comparable with loaded bytes */
			if (BPF_OP(in.code) == BPF_JA)
				in.k %= room;
		}
		prog[pc++] = in;
	}
	prog[pc++] = rnd() % 2 ? RET_A : RET_K(rnd() % 3 ? rnd() : 0);
	return pc;
}

/* Socket filters run in both translations: legacy loads (as the kernel)
 * and explicit bounds-checked loads (what bpfrt filter runs). */
static enum bpfrt_cbpf_flavor flavor = BPFRT_CBPF_SOCKET_FILTER;

static int load(struct bpfrt *rt, const struct sock_filter *prog, uint32_t len, struct bpfrt_diag *d)
{
	return bpfrt_cbpf_load(rt, prog, len, flavor, NULL, d);
}

static void test_random_equivalence(uint64_t seed)
{
	rng_state = seed;
	static struct sock_filter prog[120];
	uint8_t pkt[96];
	uint32_t programs = 0, runs = 0, bad = 0, nonzero = 0;
	for (int iter = 0; iter < 400 && bad < 5; iter++) {
		uint32_t len = random_program(prog, N(prog));
		struct bpfrt_diag d = {0};
		int err = bpfrt_cbpf_check(prog, len, 0, &d);
		CHECK(!err, "generated program refused: %s", d.msg);
		if (err)
			continue;
		struct bpfrt_sock_filter *f[3] = {0};
		int fds[3];
		for (int e = 0; e < 3; e++) {
			fds[e] = load(rts[e], prog, len, &d);
			CHECK(fds[e] >= 0, "verifier refused the translation (flavour %d) of program %d: %s", flavor,
			      iter, d.msg);
			if (fds[e] >= 0)
				CHECK(bpfrt_sock_filter_new(rts[e], fds[e], NULL, &f[e]) == 0, "filter_new");
		}
		programs++;
		for (int p = 0; p < 16; p++) {
			uint32_t caplen = rnd() % (sizeof(pkt) + 1), wire = caplen + rnd() % 4 * (rnd() % 300);
			for (uint32_t i = 0; i < sizeof(pkt); i++)
				pkt[i] = rnd() % 4 ? (uint8_t)(rnd() % 8) : (uint8_t)rnd();
			uint32_t want = bpf_filter(prog, pkt, wire, caplen);
			nonzero += want != 0;
			for (int e = 0; e < 3; e++) {
				uint32_t got = 0;
				if (!f[e])
					continue;
				err = bpfrt_sock_filter_run(f[e], pkt, caplen, wire, &got, &d);
				runs++;
				if (err || got != want) {
					bad++;
					CHECK(0, "seed %llu flavour %d program %d packet %d engine %s: got %u (err %d %s), libpcap %u",
					      (unsigned long long)seed, flavor, iter, p, engine_names[e], got, err, d.msg,
					      want);
				}
			}
		}
		for (int e = 0; e < 3; e++) {
			bpfrt_sock_filter_free(f[e]);
			if (fds[e] >= 0)
				bpfrt_close(rts[e], fds[e]);
		}
	}
	CHECK(nonzero > runs / 12, "only %u of %u packets give a non-zero result", nonzero, runs / 3);
	printf("flavour %d: random programs: %u programs, %u runs (%u packets non-zero), %u differ from libpcap\n",
	       flavor, programs, runs, nonzero, bad);
}

/* ---- hand-written filters ------------------------------------------------- */

static uint32_t run_one(int e, const struct sock_filter *prog, uint32_t len, const uint8_t *pkt, uint32_t caplen,
			uint32_t wire, const struct bpfrt_sock_filter_meta *meta)
{
	struct bpfrt_diag d = {0};
	int fd = load(rts[e], prog, len, &d);
	CHECK(fd >= 0, "load: %s", d.msg);
	if (fd < 0)
		return 0xdeadbeef;
	struct bpfrt_sock_filter *f = NULL;
	uint32_t r = 0xdeadbeef;
	CHECK(bpfrt_sock_filter_new(rts[e], fd, meta, &f) == 0, "filter_new");
	if (f)
		CHECK(bpfrt_sock_filter_run(f, pkt, caplen, wire, &r, &d) == 0, "run: %s", d.msg);
	bpfrt_sock_filter_free(f);
	bpfrt_close(rts[e], fd);
	return r;
}

static void test_hand_written(void)
{
	/* IPv4/TCP to port 443, with a 24-byte IP header (options). */
	uint8_t pkt[80] = {0};
	pkt[12] = 0x08, pkt[13] = 0x00;
	pkt[14] = 0x46, pkt[23] = 6;
	pkt[14 + 24 + 2] = 443 >> 8, pkt[14 + 24 + 3] = 443 & 0xff;
	/* tcpdump -d 'tcp dst port 443' (IPv4 part) */
	struct sock_filter port[] = {
		S(BPF_LD | BPF_H | BPF_ABS, 12), J(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 5),
		S(BPF_LD | BPF_B | BPF_ABS, 23), J(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 3),
		S(BPF_LDX | BPF_B | BPF_MSH, 14), S(BPF_LD | BPF_H | BPF_IND, 16),
		J(BPF_JMP | BPF_JEQ | BPF_K, 443, 1, 0), RET_K(0), RET_K(262144),
	};
	struct bpfrt_sock_filter_meta meta = {.ifindex = 7, .pkt_type = 3, .mark = 0x1234, .hash = 0xabcd,
					      .ethernet = true};
	for (int e = 0; e < 3; e++) {
		CHECK(run_one(e, port, N(port), pkt, sizeof(pkt), 100, NULL) == 262144, "%s: port 443 (MSH, IND)",
		      engine_names[e]);
		CHECK(run_one(e, port, N(port), pkt, 14 + 24 + 3, 100, NULL) == 0, "%s: truncated before the port",
		      engine_names[e]);
		/* MSH keeps A. */
		struct sock_filter msh[] = {S(BPF_LD | BPF_IMM, 77), S(BPF_LDX | BPF_B | BPF_MSH, 14),
					    S(BPF_ALU | BPF_ADD | BPF_X, 0), RET_A};
		CHECK(run_one(e, msh, N(msh), pkt, sizeof(pkt), 100, NULL) == 77 + 24, "%s: msh", engine_names[e]);
		/* LEN is the wire length; LL_OFF addresses the frame. */
		struct sock_filter len[] = {S(BPF_LD | BPF_W | BPF_LEN, 0), S(BPF_MISC | BPF_TAX, 0),
					    S(BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_LL_OFF + 23),
					    S(BPF_ALU | BPF_ADD | BPF_X, 0), RET_A};
		CHECK(run_one(e, len, N(len), pkt, sizeof(pkt), 1000, NULL) == 1006, "%s: len + ll_off",
		      engine_names[e]);
		/* Division and modulo by X = 0 end with 0. */
		struct sock_filter dx[] = {S(BPF_LD | BPF_IMM, 9), S(BPF_LDX | BPF_IMM, 0),
					   S(BPF_ALU | BPF_DIV | BPF_X, 0), RET_K(5)};
		CHECK(run_one(e, dx, N(dx), pkt, sizeof(pkt), 100, NULL) == 0, "%s: div by X=0", engine_names[e]);
		dx[2].code = BPF_ALU | BPF_MOD | BPF_X;
		CHECK(run_one(e, dx, N(dx), pkt, sizeof(pkt), 100, NULL) == 0, "%s: mod by X=0", engine_names[e]);
		dx[1].k = 4;
		CHECK(run_one(e, dx, N(dx), pkt, sizeof(pkt), 100, NULL) == 5, "%s: mod by X=4", engine_names[e]);
		/* Shifts by X use the low 5 bits (the kernel's eBPF semantics). */
		struct sock_filter sh[] = {S(BPF_LD | BPF_IMM, 1), S(BPF_LDX | BPF_IMM, 33),
					   S(BPF_ALU | BPF_LSH | BPF_X, 0), RET_A};
		CHECK(run_one(e, sh, N(sh), pkt, sizeof(pkt), 100, NULL) == 2, "%s: lsh by 33", engine_names[e]);
		/* Unsigned comparisons with constants above 2^31. */
		struct sock_filter cmp[] = {S(BPF_LD | BPF_IMM, 0x90000000u),
					    J(BPF_JMP | BPF_JGT | BPF_K, 0x80000000u, 0, 1), RET_K(1), RET_K(2)};
		CHECK(run_one(e, cmp, N(cmp), pkt, sizeof(pkt), 100, NULL) == 1, "%s: jgt unsigned", engine_names[e]);
		/* Ancillary loads read __sk_buff. */
		struct sock_filter an[] = {
			S(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL), S(BPF_ST, 0),
			S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_IFINDEX), S(BPF_MISC | BPF_TAX, 0),
			S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE), S(BPF_ALU | BPF_ADD | BPF_X, 0),
			S(BPF_MISC | BPF_TAX, 0), S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_MARK),
			S(BPF_ALU | BPF_ADD | BPF_X, 0), S(BPF_MISC | BPF_TAX, 0),
			S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_RXHASH), S(BPF_ALU | BPF_ADD | BPF_X, 0),
			S(BPF_MISC | BPF_TAX, 0), S(BPF_LD | BPF_MEM, 0), S(BPF_ALU | BPF_ADD | BPF_X, 0),
			S(BPF_MISC | BPF_TAX, 0), S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT),
			S(BPF_ALU | BPF_ADD | BPF_X, 0), RET_A,
		};
		CHECK(run_one(e, an, N(an), pkt, sizeof(pkt), 100, &meta) == 0x800 + 7 + 3 + 0x1234 + 0xabcd,
		      "%s: ancillary loads", engine_names[e]);
		struct sock_filter cpu[] = {S(BPF_LDX | BPF_IMM, 5), S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_CPU),
					    S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_RANDOM),
					    S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_ALU_XOR_X),
					    S(BPF_LD | BPF_IMM, 3),
					    S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_ALU_XOR_X), RET_A};
		CHECK(run_one(e, cpu, N(cpu), pkt, sizeof(pkt), 100, NULL) == (3 ^ 5), "%s: cpu/random/xor x",
		      engine_names[e]);
	}
	/* bpfrt_sock_filter_new on the wrong kind of fd */
	struct bpfrt_sock_filter *f = NULL;
	CHECK(bpfrt_sock_filter_new(rts[0], 9999, NULL, &f) == -EBADF, "bad fd");
}

/* The direct flavour keeps the legacy loads where the verifier cannot
 * bound an offset (beyond 64 KiB): a 70,000-byte packet. */
static void test_direct_far(void)
{
	static uint8_t big[70000];
	big[69999] = 0x5a, big[69998] = 0x11, big[65534] = 0x77, big[100] = 0x45;
	struct sock_filter far[] = {
		S(BPF_LD | BPF_B | BPF_ABS, 69999), S(BPF_ST, 0),                 /* legacy ABS */
		S(BPF_LDX | BPF_IMM, 69990), S(BPF_LD | BPF_H | BPF_IND, 8),      /* legacy IND (X + k > 64K) */
		S(BPF_ST, 1), S(BPF_LDX | BPF_IMM, 65530), S(BPF_LD | BPF_B | BPF_IND, 4), /* direct IND at 65534 */
		S(BPF_LDX | BPF_B | BPF_MSH, 100),                                  /* X = 20 */
		S(BPF_ALU | BPF_ADD | BPF_X, 0), S(BPF_LDX | BPF_MEM, 0), S(BPF_ALU | BPF_ADD | BPF_X, 0),
		S(BPF_LDX | BPF_MEM, 1), S(BPF_ALU | BPF_ADD | BPF_X, 0), RET_A,
	};
	uint32_t want = bpf_filter(far, big, sizeof(big), sizeof(big));
	CHECK(want == 0x77 + 20 + 0x5a + 0x115a, "libpcap gives %u", want);
	for (int fl = 0; fl < 2; fl++) {
		flavor = fl ? BPFRT_CBPF_SOCKET_FILTER_DIRECT : BPFRT_CBPF_SOCKET_FILTER;
		for (int e = 0; e < 3; e++) {
			uint32_t got = run_one(e, far, N(far), big, sizeof(big), sizeof(big), NULL);
			CHECK(got == want, "far loads, flavour %d, %s: %u, want %u", fl, engine_names[e], got, want);
			/* Cut short: the far loads miss. */
			got = run_one(e, far, N(far), big, 69000, sizeof(big), NULL);
			CHECK(got == 0, "far loads on a short packet, flavour %d, %s: %u", fl, engine_names[e], got);
		}
	}
	/* MSH beyond 64 KiB keeps A (spilled to the stack in the direct flavour). */
	struct sock_filter msh[] = {S(BPF_LD | BPF_IMM, 1000), S(BPF_LDX | BPF_B | BPF_MSH, 69998),
				    S(BPF_ALU | BPF_ADD | BPF_X, 0), RET_A};
	for (int fl = 0; fl < 2; fl++) {
		flavor = fl ? BPFRT_CBPF_SOCKET_FILTER_DIRECT : BPFRT_CBPF_SOCKET_FILTER;
		for (int e = 0; e < 3; e++)
			CHECK(run_one(e, msh, N(msh), big, sizeof(big), sizeof(big), NULL) == 1000 + 4,
			      "far msh, flavour %d, %s", fl, engine_names[e]);
	}
}

/* ---- seccomp -------------------------------------------------------------- */

static void test_seccomp(void)
{
	/* allow read/write on x86-64, kill everything else; errno for openat */
	struct sock_filter sc[] = {
		S(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		J(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e /* AUDIT_ARCH_X86_64 */, 1, 0),
		RET_K(SECCOMP_RET_KILL_PROCESS),
		S(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		J(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0),
		J(BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0),
		J(BPF_JMP | BPF_JEQ | BPF_K, 257, 2, 0),
		RET_K(SECCOMP_RET_KILL_PROCESS),
		RET_K(SECCOMP_RET_ALLOW),
		/* openat: errno = the low bits of args[1] + LEN */
		S(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		S(BPF_ALU | BPF_AND | BPF_K, 0xff), S(BPF_LDX | BPF_W | BPF_LEN, 0), S(BPF_ALU | BPF_ADD | BPF_X, 0),
		S(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO), RET_A,
	};
	struct bpf_insn *out = NULL;
	uint32_t cnt = 0;
	struct bpfrt_diag d = {0};
	CHECK(bpfrt_cbpf_translate(sc, N(sc), BPFRT_CBPF_SECCOMP, &out, &cnt, &d) == 0, "seccomp: %s", d.msg);
	free(out);
	int fd = bpfrt_cbpf_load(rts[0], sc, N(sc), BPFRT_CBPF_SECCOMP, NULL, &d);
	CHECK(fd >= 0, "seccomp load: %s", d.msg);
	struct {
		uint32_t nr, arch;
		uint64_t a1;
		uint32_t want;
	} cases[] = {
		{0, 0xc000003e, 0, SECCOMP_RET_ALLOW},
		{1, 0xc000003e, 0, SECCOMP_RET_ALLOW},
		{2, 0xc000003e, 0, SECCOMP_RET_KILL_PROCESS},
		{0, 0x40000003, 0, SECCOMP_RET_KILL_PROCESS},
		{257, 0xc000003e, 0x1205, SECCOMP_RET_ERRNO | (0x05 + 64)},
	};
	for (uint32_t i = 0; fd >= 0 && i < N(cases); i++) {
		struct seccomp_data sd = {.nr = (int)cases[i].nr, .arch = cases[i].arch};
		sd.args[1] = cases[i].a1;
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)fd;
		a.test.ctx_in = (uintptr_t)&sd;
		a.test.ctx_size_in = sizeof(sd);
		int err = bpfrt_bpf(rts[0], BPF_PROG_TEST_RUN, &a, sizeof(a));
		CHECK(err == 0 && a.test.retval == cases[i].want, "seccomp case %u: err %d retval 0x%x want 0x%x", i,
		      err, a.test.retval, cases[i].want);
	}
	if (fd >= 0)
		bpfrt_close(rts[0], fd);
}

int main(void)
{
	static const int engines[3] = {BPFRT_ENGINE_JIT, BPFRT_ENGINE_INTERP, BPFRT_ENGINE_CHECKED};
	for (int e = 0; e < 3; e++) {
		struct bpfrt_opts o = {.sz = sizeof(o), .engine = (uint32_t)engines[e]};
		rts[e] = bpfrt_new(&o);
		if (!rts[e]) {
			perror("bpfrt_new");
			return 1;
		}
	}
	const char *env = getenv("BPFRT_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 20261204;
	printf("seed %llu (BPFRT_SEED=N to replay another)\n", (unsigned long long)seed);
	rng_state = seed;
	test_rejections();
	test_translate_refusals();
	test_kernel_oracle();
	for (int fl = 0; fl < 2; fl++) {
		flavor = fl ? BPFRT_CBPF_SOCKET_FILTER_DIRECT : BPFRT_CBPF_SOCKET_FILTER;
		test_random_equivalence(seed);
		test_hand_written();
	}
	test_direct_far();
	test_seccomp();
	for (int e = 0; e < 3; e++)
		bpfrt_free(rts[e]);
	return CHECK_DONE();
}
