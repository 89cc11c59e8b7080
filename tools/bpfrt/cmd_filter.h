/* cmd_filter.h — what `bpfrt filter` (cmd_filter.c) asks of libpcap
 * (cmd_filter_pcap.c): open a capture, compile an expression for its link
 * type, read packets where bpfrt does not read the file itself (pcapng,
 * old pcap versions), and write the output file's header as tcpdump -w
 * does.  A separate file because <pcap.h> and <linux/bpf.h> both define
 * struct bpf_insn: only plain types cross this interface.
 */
#ifndef BPFRT_TOOLS_CMD_FILTER_H
#define BPFRT_TOOLS_CMD_FILTER_H

#include <stdint.h>
#include <stdio.h>

struct fpcap;

/* One classic BPF instruction: the layout of both struct sock_filter and
 * libpcap's struct bpf_insn. */
struct fpcap_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct fpcap_pkt {
	int64_t sec;
	uint32_t usec;
	uint32_t caplen, len;
	const uint8_t *data;
};

/* Open the capture at path (pcap or pcapng; "-": stdin) with microsecond
 * timestamps, as tcpdump -r does.  NULL with libpcap's message in err. */
struct fpcap *fpcap_open(const char *path, char *err, size_t errlen);
void fpcap_close(struct fpcap *p);
int fpcap_linktype(const struct fpcap *p);
uint32_t fpcap_snaplen(const struct fpcap *p);

/* Compile expr for the capture's link type with optimisation, as tcpdump
 * (netmask 0, tcpdump's for -r).  0 and *insns (malloc'd) or -1 with
 * libpcap's message in err. */
int fpcap_compile(struct fpcap *p, const char *expr, struct fpcap_insn **insns, uint32_t *cnt, char *err,
		  size_t errlen);

/* Next packet: 1, 0 at the end, -1 with the message in err. */
int fpcap_next(struct fpcap *p, struct fpcap_pkt *pkt, char *err, size_t errlen);

/* The 24-byte pcap file header tcpdump -w writes for this capture
 * (pcap_dump_open's: microseconds, host byte order, the capture's snaplen
 * and link type).  Returns its length or -1 with err. */
int fpcap_dump_header(struct fpcap *p, uint8_t *out, size_t size, char *err, size_t errlen);

/* A reader thread (cmd_filter_reader.c): reads fd in chunks of `chunk`
 * bytes into a ring of `slots` buffers ahead of the consumer, so the
 * kernel's copy of the file overlaps the filtering.  One consumer. */
struct freader;
/* NULL with errno on failure; fd stays the caller's. */
struct freader *freader_start(int fd, size_t chunk, unsigned slots);
/* The next chunk in file order (*len bytes, > 0), or NULL at the end of
 * the file (*err = 0) or after a read error (*err = its errno).  The
 * chunk stays valid until freader_release. */
const uint8_t *freader_next(struct freader *rd, size_t *len, int *err);
/* Give the chunk of the last freader_next back to the reader. */
void freader_release(struct freader *rd);
/* Stop the thread (wherever it is) and free everything. */
void freader_stop(struct freader *rd);

#endif
