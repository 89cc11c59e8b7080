/* pcap_io.h — packet captures in and out, through libpcap: a whole pcap or
 * pcapng file read into memory (the packet runners then run it from there,
 * no I/O per packet), and a pcap writer for the frames a program let
 * through.  Timestamps are kept in nanoseconds both ways.
 */
#ifndef BPFRT_HOOKS_PCAP_IO_H
#define BPFRT_HOOKS_PCAP_IO_H

#include <stddef.h>
#include <stdint.h>

struct bpfrt_capture_pkt {
	uint64_t off;      /* into bpfrt_capture.bytes */
	uint32_t len;      /* captured bytes */
	uint32_t wire_len; /* the packet's length on the wire (>= len when the capture cut it) */
	uint64_t ts_ns;
};

struct bpfrt_capture {
	uint8_t *bytes; /* every packet, back to back */
	size_t size, cap;
	struct bpfrt_capture_pkt *pkts;
	size_t n, pkts_cap;
	int linktype; /* DLT_* of the file */
};

/* Read the pcap or pcapng file at path into c (zeroed by the call).  Only
 * Ethernet captures (DLT_EN10MB) are accepted: that is what XDP and tc see.
 * Returns 0, or -1 with a message in err ("FILE: why"); c is then empty. */
int bpfrt_capture_load(struct bpfrt_capture *c, const char *path, char *err, size_t errlen);
/* Append one packet (a generator building a capture in memory). */
int bpfrt_capture_add(struct bpfrt_capture *c, const uint8_t *data, uint32_t len, uint64_t ts_ns);
void bpfrt_capture_free(struct bpfrt_capture *c);

struct bpfrt_pcap_out;

/* Create (truncate) a pcap file of Ethernet frames with nanosecond
 * timestamps at path ("-": stdout).  NULL with a message in err. */
struct bpfrt_pcap_out *bpfrt_pcap_out_open(const char *path, char *err, size_t errlen);
void bpfrt_pcap_out_write(struct bpfrt_pcap_out *o, const uint8_t *data, uint32_t len, uint64_t ts_ns);
/* Flush and close; -1 with a message in err when the writes failed. */
int bpfrt_pcap_out_close(struct bpfrt_pcap_out *o, char *err, size_t errlen);

#endif
