/* vsound.h — verifier soundness checking, shared by the libFuzzer target
 * fuzz_verifier.c and the deterministic generator test verifier_soundness.c.
 *
 * A byte string decodes into a program (vs_decode): a program type, then
 * "snippets" drawn from the bytes — context loads, packet bounds checks and
 * accesses, map lookups with and without null checks, stack accesses with
 * constant and variable offsets, ALU and jumps on scalars (bounds
 * refinement), helper calls (map, ring buffer, probe_read, ...), bounded
 * and unbounded backward jumps, atomics and a few raw instructions — most
 * valid, many near the edge (off-by-one offsets, missing checks).
 *
 * vs_check loads it with BPF_PROG_LOAD (which runs the verifier) and runs
 * every accepted program in the interpreter's bounds-checked mode on several
 * inputs (packet sizes 0, 14, 64, 1500 and a random one, random bytes,
 * random map contents).  An escape — a verified program that the checked
 * interpreter stops (out-of-bounds access, instruction budget exhausted),
 * that misuses a helper (a key or buffer outside the run's memory, a map it
 * does not own, a ring buffer record it does not hold or leaks), or that
 * writes a context byte no writable field covers — is a verifier bug.
 */
#ifndef BPFRT_TESTS_VSOUND_H
#define BPFRT_TESTS_VSOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/bpf.h>

#define VS_MAX_INSNS 512

struct vs_prog {
	uint32_t type;
	uint32_t cnt;
	struct bpf_insn insns[VS_MAX_INSNS];
};

struct vs_stats {
	uint64_t programs, accepted, runs, escapes;
};

struct vs;

/* A runtime with the maps programs use (array, hash, ring buffer, single
 * element array for direct value access) and wrapped helpers.  NULL on
 * failure. */
struct vs *vs_new(void);
void vs_free(struct vs *vs);
const struct vs_stats *vs_stats(const struct vs *vs);

/* Decode bytes into a program (always at least `r0 = 0; exit`). */
void vs_decode(const struct vs *vs, const uint8_t *data, size_t size, struct vs_prog *out);

/* Mutate one instruction of p (random field tweak driven by rnd). */
void vs_mutate(struct vs_prog *p, uint64_t rnd);

enum vs_result { VS_REJECTED = 0, VS_OK = 1, VS_ESCAPE = 2 };

/* Load p; if accepted, run it on `runs` inputs derived from input_seed in
 * checked mode.  On VS_ESCAPE, why holds the fault. */
enum vs_result vs_check(struct vs *vs, const struct vs_prog *p, uint64_t input_seed, int runs, char *why,
			size_t why_len);

/* Print p as a verifier corpus file (tests/verifier/corpus format: type and
 * maps header, LLVM-syntax assembly). */
void vs_print(const struct vs *vs, const struct vs_prog *p, const char *comment, FILE *f);

/* splitmix64 */
static inline uint64_t vs_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
