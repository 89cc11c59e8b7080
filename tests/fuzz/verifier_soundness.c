/* verifier_soundness.c — the soundness generator of fuzz_verifier driven by
 * a PRNG (ctest fuzz.verifier_soundness): N programs from random bytes, and
 * for each accepted one MUTATIONS single-instruction mutants (imm/off +-,
 * jump condition, access size, register, ALU/JMP width); every accepted
 * program runs in the bounds-checked interpreter on five inputs.  Any
 * escape (vsound.h) fails the test with the program as a verifier corpus
 * file and the command that replays it.
 *
 *   verifier_soundness [SEED...]        default seeds 1 2 3
 *   BPFRT_SEED=S                        one seed instead of the defaults
 *   BPFRT_SOUNDNESS_COUNT=N             programs per seed (default 8000)
 *   BPFRT_SOUNDNESS_ONLY=I              replay program I of the seed only
 *   BPFRT_SOUNDNESS_KNOWN=TEXT          escapes whose message holds TEXT
 *                                       are counted, only the first printed
 *   verifier_soundness --write-input SEED IDX FILE
 *                                       write program IDX's input bytes
 *   verifier_soundness --write-seeds DIR N
 *                                       write the bytes of N accepted
 *                                       programs (seed 1) as fuzz_verifier
 *                                       corpus inputs
 * Output: "soundness: N programs, A accepted, R runs, E escapes".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vsound.h"

#define INPUT_BYTES 600
#define MUTATIONS 3

static void gen_bytes(uint64_t seed, uint64_t idx, uint8_t *buf, size_t *len)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ull ^ (idx + 1) * 0xd1b54a32d192ed03ull;
	*len = 16 + (size_t)(vs_rand(&s) % (INPUT_BYTES - 16));
	for (size_t i = 0; i < *len; i += 8) {
		uint64_t v = vs_rand(&s);
		memcpy(buf + i, &v, *len - i < 8 ? *len - i : 8);
	}
}

static int write_seeds(const char *dir, int n)
{
	struct vs *vs = vs_new();
	if (!vs)
		return 2;
	static struct vs_prog p;
	uint8_t buf[INPUT_BYTES + 8];
	char why[512];
	int written = 0;
	for (uint64_t i = 0; written < n && i < 1000000; i++) {
		size_t len;
		gen_bytes(1, i, buf, &len);
		vs_decode(vs, buf, len, &p);
		if (vs_check(vs, &p, i, 5, why, sizeof(why)) != VS_OK || p.cnt < 12)
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/gen-%03d", dir, written);
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, len, f) != len) {
			perror(path);
			return 2;
		}
		fclose(f);
		written++;
	}
	vs_free(vs);
	printf("wrote %d seeds to %s\n", written, dir);
	return 0;
}

static uint64_t known_escapes;

static int escape(struct vs *vs, const struct vs_prog *p, uint64_t seed, uint64_t idx, int mutant, const char *why,
		  const char *argv0)
{
	/* BPFRT_SOUNDNESS_KNOWN=TEXT: escapes whose message holds TEXT (a bug
	 * already reported) are counted, the first one printed, for long runs
	 * that look for others. */
	const char *known = getenv("BPFRT_SOUNDNESS_KNOWN");
	if (known && *known && strstr(why, known) && known_escapes++)
		return 1;
	printf("soundness: ESCAPE: seed %" PRIu64 ", program %" PRIu64 ", mutant %d: %s\n", seed, idx, mutant, why);
	vs_print(vs, p, why, stdout);
	printf("soundness: replay: BPFRT_SEED=%" PRIu64 " BPFRT_SOUNDNESS_ONLY=%" PRIu64 " %s\n", seed, idx, argv0);
	fflush(stdout);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--write-seeds"))
		return write_seeds(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "--write-input")) {
		/* the fuzz_verifier input of program IDX of SEED (a regression seed) */
		uint8_t b[INPUT_BYTES + 8];
		size_t len;
		gen_bytes(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0), b, &len);
		FILE *f = fopen(argv[4], "wb");
		if (!f || fwrite(b, 1, len, f) != len)
			return 2;
		return fclose(f) != 0;
	}
	uint64_t seeds[64];
	int nseeds = 0;
	const char *env = getenv("BPFRT_SEED");
	for (int i = 1; i < argc && nseeds < 64; i++)
		seeds[nseeds++] = strtoull(argv[i], NULL, 0);
	if (!nseeds && env)
		seeds[nseeds++] = strtoull(env, NULL, 0);
	if (!nseeds) {
		seeds[0] = 1, seeds[1] = 2, seeds[2] = 3;
		nseeds = 3;
	}
	uint64_t count = getenv("BPFRT_SOUNDNESS_COUNT") ? strtoull(getenv("BPFRT_SOUNDNESS_COUNT"), NULL, 0) : 8000;
	const char *only_env = getenv("BPFRT_SOUNDNESS_ONLY");
	struct vs *vs = vs_new();
	if (!vs) {
		perror("vs_new");
		return 2;
	}
	static struct vs_prog p, m;
	uint8_t buf[INPUT_BYTES + 8];
	char why[512];
	int failed = 0;
	time_t t0 = time(NULL);
	for (int si = 0; si < nseeds; si++) {
		uint64_t seed = seeds[si];
		uint64_t first = only_env ? strtoull(only_env, NULL, 0) : 0, last = only_env ? first + 1 : count;
		printf("soundness: seed %" PRIu64 " (replay: BPFRT_SEED=%" PRIu64 " %s)\n", seed, seed, argv[0]);
		fflush(stdout);
		for (uint64_t i = first; i < last; i++) {
			size_t len;
			gen_bytes(seed, i, buf, &len);
			vs_decode(vs, buf, len, &p);
			uint64_t in_seed = seed ^ i * 0x2545f4914f6cdd1dull;
			enum vs_result r = vs_check(vs, &p, in_seed, 5, why, sizeof(why));
			if (r == VS_ESCAPE) {
				failed |= escape(vs, &p, seed, i, -1, why, argv[0]);
				continue;
			}
			if (r != VS_OK)
				continue;
			uint64_t ms = in_seed;
			for (int k = 0; k < MUTATIONS; k++) {
				m = p;
				int nm = 1 + (int)(vs_rand(&ms) % 3);
				for (int j = 0; j < nm; j++)
					vs_mutate(&m, vs_rand(&ms));
				if (vs_check(vs, &m, ms, 5, why, sizeof(why)) == VS_ESCAPE)
					failed |= escape(vs, &m, seed, i, k, why, argv[0]);
			}
			if ((i + 1) % 1000000 == 0) {
				const struct vs_stats *st = vs_stats(vs);
				printf("soundness: progress seed %" PRIu64 " %" PRIu64 ": %" PRIu64 " programs, %" PRIu64
				       " accepted, %" PRIu64 " runs, %" PRIu64 " escapes, %lds\n",
				       seed, i + 1, st->programs, st->accepted, st->runs, st->escapes, (long)(time(NULL) - t0));
				fflush(stdout);
			}
		}
	}
	const struct vs_stats *st = vs_stats(vs);
	printf("soundness: %" PRIu64 " programs, %" PRIu64 " accepted, %" PRIu64 " runs, %" PRIu64 " escapes (%lds)\n",
	       st->programs, st->accepted, st->runs, st->escapes, (long)(time(NULL) - t0));
	if (known_escapes)
		printf("soundness: %" PRIu64 " of the escapes match BPFRT_SOUNDNESS_KNOWN\n", known_escapes);
	vs_free(vs);
	return failed;
}
