/* afpacket.c — AF_PACKET sockets with a TPACKET_V3 receive ring (see
 * afpacket.h).  Setup order matters to the kernel: the ring version and
 * reserve before the ring, the ring before bind (so no frame arrives
 * before there is somewhere to put it), fanout after bind.
 */
#define _GNU_SOURCE
#include "hooks/afpacket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEF_BLOCK_SIZE (1u << 18)
#define DEF_BLOCK_NR 16u
#define DEF_TIMEOUT_MS 10u
/* Newer than some installed headers (Linux 6.8: a fanout group has its own
 * hook, so PACKET_IGNORE_OUTGOING on its sockets does not reach it). */
#ifndef PACKET_FANOUT_FLAG_IGNORE_OUTGOING
#define PACKET_FANOUT_FLAG_IGNORE_OUTGOING 0x4000
#endif
/* A frame slot in the ring must hold a full 1500-byte frame and headers;
 * the kernel needs frame_size to divide block_size. */
#define FRAME_SIZE 2048u

static int fail(const char **what, const char *step)
{
	int err = -errno;
	if (what)
		*what = step;
	return err;
}

static int setup_ring(struct bpfrt_afp *s, const struct bpfrt_afp_opts *o, const char **what)
{
	int v = TPACKET_V3;
	if (setsockopt(s->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)))
		return fail(what, "PACKET_VERSION");
	if (o->reserve && setsockopt(s->fd, SOL_PACKET, PACKET_RESERVE, &o->reserve, sizeof(o->reserve)))
		return fail(what, "PACKET_RESERVE");
	s->reserve = o->reserve;
	s->block_size = o->block_size ? o->block_size : DEF_BLOCK_SIZE;
	s->block_nr = o->block_nr ? o->block_nr : DEF_BLOCK_NR;
	struct tpacket_req3 req = {
		.tp_block_size = s->block_size,
		.tp_block_nr = s->block_nr,
		.tp_frame_size = FRAME_SIZE,
		.tp_frame_nr = (s->block_size / FRAME_SIZE) * s->block_nr,
		.tp_retire_blk_tov = o->timeout_ms ? o->timeout_ms : DEF_TIMEOUT_MS,
	};
	s->timeout_ms = req.tp_retire_blk_tov;
	if (setsockopt(s->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		return fail(what, "PACKET_RX_RING");
	s->ring_size = (size_t)s->block_size * s->block_nr;
	void *m = mmap(NULL, s->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, s->fd, 0);
	if (m == MAP_FAILED) /* MAP_LOCKED may exceed RLIMIT_MEMLOCK: try without */
		m = mmap(NULL, s->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
	if (m == MAP_FAILED)
		return fail(what, "mmap of the ring");
	s->ring = m;
	return 0;
}

static int setup_fanout(struct bpfrt_afp *s, struct bpfrt_afp_opts *o, const char **what)
{
	if (!o->new_fanout && !o->join_fanout)
		return 0;
	/* PACKET_FANOUT's value: the group id in the low 16 bits, the mode
	 * and flags in the high 16. */
	/* The group has its own hook: it must ignore outgoing frames too. */
	uint32_t mode = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_IGNORE_OUTGOING |
			(o->new_fanout ? PACKET_FANOUT_FLAG_UNIQUEID : 0);
	uint32_t arg = (o->new_fanout ? 0 : o->fanout_id) | (mode << 16);
	if (setsockopt(s->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg))) {
		/* An older kernel refuses the flag: the group then sees
		 * outgoing frames, which callers skip by their pkttype. */
		arg &= ~((uint32_t)PACKET_FANOUT_FLAG_IGNORE_OUTGOING << 16);
		if (errno != EINVAL || setsockopt(s->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)))
			return fail(what, "PACKET_FANOUT");
	}
	if (o->new_fanout) {
		uint32_t got = 0;
		socklen_t len = sizeof(got);
		if (getsockopt(s->fd, SOL_PACKET, PACKET_FANOUT, &got, &len))
			return fail(what, "PACKET_FANOUT (id)");
		o->fanout_id = (uint16_t)got;
	}
	return 0;
}

int bpfrt_afp_open(struct bpfrt_afp *s, int ifindex, struct bpfrt_afp_opts *o, const char **what)
{
	memset(s, 0, sizeof(*s));
	s->ifindex = ifindex;
	s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: nothing until bind */
	if (s->fd < 0)
		return fail(what, "socket(AF_PACKET)");
	int err = setup_ring(s, o, what);
	if (!err) {
		struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
					  .sll_ifindex = ifindex};
		if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)))
			err = fail(what, "bind");
	}
	int one = 1;
	if (!err && setsockopt(s->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)))
		err = fail(what, "PACKET_IGNORE_OUTGOING");
	if (!err)
		err = setup_fanout(s, o, what);
	if (err)
		bpfrt_afp_close(s);
	return err;
}

void bpfrt_afp_close(struct bpfrt_afp *s)
{
	if (s->ring)
		munmap(s->ring, s->ring_size);
	if (s->fd >= 0)
		close(s->fd);
	s->ring = NULL;
	s->fd = -1;
}

struct tpacket_block_desc *bpfrt_afp_block(struct bpfrt_afp *s)
{
	struct tpacket_block_desc *b = (void *)(s->ring + (size_t)s->cur * s->block_size);
	/* Acquire: the frames are the kernel's writes before it set the status. */
	if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
		return NULL;
	return b;
}

void bpfrt_afp_block_release(struct bpfrt_afp *s, struct tpacket_block_desc *b)
{
	__atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	s->cur = (s->cur + 1) % s->block_nr;
}

void bpfrt_afp_iter_init(struct bpfrt_afp_iter *it, struct tpacket_block_desc *b, uint32_t block_size)
{
	it->block = (uint8_t *)b;
	it->block_size = block_size;
	it->left = b->hdr.bh1.num_pkts;
	it->off = b->hdr.bh1.offset_to_first_pkt;
}

/* The ring is shared with the kernel, but a block handed over is not
 * written again until released; still, every offset is checked against
 * the block so a bad one can't send the walk elsewhere. */
int bpfrt_afp_frame_next(struct bpfrt_afp_iter *it, struct bpfrt_afp_frame *f)
{
	if (!it->left)
		return 0;
	uint32_t bs = it->block_size, off = it->off;
	if (off < sizeof(struct tpacket_block_desc) || off > bs || bs - off < TPACKET3_HDRLEN)
		goto bad;
	const struct tpacket3_hdr *h = (const void *)(it->block + off);
	uint32_t mac = h->tp_mac, snap = h->tp_snaplen;
	if (mac < TPACKET3_HDRLEN || mac > bs - off || snap > bs - off - mac)
		goto bad;
	uint32_t end = off + mac + snap; /* where this frame's bytes stop */
	uint32_t next = h->tp_next_offset ? off + h->tp_next_offset : bs;
	if (it->left > 1 && (!h->tp_next_offset || h->tp_next_offset > bs - off))
		goto bad;
	if (next < end)
		goto bad;
	const struct sockaddr_ll *sll = (const void *)((const uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
	f->data = it->block + off + mac;
	f->len = snap;
	f->wire_len = h->tp_len;
	f->headroom = mac - (uint32_t)TPACKET3_HDRLEN;
	f->tailroom = next - end; /* the last frame owns the rest of the block */
	f->status = h->tp_status;
	f->pkttype = sll->sll_pkttype;
	f->ifindex = sll->sll_ifindex;
	it->left--;
	it->off = next;
	return 1;
bad:
	it->left = 0;
	return -EINVAL;
}

uint64_t bpfrt_afp_drops(struct bpfrt_afp *s)
{
	struct tpacket_stats_v3 st = {0};
	socklen_t len = sizeof(st);
	if (getsockopt(s->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		return 0;
	return st.tp_drops;
}
