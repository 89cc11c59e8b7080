/* test_jit_harden.c — the JIT's safety properties: constant blinding
 * ($BPFRT_JIT_HARDEN=1, x86_64.c: emit_blinded) and W^X images.
 *
 * One program holds every kind of immediate the ISA has (ALU and ALU32
 * _K rows including mul/div/mod/shifts and mov, conditional jumps of both
 * widths, stores of each size, lddw, a legacy packet load), each a 32-bit
 * value with distinctive bytes.  Compiled without hardening, each value's
 * four bytes are found in the code (so the scan works); compiled with it,
 * none is; both images give the interpreter's result on several inputs.
 * The image's pages are mapped read+exec, never writable (/proc/self/maps).
 */
#include "check.h"

#include "bpfrt/bpfrt.h"

#include <inttypes.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#define INS(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

/* Distinctive immediates: no two share bytes with the others' patterns. */
static const int32_t imms[] = {
	0x13572468, 0x2468ace1, 0x35792b4d, 0x468ace13, 0x57a3c5e7, 0x6b8d0f21, 0x7c9e1a3b, 0x0d2f4b6c,
	0x1e3a5c7d, 0x2f4b6d8e, 0x305c7e9f, 0x416d8fa0, 0x527e90b1, 0x638fa1c2, 0x7490b2d3, 0x05a1c3e4,
	0x16b2d4f5, 0x27c3e506, 0x38d4f617, 0x49e50728, 0x5af61839, 0x6b07294a, 0x7c183a5b, 0x0d294b6c,
	0x1e3a5c7e,
};
static int nimm;        /* immediates build() used */
static bool partial[32]; /* stored as 1 or 2 bytes only (sth, stb): not whole in any image */

static int build(struct bpf_insn *v)
{
	int n = 0, k = 0;
	v[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0); /* r6 = r1 (argument) */
	v[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, imms[k++]);
	static const uint8_t alu[] = {BPF_ADD, BPF_SUB, BPF_OR, BPF_AND, BPF_XOR, BPF_MUL, BPF_DIV, BPF_MOD};
	for (unsigned a = 0; a < sizeof(alu); a++) {
		v[n++] = INS(BPF_ALU64 | alu[a] | BPF_K, 0, 0, 0, imms[k++]);
		v[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_X, 0, 6, 0, 0);
	}
	v[n++] = INS(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 0, imms[k++]);
	v[n++] = INS(BPF_ALU | BPF_MUL | BPF_K, 0, 0, 0, imms[k++]);
	v[n++] = INS(BPF_ALU | BPF_MOV | BPF_K, 2, 0, 0, imms[k++]);
	v[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_X, 0, 2, 0, 0);
	v[n++] = INS(BPF_ALU64 | BPF_LSH | BPF_K, 0, 0, 0, 13);
	v[n++] = INS(BPF_ALU64 | BPF_ARSH | BPF_K, 0, 0, 0, 7);
	/* sdiv (off = 1) */
	v[n++] = INS(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 1, imms[k++]);
	/* conditional jumps over an add, 64- and 32-bit */
	v[n++] = INS(BPF_JMP | BPF_JGT | BPF_K, 6, 0, 1, imms[k++]);
	v[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1);
	v[n++] = INS(BPF_JMP32 | BPF_JSLT | BPF_K, 6, 0, 1, imms[k++]);
	v[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 2);
	v[n++] = INS(BPF_JMP | BPF_JSET | BPF_K, 6, 0, 1, imms[k++]);
	v[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 4);
	/* stores of each size, read back */
	static const uint8_t sz[] = {BPF_DW, BPF_W, BPF_H, BPF_B};
	for (unsigned s = 0; s < sizeof(sz); s++) {
		partial[k] = sz[s] == BPF_H || sz[s] == BPF_B;
		v[n++] = INS(BPF_ST | BPF_MEM | sz[s], 10, 0, -16, imms[k++]);
		v[n++] = INS(BPF_LDX | BPF_MEM | sz[s], 3, 10, -16, 0);
		v[n++] = INS(BPF_ALU64 | BPF_XOR | BPF_X, 0, 3, 0, 0);
	}
	/* lddw: two distinctive halves */
	v[n++] = INS(BPF_LD | BPF_IMM | BPF_DW, 4, 0, 0, imms[k++]);
	v[n++] = INS(0, 0, 0, 0, imms[k++]);
	v[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_X, 0, 4, 0, 0);
	/* a legacy packet load at a (small) absolute offset, saving r0 */
	v[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 7, 0, 0, 0);
	v[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 6, 6, 0, 0);
	v[n++] = INS(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 5);
	v[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_X, 0, 7, 0, 0);
	v[n++] = INS(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	nimm = k;
	return n;
}

/* Does the 4-byte little-endian form of v appear in code? */
static bool has_bytes(const uint8_t *code, size_t size, int32_t v)
{
	uint8_t pat[4];
	memcpy(pat, &v, 4);
	for (size_t i = 0; i + 4 <= size; i++)
		if (!memcmp(code + i, pat, 4))
			return true;
	return false;
}

/* The permissions of the mapping holding addr in /proc/self/maps. */
static void perms_of(const void *addr, char out[5])
{
	strcpy(out, "?");
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char p[5];
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && (uintptr_t)addr >= lo && (uintptr_t)addr < hi) {
			memcpy(out, p, 5);
			break;
		}
	}
	fclose(f);
}

static struct bpfrt_vm_prog *compile(struct bpfrt *rt, const struct bpf_insn *v, int n, bool harden,
				     struct bpfrt_jited *j)
{
	struct bpfrt_vm_prog *p = NULL;
	struct bpfrt_diag diag;
	if (bpfrt_vm_prog_new(rt, v, (uint32_t)n, NULL, &p, &diag)) {
		printf("not loadable: %s\n", diag.msg);
		return NULL;
	}
	if (harden)
		setenv("BPFRT_JIT_HARDEN", "1", 1);
	else
		unsetenv("BPFRT_JIT_HARDEN");
	j->sz = sizeof(*j);
	int err = bpfrt_vm_prog_jited(p, true, j);
	unsetenv("BPFRT_JIT_HARDEN");
	if (err) {
		printf("not compiled (%d): %s\n", err, j->reason ? j->reason : "?");
		bpfrt_vm_prog_free(p);
		return NULL;
	}
	return p;
}

int main(void)
{
	struct bpfrt *rt = bpfrt_new(NULL);
	struct bpf_insn v[128];
	int n = build(v);
	struct bpfrt_jited plain, hard;
	struct bpfrt_vm_prog *pp = rt ? compile(rt, v, n, false, &plain) : NULL;
	struct bpfrt_vm_prog *ph = rt ? compile(rt, v, n, true, &hard) : NULL;
	if (!pp || !ph)
		return 1;
	int seen_plain = 0, seen_hard = 0, whole = 0;
	for (int k = 0; k < nimm; k++) {
		whole += !partial[k];
		seen_plain += !partial[k] && has_bytes(plain.code, plain.size, imms[k]);
		bool h = has_bytes(hard.code, hard.size, imms[k]);
		seen_hard += h;
		CHECK(!h, "hardened image holds immediate 0x%08" PRIx32, (uint32_t)imms[k]);
	}
	CHECK(seen_plain == whole, "the unhardened image holds %d of %d immediates (the scan must find them)",
	      seen_plain, whole);
	printf("32-bit immediates found: %d of %d unhardened, %d of %d hardened (%zu -> %zu bytes)\n", seen_plain,
	       whole, seen_hard, nimm, plain.size, hard.size);

	uint8_t pkt[16];
	for (int i = 0; i < 16; i++)
		pkt[i] = (uint8_t)(i * 37 + 1);
	static const uint64_t args[] = {0, 1, 0x2468ace1, 0x7fffffff, 0xffffffffffffffffull, 0x8000000000000000ull,
					 12345678901ull, 0x2468ace0};
	for (unsigned a = 0; a < sizeof(args) / sizeof(args[0]); a++) {
		uint64_t r[3];
		int e[3];
		const struct bpfrt_vm_prog *progs[3] = {pp, pp, ph};
		for (int m = 0; m < 3; m++) {
			struct bpfrt_run_opts o = {.sz = sizeof(o), .flags = m ? BPFRT_RUN_JIT : 0, .args = &args[a],
						   .nr_args = 1, .packet = pkt, .packet_size = sizeof(pkt)};
			r[m] = 0;
			e[m] = bpfrt_vm_run(progs[m], &o, &r[m], NULL);
		}
		CHECK(e[0] == 0 && e[1] == 0 && e[2] == 0 && r[0] == r[1] && r[0] == r[2],
		      "arg 0x%" PRIx64 ": interp %d/0x%" PRIx64 ", jit %d/0x%" PRIx64 ", hardened %d/0x%" PRIx64,
		      args[a], e[0], r[0], e[1], r[1], e[2], r[2]);
	}

	char perm[5];
	perms_of(hard.code, perm);
	CHECK(!strcmp(perm, "r-xp"), "JIT image mapped %s, want r-xp (never writable and executable)", perm);
	bpfrt_vm_prog_free(pp);
	bpfrt_vm_prog_free(ph);
	bpfrt_free(rt);
	return CHECK_DONE();
}
