/* fuzz_verifier.c — libFuzzer target for verifier soundness (issue 8,
 * point 7): the input decodes into a program (vsound.c: program type, then
 * snippets biased toward context, stack, map value and packet accesses,
 * bounds checks, helper calls and loops); every program BPF_PROG_LOAD
 * accepts runs in the bounds-checked interpreter on five inputs (packets of
 * 0, 14, 64, 1500 and a random number of random bytes).  Any fault of the
 * checked interpreter, helper misuse, leaked ring buffer record, write to a
 * read-only context byte or run past the instruction budget is a verifier
 * bug: the input is printed as a verifier corpus file and the target aborts.
 *
 * Seeds: tests/fuzz/corpus/verifier (make_verifier_seeds.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vsound.h"

static struct vs *vs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void done(void)
{
	vs_free(vs);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	unsetenv("BPFRT_TRACE");
	vs = vs_new();
	if (!vs) {
		perror("vs_new");
		abort();
	}
	atexit(done);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vs_prog p;
	char why[512];
	vs_decode(vs, data, size, &p);
	/* The inputs of the runs come from the program's bytes: reproducible. */
	uint64_t seed = 0x5eed;
	for (size_t i = 0; i < size; i++)
		seed = seed * 0x100000001b3ull ^ data[i];
	if (vs_check(vs, &p, seed, 5, why, sizeof(why)) == VS_ESCAPE) {
		fprintf(stderr, "fuzz_verifier: VERIFIER ESCAPE: %s\n", why);
		vs_print(vs, &p, why, stderr);
		abort();
	}
	return 0;
}
