/* cmd_filter_pcap.c — the libpcap side of `bpfrt filter` (cmd_filter.h):
 * opening captures, pcap_compile, reading what bpfrt does not parse itself
 * and the output file header.  No bpfrt header here: <pcap.h> has its own
 * struct bpf_insn.
 */
#define _GNU_SOURCE
#include "tools/bpfrt/cmd_filter.h"

#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fpcap {
	pcap_t *p;
};

struct fpcap *fpcap_open(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (!p) {
		snprintf(err, errlen, "%s", ebuf);
		return NULL;
	}
	struct fpcap *f = calloc(1, sizeof(*f));
	if (!f) {
		pcap_close(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->p = p;
	return f;
}

void fpcap_close(struct fpcap *f)
{
	if (!f)
		return;
	pcap_close(f->p);
	free(f);
}

int fpcap_linktype(const struct fpcap *f)
{
	return pcap_datalink(f->p);
}

uint32_t fpcap_snaplen(const struct fpcap *f)
{
	return (uint32_t)pcap_snapshot(f->p);
}

int fpcap_compile(struct fpcap *f, const char *expr, struct fpcap_insn **insns, uint32_t *cnt, char *err,
		  size_t errlen)
{
	struct bpf_program prog;
	/* tcpdump -r compiles with optimisation and a netmask of 0. */
	if (pcap_compile(f->p, &prog, expr, 1, 0) < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(f->p));
		return -1;
	}
	_Static_assert(sizeof(struct bpf_insn) == sizeof(struct fpcap_insn), "cBPF instruction layout");
	*insns = malloc((prog.bf_len ? prog.bf_len : 1) * sizeof(**insns));
	if (!*insns) {
		pcap_freecode(&prog);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (u_int i = 0; i < prog.bf_len; i++)
		(*insns)[i] = (struct fpcap_insn){prog.bf_insns[i].code, prog.bf_insns[i].jt, prog.bf_insns[i].jf,
						  prog.bf_insns[i].k};
	*cnt = prog.bf_len;
	pcap_freecode(&prog);
	return 0;
}

int fpcap_next(struct fpcap *f, struct fpcap_pkt *pkt, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int r = pcap_next_ex(f->p, &h, &data);
	if (r == PCAP_ERROR_BREAK)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(f->p));
		return -1;
	}
	pkt->sec = h->ts.tv_sec;
	pkt->usec = (uint32_t)h->ts.tv_usec;
	pkt->caplen = h->caplen;
	pkt->len = h->len;
	pkt->data = data;
	return 1;
}

int fpcap_dump_header(struct fpcap *f, uint8_t *out, size_t size, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&buf, &n);
	if (!mem) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pcap_dumper_t *d = pcap_dump_fopen(f->p, mem);
	if (!d) {
		snprintf(err, errlen, "%s", pcap_geterr(f->p));
		fclose(mem);
		free(buf);
		return -1;
	}
	pcap_dump_close(d); /* closes mem: buf now holds the header */
	int len = -1;
	if (n <= size) {
		memcpy(out, buf, n);
		len = (int)n;
	} else {
		snprintf(err, errlen, "pcap file header of %zu bytes", n);
	}
	free(buf);
	return len;
}
