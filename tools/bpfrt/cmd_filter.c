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
 * nanosecond timestamps) is read in chunks by a read-ahead thread
 * (cmd_filter_reader.c) and its records filtered in place; pcapng,
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
#define CHUNK (256u << 10) /* read size: the buffers stay in the caches */
#define READ_SLOTS 4       /* chunks the reader thread may run ahead */

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

/* The capture as a stream of chunks from the reader thread. */
struct stream {
	struct filter_run *r;
	struct freader *rd;
	const uint8_t *cur; /* the chunk being read (NULL: none yet, or given back) */
	size_t len, pos;
	int err;            /* a read error's errno */
	uint8_t *spill;     /* what crosses from one chunk into the next, copied */
};

/* The next n bytes, contiguous: in place in the chunk, or copied to spill
 * when they cross into the next one.  NULL at the end of the file (*got:
 * the bytes there were) or after a read error (s->err).  A chunk is given
 * back only after the writes pointing into it. */
static const uint8_t *take(struct stream *s, size_t n, size_t *got)
{
	if (s->cur && s->len - s->pos >= n) {
		const uint8_t *p = s->cur + s->pos;
		s->pos += n;
		*got = n;
		return p;
	}
	size_t have = 0;
	while (have < n) {
		if (s->cur && s->pos < s->len) {
			size_t k = n - have < s->len - s->pos ? n - have : s->len - s->pos;
			memcpy(s->spill + have, s->cur + s->pos, k);
			have += k;
			s->pos += k;
			continue;
		}
		if (s->cur) {
			flush_batch(s->r);
			freader_release(s->rd);
			s->cur = NULL;
		}
		size_t len = 0;
		const uint8_t *c = freader_next(s->rd, &len, &s->err);
		if (!c) {
			*got = have;
			return NULL;
		}
		s->cur = c, s->len = len, s->pos = 0;
		if (!have && len >= n) { /* a record starts the chunk */
			s->pos = n;
			*got = n;
			return c;
		}
	}
	*got = n;
	return s->spill;
}

/* The records of a pcap file, read ahead in 256 KiB chunks by a second
 * thread (buffers that stay in the cache: on this kind of machine mapping
 * the file costs more than the kernel's copy) and filtered in place.
 * Returns 0 when done, 1 when the rest needs libpcap (r->packets records
 * were handled), -1 on error. */
static int run_read(struct filter_run *r, int fd)
{
	struct stream s = {.r = r, .spill = malloc(16 + (size_t)r->snaplen + 24)};
	s.rd = s.spill ? freader_start(fd, CHUNK, READ_SLOTS) : NULL;
	if (!s.rd) {
		free(s.spill);
		return 1;
	}
	size_t got;
	int swap = 0, nsec = 0, ret = 0;
	const uint8_t *fh = take(&s, 24, &got);
	if (!fh || plain_pcap(fh, &swap, &nsec))
		ret = 1;
	while (!ret) {
		const uint8_t *h = take(&s, 16, &got);
		if (!h) {
			ret = got ? 1 : 0; /* a truncated header: libpcap's error; else the end */
			break;
		}
		uint32_t sec = rd32(h, swap), frac = rd32(h + 4, swap), caplen = rd32(h + 8, swap),
			 len = rd32(h + 12, swap);
		if (caplen > r->snaplen) {
			ret = 1; /* libpcap's truncation or error, from this packet on */
			break;
		}
		const uint8_t *data = take(&s, caplen, &got);
		if (!data) {
			ret = 1; /* the file ends inside the record: libpcap's error */
			break;
		}
		if (one_packet(r, data, sec, nsec ? frac / 1000 : frac, caplen, len))
			ret = -1;
		if (data == s.spill)
			flush_batch(r); /* before spill is used again */
	}
	if (s.err && ret >= 0) {
		snprintf(r->err, sizeof(r->err), "%s: %s", r->capture, strerror(s.err));
		ret = -1;
	}
	flush_batch(r); /* before the chunks go */
	freader_stop(s.rd);
	free(s.spill);
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
