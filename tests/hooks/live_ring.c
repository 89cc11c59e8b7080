/* live_ring.c — the TPACKET_V3 ring code of src/hooks/afpacket.c.
 *
 * Part 1 (any user): the frame walk on blocks built by hand — fields,
 * headroom and tailroom, and blocks whose offsets point outside them.
 * Part 2 (needs a private network namespace: root or CAP_SYS_ADMIN, else
 * skipped with a message): real sockets on the loopback of a fresh
 * namespace — each frame sent arrives once (outgoing copies ignored),
 * byte-exact, with the asked headroom; two sockets in one fanout group
 * share the frames without loss or duplicates.
 */
#define _GNU_SOURCE
#include "hooks/afpacket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <stdbool.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int failures;
#define MAX_REPORTS 20 /* a broken ring would otherwise print thousands */

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond) && failures++ < MAX_REPORTS) {                 \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
		}                                                          \
	} while (0)

/* ---- part 1: hand-built blocks ------------------------------------- */

#define BS 4096u

/* Put a frame of len bytes (value `fill`) at off with mac offset mac;
 * returns the frame header. */
static struct tpacket3_hdr *put_frame(uint8_t *blk, uint32_t off, uint32_t mac, uint32_t len, uint8_t fill,
				      uint32_t next)
{
	struct tpacket3_hdr *h = (void *)(blk + off);
	h->tp_mac = mac;
	h->tp_snaplen = len;
	h->tp_len = len;
	h->tp_next_offset = next;
	h->tp_status = TP_STATUS_USER;
	struct sockaddr_ll *sll = (void *)((uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
	sll->sll_pkttype = PACKET_HOST;
	sll->sll_ifindex = 7;
	memset(blk + off + mac, fill, len);
	return h;
}

static void test_walk(void)
{
	static uint8_t blk[BS] __attribute__((aligned(16)));
	memset(blk, 0, sizeof(blk));
	struct tpacket_block_desc *b = (void *)blk;
	uint32_t first = 48, mac = 128;
	b->hdr.bh1.offset_to_first_pkt = first;
	b->hdr.bh1.num_pkts = 3;
	put_frame(blk, first, mac, 60, 0xa1, 208);
	put_frame(blk, first + 208, mac, 70, 0xa2, 224);
	put_frame(blk, first + 432, mac, 64, 0xa3, 0);
	struct bpfrt_afp_iter it;
	struct bpfrt_afp_frame f;
	bpfrt_afp_iter_init(&it, b, BS);
	CHECK(bpfrt_afp_frame_next(&it, &f) == 1, "first frame");
	CHECK(f.data == blk + first + mac && f.len == 60 && f.wire_len == 60, "first frame's place and size");
	CHECK(f.headroom == mac - TPACKET3_HDRLEN, "headroom %u", f.headroom);
	CHECK(f.tailroom == 208 - mac - 60, "tailroom %u", f.tailroom);
	CHECK(f.pkttype == PACKET_HOST && f.ifindex == 7 && f.data[59] == 0xa1, "first frame's fields");
	CHECK(bpfrt_afp_frame_next(&it, &f) == 1 && f.len == 70 && f.data[0] == 0xa2, "second frame");
	CHECK(bpfrt_afp_frame_next(&it, &f) == 1 && f.len == 64 && f.data[63] == 0xa3, "third frame");
	CHECK(f.tailroom == BS - (first + 432 + mac + 64), "the last frame owns the block's rest: %u", f.tailroom);
	CHECK(bpfrt_afp_frame_next(&it, &f) == 0, "end of block");

	/* Broken blocks: the walk stops with -EINVAL, never reads outside. */
	struct {
		const char *what;
		uint32_t first, mac, len, next, npkts;
	} bad[] = {
		{"first frame past the block", BS - 8, 128, 60, 0, 1},
		{"first frame inside the descriptor", 4, 128, 60, 0, 1},
		{"mac offset inside the frame header", 48, 8, 60, 0, 1},
		{"snaplen past the block", 48, 128, BS, 0, 1},
		{"next offset 0 with frames left", 48, 128, 60, 0, 2},
		{"next offset past the block", 48, 128, 60, BS, 2},
		{"next frame overlaps this one", 48, 128, 60, 64, 2},
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		memset(blk, 0, sizeof(blk));
		b->hdr.bh1.offset_to_first_pkt = bad[k].first;
		b->hdr.bh1.num_pkts = bad[k].npkts;
		if (bad[k].first + sizeof(struct tpacket3_hdr) <= BS && bad[k].first >= sizeof(*b)) {
			struct tpacket3_hdr *h = (void *)(blk + bad[k].first);
			h->tp_mac = bad[k].mac;
			h->tp_snaplen = bad[k].len;
			h->tp_next_offset = bad[k].next;
		}
		bpfrt_afp_iter_init(&it, b, BS);
		CHECK(bpfrt_afp_frame_next(&it, &f) == -EINVAL, "%s: accepted", bad[k].what);
		CHECK(bpfrt_afp_frame_next(&it, &f) == 0, "%s: the walk goes on", bad[k].what);
	}
}

/* ---- part 2: real sockets on a private loopback -------------------- */

static int lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	int rc = s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) ? -1 : 0;
	ifr.ifr_flags |= IFF_UP;
	if (!rc)
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	if (s >= 0)
		close(s);
	return rc;
}

/* Frame k: broadcast Ethernet, IPv4 from 10.1.x.y (k) with the
 * experimental protocol 253 (the stack drops it), k after the header.  The
 * varying source address spreads frames over a fanout group's sockets. */
#define K_OFF 34
static uint32_t make_frame(uint8_t *p, uint32_t k)
{
	uint32_t len = 60 + (k % 7) * 100;
	memset(p, 0xff, 6);
	memset(p + 6, 0x02, 6);
	p[12] = 0x08, p[13] = 0x00;
	for (uint32_t i = 14; i < len; i++)
		p[i] = (uint8_t)(k * 7 + i);
	uint8_t ip[20] = {0x45, 0, (uint8_t)((len - 14) >> 8), (uint8_t)(len - 14), 0, 0, 0, 0, 64, 253, 0, 0,
			  10, 1, (uint8_t)(k >> 8), (uint8_t)k, 10, 0, 0, 1};
	memcpy(p + 14, ip, sizeof(ip));
	memcpy(p + K_OFF, &k, 4);
	return len;
}

static bool is_test_frame(const struct bpfrt_afp_frame *f)
{
	return f->len >= K_OFF + 4 && f->data[12] == 0x08 && f->data[13] == 0x00 && f->data[23] == 253;
}

/* Read frames from the sockets until `want` arrived or 2 s passed;
 * seen[k] counts frame k; per[] counts per socket. */
static uint32_t collect(struct bpfrt_afp *socks, int n, uint32_t want, uint8_t *seen, uint32_t *per,
			uint32_t min_headroom)
{
	uint32_t got = 0;
	for (int rounds = 0; got < want && rounds < 40; rounds++) {
		struct pollfd pfd[2];
		for (int i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = socks[i].fd, .events = POLLIN};
		poll(pfd, (nfds_t)n, 50);
		for (int i = 0; i < n; i++) {
			struct tpacket_block_desc *b;
			while ((b = bpfrt_afp_block(&socks[i]))) {
				struct bpfrt_afp_iter it;
				struct bpfrt_afp_frame f;
				bpfrt_afp_iter_init(&it, b, socks[i].block_size);
				int r;
				while ((r = bpfrt_afp_frame_next(&it, &f)) > 0) {
					if (!is_test_frame(&f))
						continue; /* anything else on lo */
					uint32_t k;
					memcpy(&k, f.data + K_OFF, 4);
					uint8_t want_frame[1024];
					uint32_t len = make_frame(want_frame, k);
					CHECK(k < 256 && f.len == len && !memcmp(f.data, want_frame, len),
					      "frame %u differs", k);
					CHECK(f.headroom >= min_headroom, "headroom %u < %u", f.headroom, min_headroom);
					CHECK(f.pkttype != PACKET_OUTGOING, "an outgoing copy came back (pkttype %u ifindex %d)", f.pkttype, f.ifindex);
					if (k < 256)
						seen[k]++;
					per[i]++;
					got++;
				}
				CHECK(r == 0, "the kernel's block failed the walk");
				bpfrt_afp_block_release(&socks[i], b);
			}
		}
	}
	return got;
}

static int send_frames(uint32_t count)
{
	int tx = socket(AF_PACKET, SOCK_RAW, 0);
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex("lo")};
	if (tx < 0 || bind(tx, (struct sockaddr *)&sll, sizeof(sll)))
		return -1;
	for (uint32_t k = 0; k < count; k++) {
		uint8_t p[1024];
		uint32_t len = make_frame(p, k);
		if (send(tx, p, len, 0) != (ssize_t)len) {
			close(tx);
			return -1;
		}
	}
	close(tx);
	return 0;
}

static void test_sockets(void)
{
	int lo = (int)if_nametoindex("lo");
	struct bpfrt_afp_opts o = {.sz = sizeof(o), .block_size = 1 << 16, .block_nr = 4, .reserve = 256,
				   .timeout_ms = 5};
	struct bpfrt_afp s;
	const char *what = NULL;
	int e = bpfrt_afp_open(&s, lo, &o, &what);
	CHECK(!e, "open on lo: %s: %s", what, strerror(-e));
	if (e)
		return;
	uint8_t seen[256] = {0};
	uint32_t per[2] = {0};
	CHECK(!send_frames(100), "sending on lo: %s", strerror(errno));
	uint32_t got = collect(&s, 1, 100, seen, per, 256);
	CHECK(got == 100, "received %u of 100 frames", got);
	for (uint32_t k = 0; k < 100; k++)
		CHECK(seen[k] == 1, "frame %u seen %u times", k, seen[k]);
	CHECK(bpfrt_afp_drops(&s) == 0, "ring drops");
	bpfrt_afp_close(&s);

	/* A fanout group of two: every frame exactly once over both. */
	struct bpfrt_afp g[2];
	struct bpfrt_afp_opts o1 = o, o2 = o;
	o1.new_fanout = true;
	e = bpfrt_afp_open(&g[0], lo, &o1, &what);
	CHECK(!e, "fanout create: %s: %s", what, strerror(-e));
	if (e)
		return;
	o2.join_fanout = true;
	o2.fanout_id = o1.fanout_id;
	e = bpfrt_afp_open(&g[1], lo, &o2, &what);
	CHECK(!e, "fanout join %u: %s: %s", o1.fanout_id, what, strerror(-e));
	if (!e) {
		memset(seen, 0, sizeof(seen));
		per[0] = per[1] = 0;
		CHECK(!send_frames(200), "sending on lo");
		got = collect(g, 2, 200, seen, per, 256);
		CHECK(got == 200, "fanout: received %u of 200", got);
		for (uint32_t k = 0; k < 200; k++)
			CHECK(seen[k] == 1, "fanout: frame %u seen %u times", k, seen[k]);
		CHECK(per[0] && per[1], "fanout: one socket got everything (%u / %u)", per[0], per[1]);
		bpfrt_afp_close(&g[1]);
	}
	bpfrt_afp_close(&g[0]);

	/* Errors name their step. */
	e = bpfrt_afp_open(&s, 1 << 30, &o, &what);
	CHECK(e == -ENODEV && what && !strcmp(what, "bind"), "unknown ifindex: %d %s", e, what ? what : "");
}

int main(void)
{
	test_walk();
	if (unshare(CLONE_NEWNET) || lo_up()) {
		fprintf(stderr, "live_ring: no private network namespace (%s): socket part skipped\n",
			strerror(errno));
	} else {
		test_sockets();
	}
	if (failures) {
		fprintf(stderr, "live_ring: %d failures\n", failures);
		return 1;
	}
	printf("live_ring: ok\n");
	return 0;
}
