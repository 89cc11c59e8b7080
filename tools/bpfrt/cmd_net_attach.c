/* cmd_net_attach.c — `bpfrt net attach xdp PROG dev IFACE [dev IFACE]...
 * [tap NAME] [workers N] [mode generic] [-q]`: run an XDP program on live
 * interfaces in the foreground (hooks/live.h) until SIGINT/SIGTERM, with a
 * status line each second on stderr and the final counters on stdout (-j:
 * JSON).
 *
 * PROG := id ID | pinned FILE | name NAME | file OBJ [prog NAME] | OBJ
 * [prog NAME] — bpftool's grammar plus bpfrt's on-the-fly ELF object.  The
 * attach type `xdp` (or `xdpgeneric`, the same thing here) comes first as
 * in bpftool; bpfrt's only mode is generic (AF_PACKET), so `xdpdrv`,
 * `xdpoffload` and `mode native|offload` are refused with the reason.
 *
 * Signals: SIGINT/SIGTERM are blocked in every thread and taken by the
 * main thread with sigtimedwait, whose one-second timeout is the status
 * line's clock: no handler, no global flag.
 */
#define _GNU_SOURCE
#include "tools/bpfrt/cli.h"

#include "bpfrt/object.h"
#include "hooks/live.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVS 16

static const char *const verdict_names[BPFRT_LIVE_VERDICTS] = {"aborted", "drop", "pass", "tx", "redirect"};

struct attach_args {
	int prog_at;        /* argv index of PROG's first word */
	const char *file;   /* PROG is an ELF object (file OBJ or a bare OBJ) */
	const char *prog;   /* prog NAME in it */
	const char *devs[MAX_DEVS];
	uint32_t nr_devs;
	const char *tap;
	uint32_t workers;
	bool quiet;
};

static int usage(const struct cli *cli)
{
	(void)cli;
	fprintf(stderr,
		"Usage: bpfrt net attach xdp PROG dev IFACE [dev IFACE]... [tap NAME] [workers N]\n"
		"                            [mode generic] [-q]\n"
		"       PROG := { id PROG_ID | pinned FILE | name PROG_NAME | [file] OBJ [prog NAME] }\n"
		"       frames read on each IFACE run PROG; XDP_TX sends back out of IFACE, XDP_REDIRECT\n"
		"       out of the interface it names, XDP_PASS into the TAP device NAME (else dropped)\n");
	return 255;
}

static int parse_attach_type(const struct cli *cli, const char *t)
{
	if (!strcmp(t, "xdp") || !strcmp(t, "xdpgeneric"))
		return 0;
	if (!strcmp(t, "xdpdrv") || !strcmp(t, "xdpoffload"))
		return cli_error(cli, "attach type '%s' needs the kernel's driver; bpfrt runs XDP in user space "
				      "on AF_PACKET (generic mode only: use 'xdp')", t);
	return cli_error(cli, "attach type '%s' is unknown: bpfrt net attach supports 'xdp'", t);
}

/* PROG's words at argv[*i]; the reference forms are resolved later by
 * cli_objs_parse, which reads them again from prog_at. */
static int parse_prog(const struct cli *cli, int *i, int argc, char **argv, struct attach_args *a)
{
	if (*i >= argc)
		return cli_error(cli, "expected PROG (id ID | pinned FILE | name NAME | file OBJ [prog NAME])");
	const char *kw = argv[*i];
	a->prog_at = *i;
	if (!strcmp(kw, "id") || !strcmp(kw, "pinned") || !strcmp(kw, "name") || !strcmp(kw, "file")) {
		if (*i + 1 >= argc)
			return cli_error(cli, "'%s' needs an argument", kw);
		if (!strcmp(kw, "file"))
			a->file = argv[*i + 1];
		*i += 2;
	} else if (!strcmp(kw, "dev")) {
		return cli_error(cli, "expected PROG before 'dev'");
	} else {
		a->file = kw; /* OBJ: a path to an ELF object */
		*i += 1;
	}
	if (a->file && *i < argc && !strcmp(argv[*i], "prog")) {
		if (*i + 1 >= argc)
			return cli_error(cli, "'prog' needs a program NAME");
		a->prog = argv[*i + 1];
		*i += 2;
	}
	if (a->file && !cli_is_elf(a->file))
		return access(a->file, R_OK) ? cli_error(cli, "can't open '%s': %s", a->file, strerror(errno))
					      : cli_error(cli, "'%s' is not an ELF object", a->file);
	return 0;
}

static int parse_options(const struct cli *cli, int i, int argc, char **argv, struct attach_args *a)
{
	for (; i < argc; i++) {
		const char *kw = argv[i];
		if (!strcmp(kw, "-q") || !strcmp(kw, "--quiet")) {
			a->quiet = true;
			continue;
		}
		if (strcmp(kw, "dev") && strcmp(kw, "tap") && strcmp(kw, "workers") && strcmp(kw, "mode"))
			return cli_error(cli, "unknown keyword '%s' (expected dev, tap, workers, mode or -q)", kw);
		if (i + 1 >= argc)
			return cli_error(cli, "'%s' needs an argument", kw);
		const char *v = argv[++i];
		if (!strcmp(kw, "dev")) {
			if (a->nr_devs == MAX_DEVS)
				return cli_error(cli, "at most %d devices", MAX_DEVS);
			a->devs[a->nr_devs++] = v;
		} else if (!strcmp(kw, "tap")) {
			a->tap = v;
		} else if (!strcmp(kw, "workers")) {
			uint64_t n;
			if (cli_parse_u64(v, &n) || !n || n > 1024)
				return cli_error(cli, "workers: '%s' is not a number of threads (1-1024)", v);
			a->workers = (uint32_t)n;
		} else if (strcmp(v, "generic") && strcmp(v, "skb")) {
			return cli_error(cli, "mode '%s': bpfrt runs XDP in user space on AF_PACKET; its only mode "
					      "is 'generic' (alias 'skb')", v);
		}
	}
	if (!a->nr_devs)
		return cli_error(cli, "'net attach' needs at least one 'dev IFACE'");
	return 0;
}

/* ---- output -------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void status_line(struct bpfrt_live *l, uint64_t *last_rx, bool tty)
{
	struct bpfrt_live_stats s;
	bpfrt_live_stats(l, &s);
	uint64_t pps = s.rx_packets - *last_rx;
	*last_rx = s.rx_packets;
	char errs[160] = "";
	uint64_t nerr = s.pass_dropped + s.redirect_errors + s.tx_errors + s.oversize + s.ring_drops + s.faults;
	if (nerr)
		snprintf(errs, sizeof(errs), "  | pass-dropped %" PRIu64 " redirect-err %" PRIu64 " tx-err %" PRIu64
					   " oversize %" PRIu64 " ring-drops %" PRIu64 " faults %" PRIu64,
			 s.pass_dropped, s.redirect_errors, s.tx_errors, s.oversize, s.ring_drops, s.faults);
	fprintf(stderr, "%srx %" PRIu64 " (%" PRIu64 " pps)  pass %" PRIu64 "  drop %" PRIu64 "  tx %" PRIu64
			"  redirect %" PRIu64 "  aborted %" PRIu64 "%s%s",
		tty ? "\r" : "", s.rx_packets, pps, s.packets[XDP_PASS], s.packets[XDP_DROP], s.packets[XDP_TX],
		s.packets[XDP_REDIRECT], s.packets[XDP_ABORTED], errs, tty ? "\033[K" : "\n");
	fflush(stderr);
}

static void json_pair(struct cli_json *w, const char *name, uint64_t packets, uint64_t bytes)
{
	cli_json_name(w, name);
	cli_json_start_object(w);
	cli_json_name(w, "packets");
	cli_json_uint(w, packets);
	cli_json_name(w, "bytes");
	cli_json_uint(w, bytes);
	cli_json_end_object(w);
}

static void final_json(const struct cli *cli, struct bpfrt_live *l, const struct bpfrt_live_stats *s, double secs)
{
	struct cli_json w;
	cli_json_init(&w, cli);
	cli_json_start_object(&w);
	cli_json_name(&w, "devices");
	cli_json_start_array(&w);
	int ifindex;
	const char *name;
	for (uint32_t i = 0; (name = bpfrt_live_dev_name(l, i, &ifindex)); i++) {
		cli_json_start_object(&w);
		cli_json_name(&w, "name");
		cli_json_string(&w, name);
		cli_json_name(&w, "ifindex");
		cli_json_uint(&w, (uint64_t)ifindex);
		cli_json_end_object(&w);
	}
	cli_json_end_array(&w);
	cli_json_name(&w, "tap");
	if (bpfrt_live_tap_name(l))
		cli_json_string(&w, bpfrt_live_tap_name(l));
	else
		cli_json_null(&w);
	cli_json_name(&w, "workers");
	cli_json_uint(&w, bpfrt_live_nr_workers(l));
	cli_json_name(&w, "duration_ms");
	cli_json_uint(&w, (uint64_t)(secs * 1000));
	json_pair(&w, "rx", s->rx_packets, s->rx_bytes);
	cli_json_name(&w, "verdicts");
	cli_json_start_object(&w);
	for (int v = 0; v < BPFRT_LIVE_VERDICTS; v++)
		json_pair(&w, verdict_names[v], s->packets[v], s->bytes[v]);
	cli_json_end_object(&w);
	const struct {
		const char *name;
		uint64_t v;
	} extra[] = {{"faults", s->faults},
		     {"bad_verdicts", s->bad_verdicts},
		     {"pass_dropped", s->pass_dropped},
		     {"redirect_errors", s->redirect_errors},
		     {"tx_errors", s->tx_errors},
		     {"oversize", s->oversize},
		     {"ring_drops", s->ring_drops}};
	for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++) {
		cli_json_name(&w, extra[k].name);
		cli_json_uint(&w, extra[k].v);
	}
	cli_json_end_object(&w);
	cli_json_end(&w);
}

static void final_text(struct bpfrt_live *l, const struct bpfrt_live_stats *s, double secs)
{
	printf("%-12s %12s %14s\n", "", "packets", "bytes");
	printf("%-12s %12" PRIu64 " %14" PRIu64 "\n", "rx", s->rx_packets, s->rx_bytes);
	for (int v = 0; v < BPFRT_LIVE_VERDICTS; v++)
		printf("%-12s %12" PRIu64 " %14" PRIu64 "\n", verdict_names[v], s->packets[v], s->bytes[v]);
	printf("faults %" PRIu64 ", bad verdicts %" PRIu64 ", pass dropped (no tap) %" PRIu64
	       ", redirect errors %" PRIu64 ", tx errors %" PRIu64 ", oversize %" PRIu64 ", ring drops %" PRIu64 "\n",
	       s->faults, s->bad_verdicts, s->pass_dropped, s->redirect_errors, s->tx_errors, s->oversize,
	       s->ring_drops);
	printf("%u worker%s, %.1f s\n", bpfrt_live_nr_workers(l), bpfrt_live_nr_workers(l) == 1 ? "" : "s", secs);
}

/* ---- running ------------------------------------------------------- */

/* The kernel says EINVAL for a program of the wrong type; name it. */
static int check_type(const struct cli *cli, struct bpfrt *rt, int prog_fd)
{
	struct bpf_prog_info info;
	union bpf_attr at;
	memset(&info, 0, sizeof(info));
	memset(&at, 0, sizeof(at));
	at.info.bpf_fd = (uint32_t)prog_fd;
	at.info.info = (uintptr_t)&info;
	at.info.info_len = sizeof(info);
	int e = cli_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &at);
	if (e)
		return cli_error(cli, "can't read the program's info: %s", cli_strerror(e));
	if (info.type == BPF_PROG_TYPE_XDP)
		return 0;
	const char *t = cli_prog_type_name(info.type);
	return cli_error(cli, "program '%s' is of type %s, not xdp: 'net attach xdp' runs XDP programs", info.name,
			 t ? t : "unknown");
}

static int run(struct cli *cli, struct bpfrt *rt, int prog_fd, const struct attach_args *a)
{
	if (check_type(cli, rt, prog_fd))
		return 255;
	struct bpfrt_live_opts o = {.sz = sizeof(o), .devs = a->devs, .nr_devs = a->nr_devs, .tap = a->tap,
				    .workers = a->workers};
	struct bpfrt_live *l;
	char err[256];
	int e = bpfrt_live_open(rt, prog_fd, &o, &l, err, sizeof(err));
	if (e)
		return cli_error(cli, "%s", err);
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old); /* the workers inherit it */
	e = bpfrt_live_start(l, err, sizeof(err));
	if (e) {
		bpfrt_live_close(l);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return cli_error(cli, "%s", err);
	}
	if (!a->quiet && !cli->json) {
		fprintf(stderr, "bpfrt: XDP on");
		const char *name;
		for (uint32_t i = 0; (name = bpfrt_live_dev_name(l, i, NULL)); i++)
			fprintf(stderr, " %s", name);
		fprintf(stderr, " (%u worker%s%s%s); Ctrl-C stops\n", bpfrt_live_nr_workers(l),
			bpfrt_live_nr_workers(l) == 1 ? "" : "s",
			bpfrt_live_tap_name(l) ? ", pass to tap " : "",
			bpfrt_live_tap_name(l) ? bpfrt_live_tap_name(l) : "");
	}
	for (uint32_t i = 0; !a->quiet && i < a->nr_devs; i++) {
		uint32_t m = bpfrt_live_dev_merging(l, i);
		const char *name = bpfrt_live_dev_name(l, i, NULL);
		if (m)
			fprintf(stderr, "bpfrt: warning: %s has %s on: the frames it merges are longer than an XDP frame "
					"and will be dropped (oversize); turn it off: ethtool -K %s %s off\n",
				name, m & BPFRT_LIVE_GRO ? "GRO" : "LRO", name, m & BPFRT_LIVE_GRO ? "gro" : "lro");
	}
	bool tty = isatty(STDERR_FILENO);
	double t0 = now_s();
	uint64_t last_rx = 0;
	struct timespec second = {.tv_sec = 1};
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &second);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (!a->quiet)
			status_line(l, &last_rx, tty);
	}
	bpfrt_live_stop(l);
	double secs = now_s() - t0;
	if (!a->quiet && tty)
		fputc('\n', stderr);
	struct bpfrt_live_stats s;
	bpfrt_live_stats(l, &s);
	if (cli->json)
		final_json(cli, l, &s, secs);
	else
		final_text(l, &s, secs);
	fflush(stdout);
	bpfrt_live_close(l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

static int attach_elf(struct cli *cli, const struct attach_args *a)
{
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	struct bpfrt_object *obj = NULL;
	struct bpfrt_program *prog = NULL;
	int rc = cli_object_open(cli, rt, a->file, a->prog, NULL, true, &obj, &prog);
	if (!rc)
		rc = run(cli, rt, bpfrt_program_fd(prog), a);
	bpfrt_object_close(obj);
	bpfrt_free(rt);
	return rc;
}

static int attach_loaded(struct cli *cli, int argc, char **argv, const struct attach_args *a)
{
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	struct cli_objs objs;
	struct cli_obj **v = NULL;
	size_t n = 0;
	int i = a->prog_at;
	cli_objs_init(&objs, cli, rt);
	int rc = cli_objs_parse(&objs, CLI_PROG, &i, argc, argv, false, &v, &n);
	if (!rc) {
		int fd = cli_obj_fd(&objs, v[0]);
		rc = fd < 0 ? cli_error(cli, "can't open the program: %s", cli_strerror(fd)) : run(cli, rt, fd, a);
	}
	free(v);
	cli_objs_free(&objs);
	bpfrt_free(rt);
	return rc;
}

/* argv: what follows `net attach`. */
int cmd_net_attach(struct cli *cli, int argc, char **argv)
{
	if (argc < 1)
		return usage(cli);
	if (!strcmp(argv[0], "help"))
		return usage(cli), 0;
	struct attach_args a = {0};
	int i = 1;
	int rc = parse_attach_type(cli, argv[0]);
	if (!rc)
		rc = parse_prog(cli, &i, argc, argv, &a);
	if (!rc)
		rc = parse_options(cli, i, argc, argv, &a);
	if (rc)
		return rc;
	return a.file ? attach_elf(cli, &a) : attach_loaded(cli, argc, argv, &a);
}
