/* verdict_diff.c — verdict differential of bpfrt's verifier against the
 * host kernel's (ctest verifier.verdict_diff, label kernel).
 *
 * The programs come from the soundness generator (tests/fuzz/vsound.c, the
 * same bytes per (seed, index) as verifier_soundness, so a program here is
 * program I of that seed there): seven program types, the maps array, hash,
 * ring buffer and a single-element "global" array, created once in the
 * kernel and once in bpfrt and passed in fd_array in the same order.  Each
 * program, and MUTANTS single-instruction mutants of every program one side
 * accepts, is loaded into the kernel (GPL license, syscall programs
 * sleepable, no log) and into bpfrt; only on disagreement both are loaded
 * again with log_level 1 for the message.  Verdicts are classified as
 * agree-accept, agree-reject, kernel-accepts-bpfrt-rejects (a permissiveness
 * gap) and bpfrt-accepts-kernel-rejects (possibly unsound, or bpfrt more
 * precise).
 *
 * Disagreements are bucketed by the first line of the rejecting side's
 * error, numbers normalised to N:
 *     bpfrt-rejects | <bpfrt's message>
 *     kernel-rejects | <the kernel's message>
 * and printed as a table (count, key) with, per bucket, one example
 * program reduced by deleting instructions while the bucket stays the same
 * (LLVM assembly, in the tests/verifier/corpus format) and both messages.
 *
 * The test fails (exit 1) only on a bucket not in the allow-list
 * tests/verifier/verdict_diff_known.txt (one key per line, `KEY  # why`; a
 * key with `*` is a shell pattern, fnmatch(3)).  Exit 77 without bpf().
 * A bpfrt refusal of a malformed instruction ("insn N: ...") that the
 * kernel never reaches (dead code: the kernel checks encodings on verified
 * paths only) is keyed "bpfrt-rejects | (unreachable) insn N: ...".  A
 * kernel refusal at an instruction bpfrt proves unreachable (a branch
 * bpfrt decides, e.g. from its division bounds, that the kernel explores)
 * is keyed "kernel-rejects | (bpfrt: unreachable) ...".
 *
 *   verdict_diff [--report] [--known FILE] [SEED...]   default seed 1
 *   BPFRT_SEED=S             one seed instead of the defaults
 *   BPFRT_VDIFF_COUNT=N      programs per seed (default 5000)
 *   BPFRT_VDIFF_MUTANTS=M    mutants of each program one side accepts (default 3)
 *   BPFRT_VDIFF_ONLY=I       replay program I of the seed (with
 *   BPFRT_VDIFF_MUTANT=K     mutant K of it; default the program itself):
 *                            prints the program and both logs
 *   BPFRT_VDIFF_FILE=F.s     classify one program of a corpus-format file
 *                            (an example as printed) and print both logs
 *   BPFRT_VDIFF_REDUCE=0     do not reduce the examples
 *   BPFRT_VDIFF_KNOWN=FILE   the allow-list
 *   --report                 exit 0 whatever the buckets
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../fuzz/vsound.h"
#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"

#ifndef VDIFF_KNOWN
#define VDIFF_KNOWN "tests/verifier/verdict_diff_known.txt"
#endif

#define INPUT_BYTES 600 /* as verifier_soundness.c */
#define MAX_MAPS 8
#define LOG_SIZE (1u << 20)
#define MSG_SIZE 512
#define KEY_SIZE 200
#define REDUCE_TRIES 3000

/* ---- the maps, as vsound's programs expect them (its vs_print header) ---- */

struct map_spec {
	uint32_t type, key, value, entries;
};

static struct map_spec maps[MAX_MAPS];
static int nmaps;
static int kfds[MAX_MAPS], bfds[MAX_MAPS];
static struct bpfrt *rt;
static char *logbuf;
static char maps_line[512];

static const struct {
	const char *name;
	uint32_t type;
} map_types[] = {
	{"array", BPF_MAP_TYPE_ARRAY},           {"hash", BPF_MAP_TYPE_HASH},
	{"percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY}, {"percpu_hash", BPF_MAP_TYPE_PERCPU_HASH},
	{"lru_hash", BPF_MAP_TYPE_LRU_HASH},     {"ringbuf", BPF_MAP_TYPE_RINGBUF},
};

/* vs_print's text of p (corpus-file header + assembly), malloc'd. */
static char *print_prog(const struct vs_prog *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	vs_print(NULL, p, "verdict_diff", f);
	fclose(f);
	return text;
}

static int parse_maps(void)
{
	static struct vs_prog p;
	p.cnt = 0;
	char *text = print_prog(&p);
	char *m = text ? strstr(text, "# maps: ") : NULL;
	if (!m) {
		free(text);
		return -1;
	}
	m += 8;
	snprintf(maps_line, sizeof(maps_line), "%.*s", (int)strcspn(m, "\n"), m);
	free(text);
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", maps_line);
	char *save = NULL;
	for (char *tok = strtok_r(tmp, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		char name[64];
		struct map_spec *s = &maps[nmaps];
		if (nmaps == MAX_MAPS || sscanf(tok, " %63s %u %u %u", name, &s->key, &s->value, &s->entries) != 4)
			return -1;
		size_t i;
		for (i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
			if (!strcmp(name, map_types[i].name))
				break;
		if (i == sizeof(map_types) / sizeof(map_types[0])) {
			fprintf(stderr, "verdict_diff: unknown map type '%s' in vsound's header\n", name);
			return -1;
		}
		s->type = map_types[i].type;
		nmaps++;
	}
	return nmaps ? 0 : -1;
}

static int kernel_bpf(int cmd, union bpf_attr *a)
{
	long r = syscall(__NR_bpf, cmd, a, sizeof(*a));
	return r < 0 ? -errno : (int)r;
}

static int sys(bool kernel, int cmd, union bpf_attr *a)
{
	return kernel ? kernel_bpf(cmd, a) : bpfrt_bpf(rt, cmd, a, sizeof(*a));
}

static int create_maps(bool kernel)
{
	int *fds = kernel ? kfds : bfds;
	for (int i = 0; i < nmaps; i++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_type = maps[i].type;
		a.key_size = maps[i].key;
		a.value_size = maps[i].value;
		a.max_entries = maps[i].entries;
		fds[i] = sys(kernel, BPF_MAP_CREATE, &a);
		if (fds[i] < 0) {
			fprintf(stderr, "verdict_diff: %s: BPF_MAP_CREATE map %d: %s\n", kernel ? "kernel" : "bpfrt", i,
				strerror(-fds[i]));
			return -1;
		}
	}
	return 0;
}

/* ---- programs --------------------------------------------------------------- */

static void gen_bytes(uint64_t seed, uint64_t idx, uint8_t *buf, size_t *len)
{
	/* exactly verifier_soundness.c's */
	uint64_t s = seed * 0x9e3779b97f4a7c15ull ^ (idx + 1) * 0xd1b54a32d192ed03ull;
	*len = 16 + (size_t)(vs_rand(&s) % (INPUT_BYTES - 16));
	for (size_t i = 0; i < *len; i += 8) {
		uint64_t v = vs_rand(&s);
		memcpy(buf + i, &v, *len - i < 8 ? *len - i : 8);
	}
}

/* Program `mutant` (-1: the program itself) of (seed, idx); mutants as
 * verifier_soundness makes them. */
static void make_prog(uint64_t seed, uint64_t idx, int mutant, struct vs_prog *p)
{
	uint8_t buf[INPUT_BYTES + 8];
	size_t len;
	gen_bytes(seed, idx, buf, &len);
	vs_decode(NULL, buf, len, p);
	if (mutant < 0)
		return;
	static struct vs_prog base;
	base = *p;
	uint64_t ms = seed ^ idx * 0x2545f4914f6cdd1dull;
	for (int k = 0; k <= mutant; k++) {
		*p = base;
		int nm = 1 + (int)(vs_rand(&ms) % 3);
		for (int j = 0; j < nm; j++)
			vs_mutate(p, vs_rand(&ms));
	}
}

/* Programs whose map references mean different objects in the two worlds:
 * an fd_array index past the maps (the kernel would read past fd_array) or
 * a raw map fd (fd numbers differ between the kernel and bpfrt). */
static bool skip_prog(const struct vs_prog *p)
{
	for (uint32_t i = 0; i < p->cnt; i++) {
		const struct bpf_insn *in = &p->insns[i];
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE)
			return true;
		if ((in->src_reg == BPF_PSEUDO_MAP_IDX || in->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) &&
		    (uint32_t)in->imm >= (uint32_t)nmaps)
			return true;
		i++;
	}
	return false;
}

/* BPF_PROG_LOAD p; 1 accepted, else -errno.  With a log: logbuf. */
static int load(bool kernel, const struct vs_prog *p, bool with_log)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = p->type;
	a.insns = (uintptr_t)p->insns;
	a.insn_cnt = p->cnt;
	a.license = (uintptr_t) "GPL";
	a.fd_array = (uintptr_t)(kernel ? kfds : bfds);
	if (p->type == BPF_PROG_TYPE_SYSCALL)
		a.prog_flags = BPF_F_SLEEPABLE;
	if (with_log) {
		logbuf[0] = 0;
		a.log_level = 1;
		a.log_buf = (uintptr_t)logbuf;
		a.log_size = LOG_SIZE;
	}
	int fd = sys(kernel, BPF_PROG_LOAD, &a);
	if (fd < 0)
		return fd;
	if (kernel)
		close(fd);
	else
		bpfrt_close(rt, fd);
	return 1;
}

/* ---- error messages ------------------------------------------------------- */

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* "N: (xx) ..." — an instruction of the kernel's trace. */
static bool insn_line(const char *l)
{
	if (!isdigit((unsigned char)*l))
		return false;
	while (isdigit((unsigned char)*l))
		l++;
	return l[0] == ':' && l[1] == ' ' && l[2] == '(' && isxdigit((unsigned char)l[3]) &&
	       isxdigit((unsigned char)l[4]) && l[5] == ')';
}

/* Trace lines that are not the error: states, source lines, the summary. */
static bool noise_line(const char *l)
{
	if (!*l || *l == ';' || starts(l, "processed ") || starts(l, "verification time") ||
	    starts(l, "stack depth") || starts(l, "from ") || starts(l, "mark_precise") || starts(l, "Live regs") ||
	    starts(l, "Func#") || starts(l, "func#") || starts(l, "last_idx") || starts(l, "parent didn't") ||
	    starts(l, "regs=") || starts(l, "cur state:") || starts(l, "old state:") || starts(l, " ") ||
	    starts(l, "\t"))
		return true;
	/* "N: R1=..." / "N: frame1: ..." states */
	if (isdigit((unsigned char)*l)) {
		const char *s = l;
		while (isdigit((unsigned char)*s))
			s++;
		if (s[0] == ':' && s[1] == ' ' && (s[2] == 'R' || starts(s + 2, "frame")))
			return true;
	}
	return false;
}

/* The first line of the kernel's error: the first line after the last
 * instruction of the trace that is not a state, or the log's first line
 * when the error comes before the trace. */
static void kernel_msg(const char *log, int err, char *dst, size_t n)
{
	/* the last instruction line, however long the log */
	const char *last = NULL;
	for (const char *s = log; *s;) {
		size_t len = strcspn(s, "\n");
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 63 ? len : 63), s);
		if (insn_line(tmp))
			last = s;
		s += len;
		if (*s)
			s++;
	}
	const char *s = log;
	if (last) {
		/* A conditional jump's line goes on with the branch state or with
		 * the error: "23: (b5) if r9 <= 0x6 goto pc-4 infinite loop ..." */
		char tmp[MSG_SIZE];
		size_t len = strcspn(last, "\n");
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < MSG_SIZE - 1 ? len : MSG_SIZE - 1), last);
		char *g = strstr(tmp, " goto pc");
		if (g) {
			g += 8;
			if (*g == '+' || *g == '-')
				g++;
			while (isdigit((unsigned char)*g))
				g++;
			while (*g == ' ')
				g++;
			if (*g && *g != ';' && !noise_line(g)) {
				snprintf(dst, n, "%s", g);
				return;
			}
		}
		s = last + len;
		if (*s)
			s++;
	}
	while (*s) {
		size_t len = strcspn(s, "\n");
		char tmp[MSG_SIZE];
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < MSG_SIZE - 1 ? len : MSG_SIZE - 1), s);
		if (!noise_line(tmp) && !insn_line(tmp)) {
			snprintf(dst, n, "%s", tmp);
			return;
		}
		s += len;
		if (*s)
			s++;
	}
	snprintf(dst, n, "(no message) %s", strerrorname_np(-err) ? strerrorname_np(-err) : "?");
}

/* bpfrt's: the "bpfrt: insn N (...): MSG" summary line, else the log's
 * first line (a refusal before verification). */
static void bpfrt_msg(const char *log, int err, char *dst, size_t n)
{
	const char *s = NULL;
	for (const char *l = log; l && *l;) {
		if (starts(l, "bpfrt: "))
			s = l + 7;
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	if (s && starts(s, "insn ")) {
		const char *c = strstr(s, ": ");
		size_t len = strcspn(s, "\n");
		if (c && (size_t)(c - s) < len)
			s = c + 2;
	}
	if (!s)
		s = log;
	while (*s == '\n')
		s++;
	size_t len = strcspn(s, "\n");
	if (!len) {
		snprintf(dst, n, "(no message) %s", strerrorname_np(-err) ? strerrorname_np(-err) : "?");
		return;
	}
	snprintf(dst, n, "%.*s", (int)(len < n - 1 ? len : n - 1), s);
}

/* Numbers (decimal, hex, signed) become N. */
static void normalise(const char *s, char *dst, size_t n)
{
	size_t o = 0;
	while (*s && o + 2 < n) {
		if (isdigit((unsigned char)*s)) {
			if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
				s += 2;
				while (isxdigit((unsigned char)*s))
					s++;
			} else {
				while (isdigit((unsigned char)*s))
					s++;
			}
			if (o && dst[o - 1] == '-' && (o < 2 || !isalnum((unsigned char)dst[o - 2])))
				o--; /* a sign, not "fp-8" */
			dst[o++] = 'N';
			continue;
		}
		dst[o++] = *s++;
	}
	dst[o] = 0;
	while (o && dst[o - 1] == ' ')
		dst[--o] = 0;
}

/* ---- classification ------------------------------------------------------- */

enum cls { AGREE_ACCEPT, AGREE_REJECT, GAP /* kernel accepts, bpfrt rejects */, LAX /* bpfrt accepts, kernel rejects */ };

struct verdicts {
	int k, b;   /* load results: 1 accepted, else -errno */
	enum cls cls;
	char kmsg[MSG_SIZE], bmsg[MSG_SIZE]; /* disagreements: the rejecting side's first line */
	char key[KEY_SIZE];
};

/* bpfrt refuses a malformed instruction anywhere (src/isa/check.c), the
 * kernel only on a path it verifies.  For a bpfrt message "insn N: ...",
 * does the kernel ever reach insn N?  Replace it by an instruction that
 * the kernel refuses only when it reaches it: accepted means unreachable. */
static bool unreachable(const struct vs_prog *p, const char *bmsg)
{
	static struct vs_prog t;
	char *end;
	if (!starts(bmsg, "insn "))
		return false;
	unsigned long i = strtoul(bmsg + 5, &end, 10);
	if (end == bmsg + 5 || *end != ':' || i >= p->cnt)
		return false;
	t = *p;
	bool wide = t.insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && i + 1 < t.cnt;
	/* a call to a helper that does not exist ("invalid func"), or as the
	 * last instruction an exit with dst_reg set ("BPF_EXIT uses reserved
	 * fields"): both refused only when reached, and the control flow graph
	 * (which the kernel checks for unreachable instructions) stays */
	const struct bpf_insn call = {.code = BPF_JMP | BPF_CALL, .imm = 0x7fff0000};
	const struct bpf_insn bad_exit = {.code = BPF_JMP | BPF_EXIT, .dst_reg = 1};
	const struct bpf_insn ja = {.code = BPF_JMP | BPF_JA};
	t.insns[i] = i + 1 == t.cnt ? bad_exit : call;
	if (wide)
		t.insns[i + 1] = i + 2 == t.cnt ? bad_exit : ja;
	return load(true, &t, false) > 0;
}

/* The instruction the kernel's log fails at (its last "N: (xx)" line). */
static long kernel_err_insn(const char *log)
{
	long last = -1;
	for (const char *l = log; l && *l;) {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%.*s", (int)strcspn(l, "\n"), l);
		if (insn_line(tmp))
			last = strtol(tmp, NULL, 10);
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return last;
}

/* Does bpfrt ever reach insn i (where the kernel fails)?  Replace it by a
 * store above the frame pointer, which bpfrt refuses only on a path it
 * verifies: accepted means bpfrt proves it unreachable (a branch it
 * decides that the kernel explores). */
static bool bpfrt_unreachable(const struct vs_prog *p, long i)
{
	static struct vs_prog t;
	if (i < 0 || (unsigned long)i >= p->cnt)
		return false;
	t = *p;
	bool wide = t.insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && (unsigned long)i + 1 < t.cnt;
	t.insns[i] = (struct bpf_insn){.code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10, .off = 8};
	if (wide)
		t.insns[i + 1] = (struct bpf_insn){.code = BPF_JMP | BPF_JA};
	return load(false, &t, false) > 0;
}

static void classify(const struct vs_prog *p, struct verdicts *v)
{
	v->k = load(true, p, false);
	v->b = load(false, p, false);
	v->kmsg[0] = v->bmsg[0] = v->key[0] = 0;
	if (v->k > 0 && v->b > 0) {
		v->cls = AGREE_ACCEPT;
		return;
	}
	if (v->k <= 0 && v->b <= 0) {
		v->cls = AGREE_REJECT;
		return;
	}
	char norm[KEY_SIZE - 40];
	if (v->k > 0) {
		v->cls = GAP;
		int r = load(false, p, true);
		bpfrt_msg(logbuf, r > 0 ? v->b : r, v->bmsg, sizeof(v->bmsg));
		normalise(v->bmsg, norm, sizeof(norm));
		snprintf(v->key, sizeof(v->key), "bpfrt-rejects | %s%s", unreachable(p, v->bmsg) ? "(unreachable) " : "",
			 norm);
	} else {
		v->cls = LAX;
		int r = load(true, p, true);
		kernel_msg(logbuf, r > 0 ? v->k : r, v->kmsg, sizeof(v->kmsg));
		normalise(v->kmsg, norm, sizeof(norm));
		snprintf(v->key, sizeof(v->key), "kernel-rejects | %s%s",
			 bpfrt_unreachable(p, kernel_err_insn(logbuf)) ? "(bpfrt: unreachable) " : "", norm);
	}
}

/* ---- reduction: delete instructions while the bucket stays ---------------- */

static bool is_jump(const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_EXIT &&
	       (op != BPF_CALL || (cls == BPF_JMP && in->src_reg == BPF_PSEUDO_CALL));
}

/* p without the instruction at i (both slots of an lddw), jumps fixed. */
static bool delete_insn(const struct vs_prog *p, uint32_t i, struct vs_prog *out)
{
	uint32_t w = p->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && i + 1 < p->cnt ? 2 : 1;
	if (p->cnt <= w + 1)
		return false;
	out->type = p->type;
	out->cnt = 0;
	for (uint32_t j = 0; j < p->cnt; j++) {
		bool wide = p->insns[j].code == (BPF_LD | BPF_IMM | BPF_DW) && j + 1 < p->cnt;
		if (j >= i && j < i + w)
			continue;
		struct bpf_insn x = p->insns[j];
		if (is_jump(&x)) {
			bool use_imm = BPF_OP(x.code) == BPF_CALL || (BPF_CLASS(x.code) == BPF_JMP32 && BPF_OP(x.code) == BPF_JA);
			int64_t t = (int64_t)j + 1 + (use_imm ? x.imm : x.off);
			int64_t nt = t >= (int64_t)(i + w) ? t - w : t > (int64_t)i ? (int64_t)i : t;
			int64_t nj = j > i ? (int64_t)j - w : (int64_t)j;
			int64_t off = nt - nj - 1;
			if (use_imm)
				x.imm = (int32_t)off;
			else if (off < INT16_MIN || off > INT16_MAX)
				return false;
			else
				x.off = (int16_t)off;
		}
		out->insns[out->cnt++] = x;
		if (wide) {
			out->insns[out->cnt++] = p->insns[++j];
		}
	}
	return true;
}

static void reduce(struct vs_prog *p, const char *key)
{
	static struct vs_prog t;
	struct verdicts v;
	int tries = 0;
	bool progress = true;
	while (progress && tries < REDUCE_TRIES) {
		progress = false;
		/* instruction starts, from the end */
		uint32_t starts_[VS_MAX_INSNS], n = 0;
		for (uint32_t i = 0; i < p->cnt; i++) {
			starts_[n++] = i;
			if (p->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW))
				i++;
		}
		for (uint32_t k = n; k-- > 0 && tries < REDUCE_TRIES;) {
			if (starts_[k] >= p->cnt || !delete_insn(p, starts_[k], &t) || skip_prog(&t))
				continue;
			tries++;
			classify(&t, &v);
			if ((v.cls == GAP || v.cls == LAX) && !strcmp(v.key, key)) {
				*p = t;
				progress = true;
			}
		}
	}
}

/* ---- buckets ------------------------------------------------------------------ */

struct bucket {
	char key[KEY_SIZE];
	enum cls cls;
	uint64_t count;
	uint64_t seed, idx;
	int mutant;
	char msg[MSG_SIZE]; /* the example's message */
	struct vs_prog ex;   /* the smallest program seen */
	bool listed;
};

static struct bucket *buckets;
static int nbuckets;

struct known {
	char key[KEY_SIZE];
	bool prefix;
};
static struct known *known;
static int nknown;

static void read_known(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "verdict_diff: %s: %s (no allow-list)\n", path, strerror(errno));
		return;
	}
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		char *c = strstr(line, " #");
		if (line[0] == '#')
			continue;
		if (c)
			*c = 0;
		size_t n = strlen(line);
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = 0;
		if (!n)
			continue;
		known = realloc(known, sizeof(*known) * (size_t)(nknown + 1));
		struct known *k = &known[nknown++];
		k->prefix = strchr(line, '*') != NULL; /* a pattern */
		snprintf(k->key, sizeof(k->key), "%.*s", (int)sizeof(k->key) - 1, line);
	}
	fclose(f);
}

static bool is_known(const char *key)
{
	for (int i = 0; i < nknown; i++)
		if (known[i].prefix ? !fnmatch(known[i].key, key, FNM_NOESCAPE) : !strcmp(key, known[i].key))
			return true;
	return false;
}

static void add(const struct verdicts *v, const struct vs_prog *p, uint64_t seed, uint64_t idx, int mutant)
{
	struct bucket *b = NULL;
	for (int i = 0; i < nbuckets; i++)
		if (!strcmp(buckets[i].key, v->key))
			b = &buckets[i];
	if (!b) {
		buckets = realloc(buckets, sizeof(*buckets) * (size_t)(nbuckets + 1));
		b = &buckets[nbuckets++];
		memset(b, 0, sizeof(*b));
		snprintf(b->key, sizeof(b->key), "%s", v->key);
		b->cls = v->cls;
		b->listed = is_known(v->key);
		b->ex.cnt = UINT32_MAX;
	}
	b->count++;
	if (p->cnt < b->ex.cnt) {
		b->ex = *p;
		b->seed = seed, b->idx = idx, b->mutant = mutant;
		snprintf(b->msg, sizeof(b->msg), "%s", v->cls == GAP ? v->bmsg : v->kmsg);
	}
}

static int cmp_bucket(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* The example as a corpus file: vs_print's header (type, maps) with the
 * kernel's verdict, then the assembly. */
static void print_example(const struct vs_prog *p, bool kernel_ok, const char *indent)
{
	char *text = print_prog(p);
	if (!text)
		return;
	for (char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		if (starts(l, "# expect:"))
			printf("%s# expect: %s\n", indent, kernel_ok ? "accept" : "reject");
		else if (!starts(l, "# unsafe:") && !starts(l, "# why:"))
			printf("%s%.*s\n", indent, (int)n, l);
		l += n;
		if (*l)
			l++;
	}
	free(text);
}

static void replay_line(const char *argv0, uint64_t seed, uint64_t idx, int mutant)
{
	printf("BPFRT_SEED=%" PRIu64 " BPFRT_VDIFF_ONLY=%" PRIu64, seed, idx);
	if (mutant >= 0)
		printf(" BPFRT_VDIFF_MUTANT=%d", mutant);
	printf(" %s", argv0);
}

/* ---- main --------------------------------------------------------------------- */

static void print_log_tail(const char *who, int r)
{
	size_t n = strlen(logbuf);
	const char *s = n > 3000 ? logbuf + n - 3000 : logbuf;
	printf("--- %s: %s%s\n", who, r > 0 ? "accepted" : "rejected: ", r > 0 ? "" : strerrorname_np(-r));
	if (r <= 0)
		printf("%s%s", s, n && logbuf[n - 1] != '\n' ? "\n" : "");
}

static int replay(uint64_t seed, uint64_t idx, int mutant)
{
	static struct vs_prog p;
	make_prog(seed, idx, mutant, &p);
	printf("verdict_diff: seed %" PRIu64 ", program %" PRIu64 ", mutant %d%s\n", seed, idx, mutant,
	       skip_prog(&p) ? " (skipped by the sweep: map reference)" : "");
	struct verdicts v;
	classify(&p, &v);
	print_example(&p, v.k > 0, "");
	int r = load(true, &p, true);
	print_log_tail("kernel", r > 0 ? 1 : r);
	r = load(false, &p, true);
	print_log_tail("bpfrt", r > 0 ? 1 : r);
	static const char *names[] = {"agree-accept", "agree-reject", "kernel-accepts-bpfrt-rejects",
				      "bpfrt-accepts-kernel-rejects"};
	printf("verdict: %s%s%s\n", names[v.cls], v.key[0] ? ": " : "", v.key);
	if (v.key[0])
		printf("allow-listed: %s\n", is_known(v.key) ? "yes" : "no");
	return 0;
}

/* BPFRT_VDIFF_FILE: an example as printed (corpus format: "# type:"
 * header, LLVM assembly), classified like a generated program. */
static int replay_file(const char *path)
{
	static const struct {
		const char *name;
		uint32_t type;
	} types[] = {
		{"socket_filter", BPF_PROG_TYPE_SOCKET_FILTER}, {"sched_cls", BPF_PROG_TYPE_SCHED_CLS},
		{"sched_act", BPF_PROG_TYPE_SCHED_ACT},         {"xdp", BPF_PROG_TYPE_XDP},
		{"tracepoint", BPF_PROG_TYPE_TRACEPOINT},       {"raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT},
		{"kprobe", BPF_PROG_TYPE_KPROBE},               {"perf_event", BPF_PROG_TYPE_PERF_EVENT},
		{"syscall", BPF_PROG_TYPE_SYSCALL},
	};
	static struct vs_prog p;
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 2;
	}
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	const char *t = strstr(text, "# type: ");
	p.type = UINT32_MAX;
	for (size_t i = 0; t && i < sizeof(types) / sizeof(types[0]); i++)
		if (starts(t + 8, types[i].name) && isspace((unsigned char)t[8 + strlen(types[i].name)]))
			p.type = types[i].type;
	struct bpf_insn *insns = NULL;
	uint32_t cnt = 0;
	struct bpfrt_diag diag;
	memset(&diag, 0, sizeof(diag));
	if (p.type == UINT32_MAX || bpfrt_asm(text, BPFRT_SYNTAX_LLVM, &insns, &cnt, &diag) || cnt > VS_MAX_INSNS) {
		fprintf(stderr, "%s: no '# type:', or line %u: %s\n", path, diag.line, diag.msg);
		return 2;
	}
	memcpy(p.insns, insns, cnt * sizeof(*insns));
	p.cnt = cnt;
	free(insns);
	struct verdicts v;
	classify(&p, &v);
	int r = load(true, &p, true);
	print_log_tail("kernel", r > 0 ? 1 : r);
	r = load(false, &p, true);
	print_log_tail("bpfrt", r > 0 ? 1 : r);
	printf("verdict: %s\n", v.key[0] ? v.key : v.cls == AGREE_ACCEPT ? "agree-accept" : "agree-reject");
	return 0;
}

static bool kernel_available(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	int fd = kernel_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0) {
		errno = -fd;
		return false;
	}
	close(fd);
	return true;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	return s && *s ? strtoull(s, NULL, 0) : def;
}

int main(int argc, char **argv)
{
	bool report = false;
	const char *known_path = getenv("BPFRT_VDIFF_KNOWN") ? getenv("BPFRT_VDIFF_KNOWN") : VDIFF_KNOWN;
	uint64_t seeds[64];
	int nseeds = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--report"))
			report = true;
		else if (!strcmp(argv[i], "--known") && i + 1 < argc)
			known_path = argv[++i];
		else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: verdict_diff [--report] [--known FILE] [SEED...]\n");
			return 2;
		} else if (nseeds < 64)
			seeds[nseeds++] = strtoull(argv[i], NULL, 0);
	}
	if (!nseeds && getenv("BPFRT_SEED"))
		seeds[nseeds++] = env_u64("BPFRT_SEED", 1);
	if (!nseeds)
		seeds[nseeds++] = 1;
	uint64_t count = env_u64("BPFRT_VDIFF_COUNT", 5000);
	int mutants = (int)env_u64("BPFRT_VDIFF_MUTANTS", 3);
	bool do_reduce = env_u64("BPFRT_VDIFF_REDUCE", 1) != 0;

	if (!kernel_available()) {
		printf("verdict_diff: bpf() is not available here (%s); skipped\n", strerror(errno));
		return 77;
	}
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
	setrlimit(RLIMIT_MEMLOCK, &rl);
	logbuf = malloc(LOG_SIZE);
	rt = bpfrt_new(NULL);
	if (!logbuf || !rt) {
		perror("verdict_diff: bpfrt_new");
		return 2;
	}
	if (parse_maps()) {
		fprintf(stderr, "verdict_diff: cannot read the maps from vs_print's header\n");
		return 2;
	}
	if (create_maps(true) || create_maps(false))
		return 2;
	read_known(known_path);

	if (getenv("BPFRT_VDIFF_FILE"))
		return replay_file(getenv("BPFRT_VDIFF_FILE"));
	if (getenv("BPFRT_VDIFF_ONLY"))
		return replay(seeds[0], env_u64("BPFRT_VDIFF_ONLY", 0),
			      getenv("BPFRT_VDIFF_MUTANT") ? (int)strtol(getenv("BPFRT_VDIFF_MUTANT"), NULL, 0) : -1);

	uint64_t n[4] = {0}, skipped = 0, total = 0;
	time_t t0 = time(NULL);
	static struct vs_prog p;
	for (int si = 0; si < nseeds; si++) {
		uint64_t seed = seeds[si];
		printf("verdict_diff: seed %" PRIu64 ", %" PRIu64 " programs + %d mutants of each accepted one "
		       "(replay: BPFRT_SEED=%" PRIu64 " %s)\n",
		       seed, count, mutants, seed, argv[0]);
		fflush(stdout);
		for (uint64_t i = 0; i < count; i++) {
			bool any_ok = false;
			for (int m = -1; m < (m < 0 || any_ok ? mutants : 0); m++) {
				make_prog(seed, i, m, &p);
				total++;
				if (skip_prog(&p)) {
					skipped++;
					continue;
				}
				struct verdicts v;
				classify(&p, &v);
				n[v.cls]++;
				if (m < 0)
					any_ok = v.k > 0 || v.b > 0;
				if (v.cls == GAP || v.cls == LAX)
					add(&v, &p, seed, i, m);
			}
			if ((i + 1) % 20000 == 0) {
				printf("verdict_diff: progress seed %" PRIu64 " %" PRIu64 "/%" PRIu64 ": %" PRIu64
				       " loads, %" PRIu64 " gap, %" PRIu64 " lax, %d buckets, %lds\n",
				       seed, i + 1, count, total, n[GAP], n[LAX], nbuckets, (long)(time(NULL) - t0));
				fflush(stdout);
			}
		}
	}
	long secs = (long)(time(NULL) - t0);

	qsort(buckets, (size_t)nbuckets, sizeof(*buckets), cmp_bucket);
	int unlisted = 0;
	for (int i = 0; i < nbuckets; i++)
		unlisted += !buckets[i].listed;

	printf("\nverdict_diff: %" PRIu64 " programs (%" PRIu64 " skipped: map references), %lds\n", total, skipped,
	       secs);
	printf("  agree-accept                    %10" PRIu64 "\n", n[AGREE_ACCEPT]);
	printf("  agree-reject                    %10" PRIu64 "\n", n[AGREE_REJECT]);
	printf("  kernel-accepts-bpfrt-rejects    %10" PRIu64 "  (permissiveness gap)\n", n[GAP]);
	printf("  bpfrt-accepts-kernel-rejects    %10" PRIu64 "  (unsound, or bpfrt more precise)\n", n[LAX]);
	printf("\n%-8s %-6s %s\n", "count", "known", "bucket");
	for (int i = 0; i < nbuckets; i++)
		printf("%-8" PRIu64 " %-6s %s\n", buckets[i].count, buckets[i].listed ? "yes" : "NEW", buckets[i].key);

	for (int i = 0; i < nbuckets; i++) {
		struct bucket *b = &buckets[i];
		uint32_t before = b->ex.cnt;
		if (do_reduce)
			reduce(&b->ex, b->key);
		printf("\n=== [%d] %s%s (%" PRIu64 ")\n", i + 1, b->listed ? "" : "NEW: ", b->key, b->count);
		printf("    %s: %s\n", b->cls == GAP ? "bpfrt" : "kernel", b->msg);
		/* the reduced example's messages */
		struct verdicts v;
		classify(&b->ex, &v);
		if (v.cls == GAP || v.cls == LAX) {
			char km[MSG_SIZE], bm[MSG_SIZE];
			int r = load(true, &b->ex, true);
			if (r > 0)
				snprintf(km, sizeof(km), "accepted");
			else
				kernel_msg(logbuf, r, km, sizeof(km));
			r = load(false, &b->ex, true);
			if (r > 0)
				snprintf(bm, sizeof(bm), "accepted");
			else
				bpfrt_msg(logbuf, r, bm, sizeof(bm));
			printf("    example (%u insns, reduced from %u): kernel: %s; bpfrt: %s\n", b->ex.cnt, before, km, bm);
		}
		printf("    first smallest: ");
		replay_line(argv[0], b->seed, b->idx, b->mutant);
		printf("\n");
		print_example(&b->ex, b->cls == GAP, "    ");
	}
	printf("\nverdict_diff: %" PRIu64 " disagreements in %d buckets, %d not in %s\n", n[GAP] + n[LAX], nbuckets,
	       unlisted, known_path);
	if (unlisted) {
		printf("verdict_diff: FAIL: new buckets (add them to the allow-list with the reason, or fix the verifier); "
		       "replay each with the command printed above; whole run: ");
		for (int si = 0; si < nseeds; si++)
			printf("%sBPFRT_SEED=%" PRIu64 " BPFRT_VDIFF_COUNT=%" PRIu64 " %s", si ? "; " : "", seeds[si],
			       count, argv[0]);
		printf("\n");
	}
	bpfrt_free(rt);
	free(buckets);
	free(known);
	free(logbuf);
	if (report)
		return 0;
	return unlisted ? 1 : 0;
}
