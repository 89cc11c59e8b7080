/* cmd_net.c — `bpfrt net ...`: `net run` (this file) runs an XDP or tc
 * program on every packet of a capture; `net attach` (cmd_net_attach.c)
 * runs one on live interfaces.
 *
 *   net run { xdp | tc } PROG pcap IN [out OUT] [verdicts V,V...] [workers N]
 *           [repeat N] [ifindex N]
 *
 * The capture (pcap or pcapng, Ethernet) is read into memory, split into
 * one contiguous share per worker (a thread with its own frame runner and
 * CPU identity, hooks/xdp.h), run `repeat` times; frames whose verdict is
 * in `verdicts` (XDP: tx,pass by default; tc: ok) are written to OUT after
 * the program's rewrites, in capture order, from the first pass only.
 * Prints verdict counts, redirect targets, faults, packets/s of wall clock
 * and the workers' CPU time per packet (-j: JSON).
 */
#define _GNU_SOURCE
#include "tools/bpfrt/cli.h"

#include "bpfrt/object.h"
#include "hooks/pcap_io.h"
#include "hooks/xdp.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/pkt_cls.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* `net attach` lives in cmd_net_attach.c (weak: the dispatcher builds
 * without it). */
int cmd_net_attach(struct cli *cli, int argc, char **argv) __attribute__((weak));

#define NET_MAX_WORKERS 64
#define NET_REDIR_SLOTS 16
/* Verdict slots: XDP's enum xdp_action 0..4; tc's TC_ACT_* -1..7 stored at +1. */
#define NET_VERDICTS 9

static const char *const xdp_names[NET_VERDICTS] = {"aborted", "drop", "pass", "tx", "redirect"};
static const char *const tc_names[NET_VERDICTS] = {"unspec", "ok",     "reclassify", "shot",    "pipe",
						   "stolen", "queued", "repeat",     "redirect"};

struct net_args {
	uint32_t type; /* BPF_PROG_TYPE_XDP or _SCHED_CLS */
	int prog_at;
	const char *file, *prog; /* file OBJ [prog NAME] */
	const char *in, *out;
	uint32_t write_mask; /* verdict slots written to OUT */
	uint32_t workers;
	uint64_t repeat;
	uint32_t ifindex;
};

struct net_stats {
	uint64_t packets, bytes, skipped, faults, other;
	uint64_t verdicts[NET_VERDICTS];
	uint32_t redir_ifindex[NET_REDIR_SLOTS];
	uint64_t redir_count[NET_REDIR_SLOTS];
	uint64_t redir_more; /* targets past the table */
};

struct net_out_rec {
	size_t pkt; /* capture index (its timestamp) */
	uint64_t off;
	uint32_t len;
};

struct net_worker {
	const struct net_args *a;
	const struct bpfrt_capture *cap;
	struct bpfrt_pkt_runner runner;
	size_t lo, hi; /* capture share */
	struct net_stats st;
	uint64_t cpu_ns; /* the thread's CPU time running its share */
	char fault[320]; /* the first fault, for the report */
	/* Frames to write, in order. */
	uint8_t *bytes;
	size_t size, cap_bytes;
	struct net_out_rec *recs;
	size_t nrecs, cap_recs;
	int oom;
};

static const char *const *names_of(uint32_t type)
{
	return type == BPF_PROG_TYPE_XDP ? xdp_names : tc_names;
}

/* The verdict's slot, or -1 for a value outside the type's set. */
static int verdict_slot(uint32_t type, uint32_t v)
{
	if (type == BPF_PROG_TYPE_XDP)
		return v <= XDP_REDIRECT ? (int)v : -1;
	int32_t s = (int32_t)v;
	return s >= TC_ACT_UNSPEC && s <= TC_ACT_REDIRECT ? s + 1 : -1;
}

static int parse_verdicts(const struct cli *cli, uint32_t type, const char *list, uint32_t *mask)
{
	const char *const *names = names_of(type);
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		return cli_error(cli, "out of memory");
	*mask = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int k = 0;
		while (k < NET_VERDICTS && !(names[k] && !strcmp(names[k], t)))
			k++;
		if (k == NET_VERDICTS) {
			int rc = cli_error(cli, "verdicts: '%s' is not a %s verdict (%s)", t,
					   type == BPF_PROG_TYPE_XDP ? "XDP" : "tc",
					   type == BPF_PROG_TYPE_XDP
						   ? "aborted, drop, pass, tx, redirect"
						   : "unspec, ok, reclassify, shot, pipe, stolen, queued, repeat, redirect");
			free(copy);
			return rc;
		}
		*mask |= 1u << k;
	}
	free(copy);
	if (!*mask)
		return cli_error(cli, "verdicts: expected a list such as 'tx,pass'");
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"Usage: bpfrt net run { xdp | tc } PROG pcap FILE [out FILE] [verdicts V,V...] [workers N]\n"
		"                     [repeat N] [ifindex N]\n"
		"       bpfrt net attach xdp PROG dev IFACE ...\n"
		"       PROG := { id PROG_ID | pinned FILE | name PROG_NAME | file OBJ [prog NAME] }\n"
		"       V := xdp: { aborted | drop | pass | tx | redirect } (default tx,pass)\n"
		"            tc: { unspec | ok | reclassify | shot | pipe | stolen | queued | repeat | redirect } (default ok)\n");
	return 255;
}

static int parse_num(const struct cli *cli, const char *kw, int *i, int argc, char **argv, uint64_t lo, uint64_t hi,
		     uint64_t *v)
{
	if (++*i >= argc || cli_parse_u64(argv[*i], v) || *v < lo || *v > hi)
		return cli_error(cli, "'%s' needs a number from %" PRIu64 " to %" PRIu64 ", got '%s'", kw, lo, hi,
				 *i < argc ? argv[*i] : "");
	return 0;
}

static int parse_prog_words(const struct cli *cli, int *i, int argc, char **argv, struct net_args *a)
{
	if (*i >= argc)
		return cli_error(cli, "expected PROG (id ID | pinned FILE | name NAME | file OBJ [prog NAME])");
	const char *kw = argv[*i];
	if (strcmp(kw, "id") && strcmp(kw, "pinned") && strcmp(kw, "name") && strcmp(kw, "file"))
		return cli_error(cli, "expected 'id', 'name', 'pinned' or 'file', got: '%s'?", kw);
	if (*i + 1 >= argc)
		return cli_error(cli, "'%s' needs an argument", kw);
	a->prog_at = *i;
	if (!strcmp(kw, "file"))
		a->file = argv[*i + 1];
	*i += 2;
	if (a->file && *i < argc && !strcmp(argv[*i], "prog")) {
		if (*i + 1 >= argc)
			return cli_error(cli, "'prog' needs a program NAME");
		a->prog = argv[*i + 1];
		*i += 2;
	}
	if (a->file && access(a->file, R_OK))
		return cli_error(cli, "can't open '%s': %s", a->file, strerror(errno));
	if (a->file && !cli_is_elf(a->file))
		return cli_error(cli, "'%s' is not an ELF object (net run needs a clang-compiled program)", a->file);
	return 0;
}

static int parse_args(const struct cli *cli, int argc, char **argv, struct net_args *a)
{
	if (argc < 1)
		return usage();
	if (!strcmp(argv[0], "xdp") || !strcmp(argv[0], "xdpgeneric"))
		a->type = BPF_PROG_TYPE_XDP;
	else if (!strcmp(argv[0], "tc"))
		a->type = BPF_PROG_TYPE_SCHED_CLS;
	else
		return cli_error(cli, "'net run' runs 'xdp' or 'tc' programs, got '%s'", argv[0]);
	a->workers = 1;
	a->repeat = 1;
	a->ifindex = 1;
	a->write_mask = a->type == BPF_PROG_TYPE_XDP ? (1u << XDP_TX | 1u << XDP_PASS) : 1u << (TC_ACT_OK + 1);
	int i = 1, err = parse_prog_words(cli, &i, argc, argv, a);
	if (err)
		return err;
	for (; i < argc; i++) {
		const char *kw = argv[i];
		uint64_t v;
		if (!strcmp(kw, "pcap") || !strcmp(kw, "out")) {
			if (++i >= argc || !argv[i][0])
				return cli_error(cli, "'%s' needs a FILE argument", kw);
			*(!strcmp(kw, "pcap") ? &a->in : &a->out) = argv[i];
		} else if (!strcmp(kw, "verdicts")) {
			if (++i >= argc)
				return cli_error(cli, "'verdicts' needs a list such as 'tx,pass'");
			if ((err = parse_verdicts(cli, a->type, argv[i], &a->write_mask)))
				return err;
		} else if (!strcmp(kw, "workers")) {
			if ((err = parse_num(cli, kw, &i, argc, argv, 1, NET_MAX_WORKERS, &v)))
				return err;
			a->workers = (uint32_t)v;
		} else if (!strcmp(kw, "repeat")) {
			if ((err = parse_num(cli, kw, &i, argc, argv, 1, 1000000, &a->repeat)))
				return err;
		} else if (!strcmp(kw, "ifindex")) {
			if ((err = parse_num(cli, kw, &i, argc, argv, 1, INT32_MAX, &v)))
				return err;
			a->ifindex = (uint32_t)v;
		} else {
			return cli_error(cli, "unknown keyword '%s' (expected pcap, out, verdicts, workers, repeat, ifindex)",
					 kw);
		}
	}
	if (!a->in)
		return cli_error(cli, "'net run' needs 'pcap FILE'");
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 4096;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static void keep_frame(struct net_worker *w, size_t pkt, const struct bpfrt_pkt_result *res)
{
	if (w->oom || grow((void **)&w->bytes, &w->cap_bytes, w->size + res->len, 1) ||
	    grow((void **)&w->recs, &w->cap_recs, w->nrecs + 1, sizeof(*w->recs))) {
		w->oom = 1;
		return;
	}
	memcpy(w->bytes + w->size, res->data, res->len);
	w->recs[w->nrecs++] = (struct net_out_rec){.pkt = pkt, .off = w->size, .len = res->len};
	w->size += res->len;
}

static void count_redirect(struct net_stats *st, uint32_t ifindex, uint64_t n)
{
	for (int k = 0; k < NET_REDIR_SLOTS; k++) {
		if (st->redir_count[k] && st->redir_ifindex[k] != ifindex)
			continue;
		st->redir_ifindex[k] = ifindex;
		st->redir_count[k] += n;
		return;
	}
	st->redir_more += n;
}

/* One packet's accounting; keep says whether its frame goes to OUT. */
static void account(struct net_worker *w, size_t pkt, const struct bpfrt_pkt_result *res, bool keep)
{
	struct net_stats *st = &w->st;
	uint32_t type = w->a->type;
	if (res->err) {
		if (!st->faults++)
			snprintf(w->fault, sizeof(w->fault), "packet %zu: %s", pkt + 1, w->runner.diag.msg);
	}
	int slot = verdict_slot(type, res->verdict);
	if (slot < 0) {
		st->other++;
		return;
	}
	st->verdicts[slot]++;
	if ((type == BPF_PROG_TYPE_XDP && res->verdict == XDP_REDIRECT) ||
	    (type != BPF_PROG_TYPE_XDP && res->verdict == (uint32_t)TC_ACT_REDIRECT))
		count_redirect(st, res->redirect.ifindex, 1);
	if (keep && (w->a->write_mask >> slot & 1))
		keep_frame(w, pkt, res);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *worker_main(void *arg)
{
	struct net_worker *w = arg;
	uint64_t t0 = thread_cpu_ns();
	const struct bpfrt_capture *cap = w->cap;
	const struct bpfrt_pkt_meta meta = {.ingress_ifindex = w->a->ifindex};
	bool want_out = w->a->out != NULL;
	for (uint64_t round = 0; round < w->a->repeat; round++) {
		for (size_t k = w->lo; k < w->hi; k++) {
			const struct bpfrt_capture_pkt *p = &cap->pkts[k];
			/* A capture is read once, front to back: start fetching
			 * a later packet while this one runs. */
			if (k + 4 < w->hi) {
				const uint8_t *next = cap->bytes + cap->pkts[k + 4].off;
				__builtin_prefetch(next);
				__builtin_prefetch(next + 64);
			}
			struct bpfrt_pkt_result res;
			if (bpfrt_pkt_run(&w->runner, cap->bytes + p->off, p->len, &meta, &res)) {
				w->st.skipped++;
				continue;
			}
			w->st.packets++;
			w->st.bytes += p->len;
			account(w, k, &res, want_out && round == 0);
		}
	}
	w->cpu_ns = thread_cpu_ns() - t0;
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void merge(struct net_stats *t, const struct net_stats *s, uint64_t *cpu_ns, uint64_t w_cpu_ns)
{
	*cpu_ns += w_cpu_ns;
	t->packets += s->packets;
	t->bytes += s->bytes;
	t->skipped += s->skipped;
	t->faults += s->faults;
	t->other += s->other;
	for (int k = 0; k < NET_VERDICTS; k++)
		t->verdicts[k] += s->verdicts[k];
	for (int k = 0; k < NET_REDIR_SLOTS && s->redir_count[k]; k++)
		count_redirect(t, s->redir_ifindex[k], s->redir_count[k]);
	t->redir_more += s->redir_more;
}

static int write_out(const struct cli *cli, const struct net_args *a, const struct bpfrt_capture *cap,
		     struct net_worker *w, uint32_t n, uint64_t *written)
{
	char err[512];
	struct bpfrt_pcap_out *o = bpfrt_pcap_out_open(a->out, err, sizeof(err));
	if (!o)
		return cli_error(cli, "can't write the capture: %s", err);
	for (uint32_t t = 0; t < n; t++)
		for (size_t k = 0; k < w[t].nrecs; k++) {
			const struct net_out_rec *r = &w[t].recs[k];
			bpfrt_pcap_out_write(o, w[t].bytes + r->off, r->len, cap->pkts[r->pkt].ts_ns);
			(*written)++;
		}
	if (bpfrt_pcap_out_close(o, err, sizeof(err)))
		return cli_error(cli, "%s: %s", a->out, err);
	return 0;
}

static void print_text(const struct net_args *a, const struct net_stats *st, uint64_t ns, uint64_t cpu_ns,
		       uint32_t workers, const char *engine, uint64_t written)
{
	const char *const *names = names_of(a->type);
	double secs = (double)ns / 1e9, pps = secs > 0 ? (double)st->packets / secs : 0;
	printf("packets %" PRIu64 " (%" PRIu64 " bytes) in %.3f s: %.2f Mpps, %u worker%s, engine %s\n", st->packets,
	       st->bytes, secs, pps / 1e6, workers, workers == 1 ? "" : "s", engine);
	/* The workers' CPU time: what a packet costs, whatever else the
	 * machine runs (wall-clock Mpps also count time waiting for a CPU). */
	if (st->packets && cpu_ns)
		printf("cpu: %.3f s in the workers, %.1f ns per packet (%.2f Mpps per core)\n", (double)cpu_ns / 1e9,
		       (double)cpu_ns / (double)st->packets, (double)st->packets * 1e3 / (double)cpu_ns);
	printf("verdicts:");
	for (int k = 0; k < NET_VERDICTS; k++)
		if (names[k] && (st->verdicts[k] || a->type == BPF_PROG_TYPE_XDP || k == TC_ACT_OK + 1 ||
				 k == TC_ACT_SHOT + 1))
			printf(" %s %" PRIu64, names[k], st->verdicts[k]);
	if (st->other)
		printf(" other %" PRIu64, st->other);
	printf("\n");
	if (st->faults)
		printf("faults: %" PRIu64 " (counted as %s)\n", st->faults,
		       a->type == BPF_PROG_TYPE_XDP ? "aborted" : "shot");
	if (st->skipped)
		printf("skipped: %" PRIu64 " (shorter than 14 or longer than %u bytes)\n", st->skipped,
		       BPFRT_PKT_MAX_LEN);
	for (int k = 0; k < NET_REDIR_SLOTS && st->redir_count[k]; k++)
		printf("redirect ifindex %u: %" PRIu64 "\n", st->redir_ifindex[k], st->redir_count[k]);
	if (st->redir_more)
		printf("redirect to other ifindexes: %" PRIu64 "\n", st->redir_more);
	if (a->out)
		printf("written: %" PRIu64 " packets to %s\n", written, a->out);
}

static void print_json(const struct cli *cli, const struct net_args *a, const struct net_stats *st, uint64_t ns,
		       uint64_t cpu_ns, uint32_t workers, const char *engine, uint64_t written)
{
	const char *const *names = names_of(a->type);
	struct cli_json w;
	cli_json_init(&w, cli);
	cli_json_start_object(&w);
	cli_json_name(&w, "type");
	cli_json_string(&w, a->type == BPF_PROG_TYPE_XDP ? "xdp" : "tc");
	cli_json_name(&w, "packets");
	cli_json_uint(&w, st->packets);
	cli_json_name(&w, "bytes");
	cli_json_uint(&w, st->bytes);
	cli_json_name(&w, "verdicts");
	cli_json_start_object(&w);
	for (int k = 0; k < NET_VERDICTS; k++)
		if (names[k]) {
			cli_json_name(&w, names[k]);
			cli_json_uint(&w, st->verdicts[k]);
		}
	cli_json_name(&w, "other");
	cli_json_uint(&w, st->other);
	cli_json_end_object(&w);
	cli_json_name(&w, "faults");
	cli_json_uint(&w, st->faults);
	cli_json_name(&w, "skipped");
	cli_json_uint(&w, st->skipped);
	cli_json_name(&w, "redirect");
	cli_json_start_array(&w);
	for (int k = 0; k < NET_REDIR_SLOTS && st->redir_count[k]; k++) {
		cli_json_start_object(&w);
		cli_json_name(&w, "ifindex");
		cli_json_uint(&w, st->redir_ifindex[k]);
		cli_json_name(&w, "packets");
		cli_json_uint(&w, st->redir_count[k]);
		cli_json_end_object(&w);
	}
	cli_json_end_array(&w);
	cli_json_name(&w, "written");
	cli_json_uint(&w, written);
	cli_json_name(&w, "workers");
	cli_json_uint(&w, workers);
	cli_json_name(&w, "engine");
	cli_json_string(&w, engine);
	cli_json_name(&w, "duration_ns");
	cli_json_uint(&w, ns);
	cli_json_name(&w, "cpu_ns");
	cli_json_uint(&w, cpu_ns);
	cli_json_name(&w, "pps");
	cli_json_uint(&w, ns ? (uint64_t)((double)st->packets * 1e9 / (double)ns) : 0);
	cli_json_end_object(&w);
	cli_json_end(&w);
}

/* The program's type must be the one asked for (a tc program can't run as XDP). */
static int check_type(const struct cli *cli, struct bpfrt *rt, int fd, const struct net_args *a)
{
	struct bpf_prog_info info;
	memset(&info, 0, sizeof(info));
	union bpf_attr at;
	memset(&at, 0, sizeof(at));
	at.info.bpf_fd = (uint32_t)fd;
	at.info.info_len = sizeof(info);
	at.info.info = (uintptr_t)&info;
	int err = cli_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &at);
	if (err)
		return cli_error(cli, "can't read the program's info: %s", cli_strerror(err));
	bool ok = a->type == BPF_PROG_TYPE_XDP ? info.type == BPF_PROG_TYPE_XDP
					       : info.type == BPF_PROG_TYPE_SCHED_CLS || info.type == BPF_PROG_TYPE_SCHED_ACT;
	if (!ok) {
		const char *have = cli_prog_type_name(info.type);
		return cli_error(cli, "program '%s' is of type %s; 'net run %s' needs %s", info.name, have ? have : "unknown",
				 a->type == BPF_PROG_TYPE_XDP ? "xdp" : "tc",
				 a->type == BPF_PROG_TYPE_XDP ? "an xdp program" : "a sched_cls or sched_act program");
	}
	return 0;
}

static int run(const struct cli *cli, struct bpfrt *rt, int fd, const struct net_args *a)
{
	int rc = check_type(cli, rt, fd, a);
	if (rc)
		return rc;
	struct bpfrt_capture cap;
	char err[512];
	if (bpfrt_capture_load(&cap, a->in, err, sizeof(err)))
		return cli_error(cli, "can't read the capture: %s", err);
	uint32_t n = a->workers;
	if (n > cap.n)
		n = cap.n ? (uint32_t)cap.n : 1;
	struct net_worker *w = calloc(n, sizeof(*w));
	if (!w) {
		bpfrt_capture_free(&cap);
		return cli_error(cli, "out of memory");
	}
	uint32_t ready = 0, cpus = (uint32_t)sysconf(_SC_NPROCESSORS_CONF);
	for (; ready < n; ready++) {
		w[ready] = (struct net_worker){.a = a, .cap = &cap, .lo = cap.n * ready / n, .hi = cap.n * (ready + 1) / n};
		int e = bpfrt_pkt_runner_init(&w[ready].runner, rt, fd, (int)(ready % (cpus ? cpus : 1)));
		if (e) {
			rc = cli_error(cli, "can't prepare the program's run: %s", cli_strerror(e));
			goto out;
		}
	}
	pthread_t th[NET_MAX_WORKERS];
	uint64_t t0 = now_ns();
	uint32_t started = 0;
	for (; started + 1 < n; started++)
		if (pthread_create(&th[started], NULL, worker_main, &w[started + 1]))
			break;
	worker_main(&w[0]);
	for (uint32_t t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	uint64_t ns = now_ns() - t0;
	if (started + 1 < n)
		for (uint32_t t = started + 1; t < n; t++)
			worker_main(&w[t]);
	struct net_stats st = {0};
	uint64_t cpu_ns = 0;
	for (uint32_t t = 0; t < n; t++) {
		merge(&st, &w[t].st, &cpu_ns, w[t].cpu_ns);
		if (w[t].oom) {
			rc = cli_error(cli, "out of memory keeping the output frames");
			goto out;
		}
	}
	for (uint32_t t = 0; t < n; t++)
		if (w[t].fault[0]) {
			fprintf(stderr, "Warning: %" PRIu64 " run%s faulted; first: %s\n", st.faults, st.faults == 1 ? "" : "s",
				w[t].fault);
			break;
		}
	uint64_t written = 0;
	if (a->out && (rc = write_out(cli, a, &cap, w, n, &written)))
		goto out;
	const char *engine = bpfrt_engine_name(bpfrt_engine(rt));
	if (cli->json)
		print_json(cli, a, &st, ns, cpu_ns, n, engine, written);
	else
		print_text(a, &st, ns, cpu_ns, n, engine, written);
	rc = 0;
out:
	for (uint32_t t = 0; t < ready; t++)
		bpfrt_pkt_runner_fini(&w[t].runner);
	for (uint32_t t = 0; t < n; t++) {
		free(w[t].bytes);
		free(w[t].recs);
	}
	free(w);
	bpfrt_capture_free(&cap);
	return rc;
}

static int net_run(struct cli *cli, int argc, char **argv)
{
	struct net_args a = {0};
	int rc = parse_args(cli, argc, argv, &a);
	if (rc)
		return rc;
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	if (a.file) {
		struct bpfrt_object *obj = NULL;
		struct bpfrt_program *prog = NULL;
		rc = cli_object_open(cli, rt, a.file, a.prog, NULL, true, &obj, &prog);
		if (!rc)
			rc = run(cli, rt, bpfrt_program_fd(prog), &a);
		bpfrt_object_close(obj);
	} else {
		struct cli_objs objs;
		struct cli_obj **v = NULL;
		size_t n = 0;
		int i = a.prog_at;
		cli_objs_init(&objs, cli, rt);
		rc = cli_objs_parse(&objs, CLI_PROG, &i, argc, argv, false, &v, &n);
		if (!rc) {
			int fd = cli_obj_fd(&objs, v[0]);
			rc = fd < 0 ? cli_error(cli, "can't open the program: %s", cli_strerror(fd)) : run(cli, rt, fd, &a);
		}
		free(v);
		cli_objs_free(&objs);
	}
	bpfrt_free(rt);
	return rc;
}

int cmd_net(struct cli *cli, int argc, char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "help"))
		return usage();
	if (!strcmp(argv[0], "run"))
		return net_run(cli, argc - 1, argv + 1);
	if (!strcmp(argv[0], "attach")) {
		if (!cmd_net_attach)
			return cli_error(cli, "'net attach' is not built into this bpfrt");
		return cmd_net_attach(cli, argc - 1, argv + 1);
	}
	return cli_error(cli, "unknown command '%s' (expected run or attach)", argv[0]);
}
