/* pcap_io.c — captures through libpcap (hooks/pcap_io.h): pcap and pcapng
 * read whole into one buffer (offsets, so the buffer may grow by realloc),
 * pcap written with nanosecond timestamps.
 */
#include "hooks/pcap_io.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bpfrt_pcap_out {
	pcap_t *dead;
	pcap_dumper_t *dump;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 1024;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

int bpfrt_capture_add(struct bpfrt_capture *c, const uint8_t *data, uint32_t len, uint64_t ts_ns)
{
	if (grow((void **)&c->bytes, &c->cap, c->size + len, 1) ||
	    grow((void **)&c->pkts, &c->pkts_cap, c->n + 1, sizeof(*c->pkts)))
		return -ENOMEM;
	memcpy(c->bytes + c->size, data, len);
	c->pkts[c->n++] = (struct bpfrt_capture_pkt){.off = c->size, .len = len, .wire_len = len, .ts_ns = ts_ns};
	c->size += len;
	return 0;
}

void bpfrt_capture_free(struct bpfrt_capture *c)
{
	free(c->bytes);
	free(c->pkts);
	memset(c, 0, sizeof(*c));
}

int bpfrt_capture_load(struct bpfrt_capture *c, const char *path, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	memset(c, 0, sizeof(*c));
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!p) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -1;
	}
	c->linktype = pcap_datalink(p);
	if (c->linktype != DLT_EN10MB) {
		snprintf(err, errlen, "%s: link type %s: only Ethernet captures (EN10MB) can feed XDP or tc programs",
			 path, pcap_datalink_val_to_name(c->linktype) ? pcap_datalink_val_to_name(c->linktype) : "?");
		pcap_close(p);
		return -1;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		if (bpfrt_capture_add(c, data, h->caplen, ts)) {
			snprintf(err, errlen, "%s: out of memory after %zu packets", path, c->n);
			goto fail;
		}
		c->pkts[c->n - 1].wire_len = h->len;
	}
	if (rc != PCAP_ERROR_BREAK) {
		snprintf(err, errlen, "%s: packet %zu: %s", path, c->n + 1, pcap_geterr(p));
		goto fail;
	}
	pcap_close(p);
	return 0;
fail:
	pcap_close(p);
	bpfrt_capture_free(c);
	return -1;
}

struct bpfrt_pcap_out *bpfrt_pcap_out_open(const char *path, char *err, size_t errlen)
{
	struct bpfrt_pcap_out *o = calloc(1, sizeof(*o));
	if (!o) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	o->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	if (o->dead)
		o->dump = pcap_dump_open(o->dead, path);
	if (!o->dump) {
		snprintf(err, errlen, "%s: %s", path, o->dead ? pcap_geterr(o->dead) : "out of memory");
		if (o->dead)
			pcap_close(o->dead);
		free(o);
		return NULL;
	}
	return o;
}

void bpfrt_pcap_out_write(struct bpfrt_pcap_out *o, const uint8_t *data, uint32_t len, uint64_t ts_ns)
{
	/* A nanosecond dumper reads tv_usec as nanoseconds. */
	struct pcap_pkthdr h = {.caplen = len, .len = len};
	h.ts.tv_sec = (time_t)(ts_ns / 1000000000ull);
	h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000ull);
	pcap_dump((u_char *)o->dump, &h, data);
}

int bpfrt_pcap_out_close(struct bpfrt_pcap_out *o, char *err, size_t errlen)
{
	int rc = 0;
	if (pcap_dump_flush(o->dump) || ferror(pcap_dump_file(o->dump))) {
		snprintf(err, errlen, "write failed: %s", strerror(errno));
		rc = -1;
	}
	pcap_dump_close(o->dump);
	pcap_close(o->dead);
	free(o);
	return rc;
}
