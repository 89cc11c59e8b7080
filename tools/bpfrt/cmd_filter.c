/* cmd_filter.c — `bpfrt filter EXPRESSION CAPTURE [-w OUT]`: tcpdump's
 * filtering through bpfrt.  libpcap compiles the expression for the
 * capture's link type (pcap_compile, optimised, as tcpdump -r), bpfrt
 * checks the classic program, translates it to eBPF (socket filter
 * semantics, packet loads as explicit bounds-checked loads:
 * BPFRT_CBPF_SOCKET_FILTER_DIRECT), verifies it and runs it on the chosen engine (--engine, JIT by
 * default) over every packet; packets with a non-zero result go to OUT
 * whole, with their original record header, so OUT is byte for byte what
 * `tcpdump -r CAPTURE -w OUT EXPRESSION` writes.
 *
 * Reading: a pcap file (version 2.4, either byte order, micro- or
 * nanosecond timestamps) is read in chunks and its records filtered in
 * place; pcapng,
 * older versions, stdin and anything unusual (a record larger than the
 * snap length, a truncated file) go through libpcap from that packet on,
 * so errors and edge cases are libpcap's.  Timestamps come out in
 * microseconds, as tcpdump writes them.
 *
 * Output: a summary line on stderr (packets, matched, time, Mpps, engine);
 * -j gives it as JSON on stdout.  Exit: 0, 1 for a bad expression, an
 * unreadable capture or a failed run, 255 for usage errors.
 */
#define _GNU_SOURCE
#include "tools/bpfrt/cli.h"
#include "tools/bpfrt/cmd_filter.h"

#include "bpfrt/cbpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define DLT_EN10MB 1
#define OUT_BUF (1u << 20)
#define OUT_BATCH 512  /* records per writev (two iovecs each, IOV_MAX is 1024) */
#define CHUNK (256u << 10) /* read size: the buffer stays in the L2 cache */

/* Matched records of a capture bpfrt reads itself are written without
 * copying: their headers here, their data straight from the read buffer,
 * one writev per batch.  Records from libpcap (whose buffer is reused) go through stdio. */
struct out_batch {
	uint32_t hdr[OUT_BATCH][4];
	struct iovec iov[2 * OUT_BATCH];
	uint32_t n;
};

struct filter_run {
	const struct cli *cli;
	const char *capture;
	struct fpcap *pcap;
	struct bpfrt_sock_filter *filter;
	FILE *out;
	struct out_batch *batch; /* while bpfrt reads the file itself */
	int write_err;           /* errno of a failed writev */
	uint32_t snaplen;
	uint64_t packets, matched;
	char err[512];
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void flush_batch(struct filter_run *r)
{
	struct out_batch *b = r->batch;
	if (!b || !b->n)
		return;
	int fd = fileno(r->out);
	struct iovec *iov = b->iov;
	int cnt = (int)(2 * b->n);
	while (cnt > 0 && !r->write_err) {
		ssize_t w = writev(fd, iov, cnt);
		if (w < 0) {
			if (errno != EINTR)
				r->write_err = errno;
			continue;
		}
		/* A short write: go on from where it stopped. */
		while (cnt > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++, cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	b->n = 0;
}

/* Run the filter on one packet and write it out when it passes.  Returns
 * 0 or -1 with r->err set. */
static int one_packet(struct filter_run *r, const uint8_t *data, uint32_t sec, uint32_t usec, uint32_t caplen,
		      uint32_t len)
{
	uint32_t ret = 0;
	struct bpfrt_diag diag;
	int err = bpfrt_sock_filter_run(r->filter, data, caplen, len, &ret, &diag);
	r->packets++;
	if (err) {
		snprintf(r->err, sizeof(r->err), "packet %llu: the filter faulted: %s", (unsigned long long)r->packets,
			 diag.msg[0] ? diag.msg : strerror(-err));
		return -1;
	}
	if (!ret)
		return 0;
	r->matched++;
	if (!r->out)
		return 0;
	/* The record header of pcap_dump: host byte order, microseconds. */
	uint32_t hdr[4] = {sec, usec, caplen, len};
	struct out_batch *b = r->batch;
	if (b) {
		memcpy(b->hdr[b->n], hdr, sizeof(hdr));
		b->iov[2 * b->n] = (struct iovec){b->hdr[b->n], sizeof(hdr)};
		b->iov[2 * b->n + 1] = (struct iovec){(void *)data, caplen};
		if (++b->n == OUT_BATCH)
			flush_batch(r);
		return 0;
	}
	fwrite_unlocked(hdr, sizeof(hdr), 1, r->out);
	fwrite_unlocked(data, 1, caplen, r->out);
	return 0;
}

/* Packets through libpcap, after the first `skip` (read already by the
 * mapped reader). */
static int run_libpcap(struct filter_run *r, uint64_t skip)
{
	struct fpcap_pkt pkt;
	char err[256];
	for (;;) {
		int n = fpcap_next(r->pcap, &pkt, err, sizeof(err));
		if (n < 0) {
			snprintf(r->err, sizeof(r->err), "%s: %s", r->capture, err);
			return -1;
		}
		if (n == 0)
			return 0;
		if (skip) {
			skip--;
			continue;
		}
		if (one_packet(r, pkt.data, (uint32_t)pkt.sec, pkt.usec, pkt.caplen, pkt.len))
			return -1;
	}
}

static uint32_t rd32(const uint8_t *p, int swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/* The file header of a pcap file bpfrt reads itself: version 2.4, either
 * byte order, micro- or nanoseconds.  0 if it is one (*swap, *nsec set). */
static int plain_pcap(const uint8_t *m, int *swap, int *nsec)
{
	uint32_t magic;
	memcpy(&magic, m, 4);
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		*swap = 0;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		*swap = 1;
	else
		return -1; /* pcapng or not a capture: libpcap knows */
	*nsec = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	uint16_t major, minor;
	memcpy(&major, m + 4, 2);
	memcpy(&minor, m + 6, 2);
	if (*swap)
		major = __builtin_bswap16(major), minor = __builtin_bswap16(minor);
	return major == 2 && minor == 4 ? 0 : -1;
}

/* Fill buf[*have..cap) from fd; 0 or -1 with r->err. */
static int refill(struct filter_run *r, int fd, uint8_t *buf, size_t *have, size_t cap, bool *eof)
{
	while (*have < cap && !*eof) {
		ssize_t n = read(fd, buf + *have, cap - *have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(r->err, sizeof(r->err), "%s: %s", r->capture, strerror(errno));
			return -1;
		}
		*eof = n == 0;
		*have += (size_t)n;
	}
	return 0;
}

/* The records of a pcap file, read in chunks into one buffer that stays in
 * the cache (on this kind of machine mapping the file costs more than
 * the kernel's copy) and filtered in place.  Returns 0 when done, 1 when
 * the rest needs libpcap (r->packets records were handled), -1 on error. */
static int run_read(struct filter_run *r, int fd)
{
	size_t cap = CHUNK + 16 + r->snaplen, have = 0, pos = 24;
	bool eof = false;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return 1;
	int swap = 0, nsec = 0, ret = refill(r, fd, buf, &have, cap, &eof);
	if (!ret && (have < 24 || plain_pcap(buf, &swap, &nsec)))
		ret = 1;
	while (!ret) {
		uint32_t next = 0; /* the next record's caplen, when its header is here */
		if (have - pos >= 16)
			next = rd32(buf + pos + 8, swap);
		if ((have - pos < 16 || have - pos - 16 < next) && !eof && next <= r->snaplen) {
			/* The next record is not all here: the writes that point
			 * into the buffer go first, then the rest moves down (the
			 * buffer holds CHUNK more than the largest record). */
			flush_batch(r);
			memmove(buf, buf + pos, have - pos);
			have -= pos;
			pos = 0;
			if ((ret = refill(r, fd, buf, &have, cap, &eof)))
				break;
		}
		if (have == pos)
			break; /* the end, between records */
		if (have - pos < 16) {
			ret = 1; /* a truncated header: libpcap's error */
			break;
		}
		const uint8_t *h = buf + pos;
		uint32_t sec = rd32(h, swap), frac = rd32(h + 4, swap), caplen = rd32(h + 8, swap),
			 len = rd32(h + 12, swap);
		if (caplen > r->snaplen || caplen > have - pos - 16) {
			ret = 1; /* libpcap's truncation or error, from this packet on */
			break;
		}
		if (one_packet(r, h + 16, sec, nsec ? frac / 1000 : frac, caplen, len))
			ret = -1;
		pos += 16 + (size_t)caplen;
	}
	flush_batch(r); /* before the buffer goes */
	free(buf);
	return ret;
}

/* Every packet of the capture: read by bpfrt when it is a plain pcap file,
 * else (and from wherever bpfrt stops) by libpcap. */
static int run_all(struct filter_run *r)
{
	int fd = strcmp(r->capture, "-") ? open(r->capture, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		/* A pipe or device: libpcap already reads it. */
		close(fd);
		fd = -1;
	}
	if (fd >= 0) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		/* stdio's buffer first: it holds the file header. */
		struct out_batch *b = r->out && !fflush(r->out) ? malloc(sizeof(*b)) : NULL;
		if (b)
			b->n = 0;
		r->batch = b;
		int done = run_read(r, fd);
		r->batch = NULL;
		free(b);
		close(fd);
		if (r->write_err) {
			snprintf(r->err, sizeof(r->err), "write failed: %s", strerror(r->write_err));
			return -1;
		}
		if (done <= 0)
			return done;
	}
	return run_libpcap(r, r->packets);
}

static int open_output(struct filter_run *r, const char *path)
{
	uint8_t hdr[64];
	char err[256];
	int n = fpcap_dump_header(r->pcap, hdr, sizeof(hdr), err, sizeof(err));
	if (n < 0) {
		snprintf(r->err, sizeof(r->err), "%s: %s", path, err);
		return -1;
	}
	r->out = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!r->out) {
		snprintf(r->err, sizeof(r->err), "%s: %s", path, strerror(errno));
		return -1;
	}
	setvbuf(r->out, NULL, _IOFBF, OUT_BUF);
	fwrite(hdr, 1, (size_t)n, r->out);
	return 0;
}

static int close_output(struct filter_run *r, const char *path)
{
	if (!r->out)
		return 0;
	int bad = ferror(r->out);
	bad |= r->out == stdout ? fflush(r->out) : fclose(r->out);
	r->out = NULL;
	if (bad) {
		snprintf(r->err, sizeof(r->err), "%s: write failed: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void summary(const struct filter_run *r, struct bpfrt *rt, uint64_t ns, uint32_t cbpf_cnt,
		    uint32_t ebpf_cnt)
{
	double secs = (double)ns / 1e9, mpps = ns ? (double)r->packets / secs / 1e6 : 0;
	const char *engine = bpfrt_engine_name(bpfrt_engine(rt));
	if (r->cli->json) {
		struct cli_json w;
		cli_json_init(&w, r->cli);
		cli_json_start_object(&w);
		cli_json_name(&w, "packets");
		cli_json_uint(&w, r->packets);
		cli_json_name(&w, "matched");
		cli_json_uint(&w, r->matched);
		cli_json_name(&w, "time_ns");
		cli_json_uint(&w, ns);
		cli_json_name(&w, "mpps");
		cli_json_value_begin(&w);
		fprintf(w.f, "%.3f", mpps);
		cli_json_name(&w, "engine");
		cli_json_string(&w, engine);
		cli_json_name(&w, "cbpf_insns");
		cli_json_uint(&w, cbpf_cnt);
		cli_json_name(&w, "ebpf_insns");
		cli_json_uint(&w, ebpf_cnt);
		cli_json_end_object(&w);
		cli_json_end(&w);
		return;
	}
	fprintf(stderr, "%llu packets, %llu matched, %.3f s, %.2f Mpps (%s)\n", (unsigned long long)r->packets,
		(unsigned long long)r->matched, secs, mpps, engine);
}

static int usage(const struct cli *cli)
{
	return cli_error(cli, "usage: bpfrt filter EXPRESSION CAPTURE [-w OUT]");
}

/* Compile and load: the program fd, or -1 with r->err. */
static int load_filter(struct filter_run *r, struct bpfrt *rt, const char *expr, uint32_t *cbpf_cnt,
		       uint32_t *ebpf_cnt)
{
	struct fpcap_insn *insns = NULL;
	char err[512];
	if (fpcap_compile(r->pcap, expr, &insns, cbpf_cnt, err, sizeof(err))) {
		snprintf(r->err, sizeof(r->err), "%s", err);
		return -1;
	}
	const struct sock_filter *prog = (const struct sock_filter *)insns;
	struct bpfrt_diag diag = {0};
	struct bpf_insn *ebpf = NULL;
	int fd = bpfrt_cbpf_translate(prog, *cbpf_cnt, BPFRT_CBPF_SOCKET_FILTER_DIRECT, &ebpf, ebpf_cnt, &diag);
	if (!fd) {
		if (r->cli->debug) {
			fprintf(stderr, "cBPF (%u insns):\n", *cbpf_cnt);
			for (uint32_t i = 0; i < *cbpf_cnt; i++)
				fprintf(stderr, "(%03u) { 0x%02x, %u, %u, 0x%08x }\n", i, prog[i].code, prog[i].jt,
					prog[i].jf, prog[i].k);
			fprintf(stderr, "eBPF (%u insns):\n", *ebpf_cnt);
			bpfrt_disasm(ebpf, *ebpf_cnt, BPFRT_SYNTAX_LLVM, BPFRT_DISASM_INDEX, stderr);
		}
		fd = bpfrt_cbpf_load(rt, prog, *cbpf_cnt, BPFRT_CBPF_SOCKET_FILTER_DIRECT,
				     &(struct bpfrt_cbpf_load_opts){.sz = sizeof(struct bpfrt_cbpf_load_opts),
								    .name = "filter"},
				     &diag);
	}
	free(ebpf);
	free(insns);
	if (fd < 0)
		snprintf(r->err, sizeof(r->err), "'%s': %s", expr, diag.msg);
	return fd;
}

int cmd_filter(struct cli *cli, int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL}, *out_path = NULL;
	int npos = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-w")) {
			if (++i >= argc)
				return cli_error(cli, "-w needs an OUT file");
			out_path = argv[i];
		} else if (!strcmp(argv[i], "help") && argc == 1) {
			return usage(cli);
		} else if (npos < 2) {
			pos[npos++] = argv[i];
		} else {
			return cli_error(cli, "unexpected argument '%s' (usage: bpfrt filter EXPRESSION CAPTURE [-w OUT])",
					 argv[i]);
		}
	}
	if (npos < 2)
		return usage(cli);
	struct filter_run r = {.cli = cli, .capture = pos[1]};
	char err[512];
	r.pcap = fpcap_open(r.capture, err, sizeof(err));
	if (!r.pcap) {
		cli_error(cli, "%s", err);
		return 1;
	}
	r.snaplen = fpcap_snaplen(r.pcap);
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt) {
		fpcap_close(r.pcap);
		return 255;
	}
	int status = 1;
	uint32_t cbpf_cnt = 0, ebpf_cnt = 0;
	int fd = load_filter(&r, rt, pos[0], &cbpf_cnt, &ebpf_cnt);
	if (fd < 0)
		goto out;
	struct bpfrt_sock_filter_meta meta = {.ethernet = fpcap_linktype(r.pcap) == DLT_EN10MB};
	int err_new = bpfrt_sock_filter_new(rt, fd, &meta, &r.filter);
	if (err_new) {
		snprintf(r.err, sizeof(r.err), "can't run the filter: %s", strerror(-err_new));
		goto out;
	}
	if (out_path && open_output(&r, out_path))
		goto out;
	uint64_t t0 = now_ns();
	int run = run_all(&r);
	uint64_t ns = now_ns() - t0;
	if (close_output(&r, out_path) || run)
		goto out;
	summary(&r, rt, ns, cbpf_cnt, ebpf_cnt);
	status = 0;
out:
	if (status)
		cli_error(cli, "%s", r.err);
	if (r.out && r.out != stdout)
		fclose(r.out);
	bpfrt_sock_filter_free(r.filter);
	if (fd >= 0)
		bpfrt_close(rt, fd);
	bpfrt_free(rt);
	fpcap_close(r.pcap);
	return status;
}
