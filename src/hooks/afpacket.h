/* afpacket.h — one AF_PACKET socket on one interface with a TPACKET_V3
 * receive ring, the packet source of `bpfrt net attach` (hooks/live.c).
 *
 * The kernel fills blocks of the mmap'd ring with frames; a block belongs
 * to user space while its status has TP_STATUS_USER and goes back with
 * bpfrt_afp_block_release().  Frames are read in place (zero copy): each
 * frame's packet starts `headroom` bytes after the frame's sockaddr_ll (the
 * PACKET_RESERVE asked for, at least), so an XDP program can grow the
 * packet at its head or metadata without a copy; its tailroom is the
 * alignment gap before the next frame (the last frame of a block: the rest
 * of the block).  The frame walk
 * (bpfrt_afp_frame_next) reads only the block's memory, so it is tested on
 * blocks built by hand, without a socket.
 *
 * Sockets see only incoming frames (PACKET_IGNORE_OUTGOING): what bpfrt
 * itself sends out of an interface never comes back to it.
 */
#ifndef BPFRT_HOOKS_AFPACKET_H
#define BPFRT_HOOKS_AFPACKET_H

#include <linux/if_packet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpfrt_afp_opts {
	size_t sz;
	uint32_t block_size;  /* bytes per ring block (power of two multiple of the page; 0: 256 KiB) */
	uint32_t block_nr;    /* blocks in the ring (0: 16) */
	uint32_t reserve;     /* headroom bytes kept before each frame's packet (PACKET_RESERVE) */
	uint32_t timeout_ms;  /* a partly filled block is handed over after this (0: 10 ms) */
	/* Fanout: with join_fanout, the socket joins group fanout_id
	 * (PACKET_FANOUT_HASH: one flow always goes to the same socket); with
	 * new_fanout it creates a group with a fresh id, stored in fanout_id. */
	bool new_fanout, join_fanout;
	uint16_t fanout_id;
};

struct bpfrt_afp {
	int fd;
	int ifindex;
	uint8_t *ring;
	size_t ring_size;
	uint32_t block_size, block_nr;
	uint32_t cur;     /* the next block to look at */
	uint32_t reserve; /* PACKET_RESERVE actually set */
	uint32_t timeout_ms; /* a partly filled block is handed over after this */
};

/* Open a packet socket on ifindex with its ring (fields of *s set; on
 * failure s->fd is -1).  Returns 0 or a negative errno; *what (may be NULL)
 * names the step that failed ("socket", "PACKET_RX_RING", "bind", ...). */
int bpfrt_afp_open(struct bpfrt_afp *s, int ifindex, struct bpfrt_afp_opts *opts, const char **what);
void bpfrt_afp_close(struct bpfrt_afp *s);

/* The next block the kernel handed over, or NULL when it still fills it. */
struct tpacket_block_desc *bpfrt_afp_block(struct bpfrt_afp *s);
/* Give the current block back to the kernel and move to the next. */
void bpfrt_afp_block_release(struct bpfrt_afp *s, struct tpacket_block_desc *b);

/* One frame of a block, in place. */
struct bpfrt_afp_frame {
	uint8_t *data;      /* the packet (its Ethernet header) */
	uint32_t len;       /* bytes captured at data */
	uint32_t wire_len;  /* bytes on the wire (> len: the ring cut it) */
	uint32_t headroom;  /* bytes before data that may be written (after the sockaddr_ll) */
	uint32_t tailroom;  /* bytes after data + len that may be written */
	uint32_t status;    /* tp_status: TP_STATUS_CSUMNOTREADY, TP_STATUS_COPY, ... */
	uint8_t pkttype;    /* sll_pkttype: PACKET_HOST, PACKET_OTHERHOST, ... */
	int ifindex;        /* sll_ifindex */
};

struct bpfrt_afp_iter {
	uint8_t *block;
	uint32_t block_size, left, off; /* frames left; offset of the next one */
};

/* Start walking the frames of block b (block_size bytes). */
void bpfrt_afp_iter_init(struct bpfrt_afp_iter *it, struct tpacket_block_desc *b, uint32_t block_size);
/* The next frame: 1 with *f filled, 0 at the end, -EINVAL when the block's
 * offsets point outside it (the walk stops there). */
int bpfrt_afp_frame_next(struct bpfrt_afp_iter *it, struct bpfrt_afp_frame *f);

/* Frames the kernel dropped because the ring was full, since the last call
 * (PACKET_STATISTICS resets them). */
uint64_t bpfrt_afp_drops(struct bpfrt_afp *s);

#endif
