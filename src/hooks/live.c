/* live.c — XDP on live interfaces (see live.h): setup of the rings, TAP and
 * runners; the worker loop; the verdicts' actions; the counters.
 *
 * Invariants: a worker touches only its own sockets, runner and counters
 * (the TAP fd is shared: one write() is one frame, atomic); the main thread
 * reads counters with relaxed atomic loads and stops workers through an
 * eventfd every worker polls.
 */
#define _GNU_SOURCE
#include "hooks/live.h"

#include "hooks/afpacket.h"
#include "hooks/live_csum.h"
#include "hooks/tap.h"
#include "hooks/xdp.h"
#include "core/prog.h"
#include "maps/map.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#define ETH_HLEN 14
#define MAX_DEVS 16
#define MAX_EXTRA 16   /* redirect targets besides the attached interfaces, per worker */
#define POLL_MS 200

struct live_counters {
	uint64_t rx_packets, rx_bytes;
	uint64_t packets[BPFRT_LIVE_VERDICTS], bytes[BPFRT_LIVE_VERDICTS];
	uint64_t faults, bad_verdicts, pass_dropped, redirect_errors, tx_errors, oversize;
};

struct live_target {
	int ifindex;
	int fd; /* -1: the interface could not be opened (remembered, not retried) */
};

/* Frames to send, copied out of the runner's page (reused by the next
 * run) and sent with one sendmmsg per run of one socket: a system call per
 * batch, not per frame. */
#define TXQ_LEN 64
struct live_txq {
	uint32_t n;
	int fd[TXQ_LEN];
	struct iovec iov[TXQ_LEN];
	struct mmsghdr msg[TXQ_LEN];
	uint8_t (*data)[BPFRT_PKT_BUF_SIZE]; /* TXQ_LEN slots: a frame after the run may be longer
						 than it came in (bpf_xdp_adjust_head/tail), never
						 longer than the runner's page */
};

struct live_worker {
	struct live_txq txq;
	struct bpfrt_live *l;
	uint32_t idx;
	pthread_t thread;
	bool started;
	struct bpfrt_pkt_runner runner;
	struct bpfrt_afp socks[MAX_DEVS]; /* one per interface */
	struct live_target extra[MAX_EXTRA];
	uint32_t nr_extra;
	struct live_counters c; /* written by this worker only */
};

struct bpfrt_live {
	struct bpfrt *rt;
	uint32_t nr_devs, nr_workers;
	char names[MAX_DEVS][IFNAMSIZ];
	int ifindex[MAX_DEVS];
	uint32_t merging[MAX_DEVS]; /* BPFRT_LIVE_GRO | BPFRT_LIVE_LRO: offloads on at open */
	int tap_fd;
	char tap_name[IFNAMSIZ];
	int stop_fd; /* eventfd: readable once the workers must stop */
	uint64_t ring_drops;
	struct live_worker *w;
};

static int fail(char *err, size_t errlen, int e, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return e;
}

/* Counters: one writer (the worker), readers elsewhere. */
static inline void bump(uint64_t *c, uint64_t by)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + by, __ATOMIC_RELAXED);
}

static uint32_t default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	uint32_t possible = bpfrt_possible_cpus();
	uint32_t w = n > 0 ? (uint32_t)n : 1;
	return w > possible ? possible : w;
}

/* ---- sending ------------------------------------------------------- */

/* A send-only packet socket on ifindex: protocol 0 receives nothing. */
static int open_target(int ifindex)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = ifindex};
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The worker's socket that sends out of ifindex: its ring socket for an
 * attached interface, else a send-only socket opened on first use. */
static int target_fd(struct live_worker *w, int ifindex)
{
	struct bpfrt_live *l = w->l;
	for (uint32_t i = 0; i < l->nr_devs; i++)
		if (l->ifindex[i] == ifindex)
			return w->socks[i].fd;
	for (uint32_t i = 0; i < w->nr_extra; i++)
		if (w->extra[i].ifindex == ifindex)
			return w->extra[i].fd;
	if (w->nr_extra == MAX_EXTRA)
		return -1;
	int fd = open_target(ifindex);
	w->extra[w->nr_extra++] = (struct live_target){.ifindex = ifindex, .fd = fd};
	return fd;
}

/* Send the queued frames: consecutive frames for one socket go in one
 * sendmmsg.  Never block a worker on one slow interface: a full queue
 * drops the frame (tx_errors), as a NIC's full ring would. */
static void txq_flush(struct live_worker *w)
{
	struct live_txq *q = &w->txq;
	for (uint32_t i = 0; i < q->n;) {
		uint32_t j = i + 1;
		while (j < q->n && q->fd[j] == q->fd[i])
			j++;
		while (i < j) {
			int sent = sendmmsg(q->fd[i], &q->msg[i], j - i, MSG_DONTWAIT);
			if (sent <= 0) { /* the frame at i failed: count it, go on */
				bump(&w->c.tx_errors, 1);
				sent = 1;
			}
			i += (uint32_t)sent;
		}
	}
	q->n = 0;
}

static void send_frame(struct live_worker *w, int fd, const uint8_t *data, uint32_t len)
{
	struct live_txq *q = &w->txq;
	if (len > sizeof(q->data[0])) { /* can't happen: a frame lives in one page */
		bump(&w->c.tx_errors, 1);
		return;
	}
	if (q->n == TXQ_LEN)
		txq_flush(w);
	uint32_t k = q->n++;
	memcpy(q->data[k], data, len);
	q->fd[k] = fd;
	q->iov[k] = (struct iovec){.iov_base = q->data[k], .iov_len = len};
	q->msg[k] = (struct mmsghdr){.msg_hdr = {.msg_iov = &q->iov[k], .msg_iovlen = 1}};
}

/* ---- one frame ------------------------------------------------------ */

/* The device map a broadcast names: one of the program's maps. */
static struct bpfrt_map *devmap_of(struct live_worker *w, uint32_t map_id)
{
	const struct bpfrt_prog *p = w->runner.prog;
	for (uint32_t i = 0; i < p->nr_maps; i++) {
		struct bpfrt_map *m = p->maps[i];
		if (m->obj.id == map_id && (m->type == BPF_MAP_TYPE_DEVMAP || m->type == BPF_MAP_TYPE_DEVMAP_HASH))
			return m;
	}
	return NULL;
}

/* BPF_F_BROADCAST: a copy out of every device of the map (the kernel's
 * dev_map_enqueue_multi), the ingress device left out under
 * BPF_F_EXCLUDE_INGRESS.  A value starts with the ifindex (4 bytes, or
 * struct bpf_devmap_val); empty DEVMAP slots look up as absent. */
static void do_broadcast(struct live_worker *w, uint32_t ingress, const struct bpfrt_pkt_result *res)
{
	const struct bpfrt_redirect_info *ri = &res->redirect;
	struct bpfrt_map *m = devmap_of(w, ri->map_id);
	if (!m) {
		bump(&w->c.redirect_errors, 1);
		return;
	}
	uint32_t key = 0, next = 0;
	const void *prev = NULL;
	for (uint32_t n = 0; n < m->max_entries && !m->ops->get_next_key(m, prev, &next); n++) {
		key = next;
		prev = &key;
		const uint32_t *v = m->ops->lookup(m, &key);
		if (!v || !*v || ((ri->flags & BPF_F_EXCLUDE_INGRESS) && *v == ingress))
			continue;
		int fd = target_fd(w, (int)*v);
		if (fd < 0)
			bump(&w->c.redirect_errors, 1);
		else
			send_frame(w, fd, res->data, res->len);
	}
}

static void do_redirect(struct live_worker *w, uint32_t ingress, const struct bpfrt_pkt_result *res)
{
	const struct bpfrt_redirect_info *ri = &res->redirect;
	if (ri->flags & BPF_F_BROADCAST) {
		do_broadcast(w, ingress, res);
		return;
	}
	/* bpfrt has no AF_XDP sockets or remote CPUs to hand a frame to. */
	if (!ri->ifindex || ri->map_type == BPF_MAP_TYPE_XSKMAP || ri->map_type == BPF_MAP_TYPE_CPUMAP) {
		bump(&w->c.redirect_errors, 1);
		return;
	}
	int fd = target_fd(w, (int)ri->ifindex);
	if (fd < 0) {
		bump(&w->c.redirect_errors, 1);
		return;
	}
	send_frame(w, fd, res->data, res->len);
}

static void handle_frame(struct live_worker *w, uint32_t dev, const struct bpfrt_afp_frame *f)
{
	struct bpfrt_live *l = w->l;
	if (f->pkttype == PACKET_OUTGOING)
		return; /* our own sends, on kernels that ignore PACKET_IGNORE_OUTGOING in fanout groups */
	bump(&w->c.rx_packets, 1);
	bump(&w->c.rx_bytes, f->wire_len);
	/* A frame longer than the ring kept or than an XDP frame holds comes
	 * from GRO/TSO on the sending side: bpfrt does not split it. */
	if (f->wire_len != f->len || f->len < ETH_HLEN || f->len > BPFRT_PKT_MAX_LEN) {
		bump(&w->c.oversize, 1);
		return;
	}
	struct bpfrt_pkt_meta meta = {.ingress_ifindex = (uint32_t)l->ifindex[dev], .rx_queue_index = 0};
	struct bpfrt_pkt_result res;
	memcpy(bpfrt_pkt_runner_rx_buf(&w->runner), f->data, f->len);
	/* A local sender's checksum offload left the TCP/UDP checksum to the
	 * hardware; finish it, as the hardware would have before anyone saw
	 * the frame (hooks/live_csum.h). */
	if (f->status & TP_STATUS_CSUMNOTREADY)
		bpfrt_live_csum_complete(bpfrt_pkt_runner_rx_buf(&w->runner), f->len);
	bpfrt_pkt_run_inplace(&w->runner, f->len, &meta, &res);
	uint32_t v = res.verdict;
	if (res.err)
		bump(&w->c.faults, 1);
	else if (v >= BPFRT_LIVE_VERDICTS)
		bump(&w->c.bad_verdicts, 1);
	if (res.err || v >= BPFRT_LIVE_VERDICTS)
		v = XDP_ABORTED;
	bump(&w->c.packets[v], 1);
	bump(&w->c.bytes[v], f->len);
	switch (v) {
	case XDP_TX:
		send_frame(w, w->socks[dev].fd, res.data, res.len);
		break;
	case XDP_REDIRECT:
		do_redirect(w, meta.ingress_ifindex, &res);
		break;
	case XDP_PASS:
		if (l->tap_fd < 0)
			bump(&w->c.pass_dropped, 1);
		else if (write(l->tap_fd, res.data, res.len) != (ssize_t)res.len)
			bump(&w->c.tx_errors, 1);
		break;
	default: /* XDP_DROP, XDP_ABORTED */
		break;
	}
}

/* ---- the worker ---------------------------------------------------- */

static bool drain(struct live_worker *w, uint32_t dev)
{
	struct bpfrt_afp *s = &w->socks[dev];
	struct tpacket_block_desc *b;
	bool any = false;
	while ((b = bpfrt_afp_block(s))) {
		struct bpfrt_afp_iter it;
		struct bpfrt_afp_frame f;
		bpfrt_afp_iter_init(&it, b, s->block_size);
		while (bpfrt_afp_frame_next(&it, &f) > 0)
			handle_frame(w, dev, &f);
		bpfrt_afp_block_release(s, b);
		txq_flush(w);
		any = true;
	}
	return any;
}

static void pin_to_cpu(uint32_t cpu)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	if (online <= 0 || cpu >= (uint32_t)online)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* Best effort: a cpuset may forbid it; the CPU identity stays. */
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *worker_main(void *arg)
{
	struct live_worker *w = arg;
	struct bpfrt_live *l = w->l;
	struct pollfd pfd[MAX_DEVS + 1];
	for (uint32_t i = 0; i < l->nr_devs; i++)
		pfd[i] = (struct pollfd){.fd = w->socks[i].fd, .events = POLLIN | POLLERR};
	pfd[l->nr_devs] = (struct pollfd){.fd = l->stop_fd, .events = POLLIN};
	pin_to_cpu(w->idx);
	for (;;) {
		bool any = false;
		for (uint32_t i = 0; i < l->nr_devs; i++)
			any |= drain(w, i);
		if (any)
			continue;
		if (poll(pfd, l->nr_devs + 1, POLL_MS) < 0 && errno != EINTR)
			break;
		if (pfd[l->nr_devs].revents & POLLIN)
			break;
		/* An interface going down or away leaves an error on its
		 * sockets: reading it clears it, or poll would return at once
		 * forever.  The socket resumes if the interface comes back up. */
		for (uint32_t i = 0; i < l->nr_devs; i++)
			if (pfd[i].revents & POLLERR) {
				int e = 0;
				socklen_t n = sizeof(e);
				getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &e, &n);
			}
	}
	/* Frames that arrived before the stop still get their verdict: the
	 * kernel hands over a partly filled block when its timer fires. */
	uint32_t wait_ms = 0;
	for (uint32_t i = 0; i < l->nr_devs; i++)
		wait_ms = w->socks[i].timeout_ms > wait_ms ? w->socks[i].timeout_ms : wait_ms;
	poll(NULL, 0, (int)(2 * wait_ms + 5));
	for (uint32_t i = 0; i < l->nr_devs; i++)
		drain(w, i);
	return NULL;
}

/* ---- setup --------------------------------------------------------- */

static int open_worker_socks(struct bpfrt_live *l, struct bpfrt_afp_opts *base, char *err, size_t errlen)
{
	for (uint32_t d = 0; d < l->nr_devs; d++) {
		struct bpfrt_afp_opts o = *base;
		for (uint32_t k = 0; k < l->nr_workers; k++) {
			o.new_fanout = l->nr_workers > 1 && k == 0;
			o.join_fanout = l->nr_workers > 1 && k > 0;
			const char *what = "";
			int e = bpfrt_afp_open(&l->w[k].socks[d], l->ifindex[d], &o, &what);
			if (e)
				return fail(err, errlen, e, "device '%s': %s: %s", l->names[d], what, strerror(-e));
		}
	}
	return 0;
}

static bool ethtool_get(int s, const char *name, uint32_t cmd, uint32_t *out)
{
	struct ethtool_value ev = {.cmd = cmd};
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	ifr.ifr_data = (void *)&ev;
	if (ioctl(s, SIOCETHTOOL, &ifr))
		return false;
	*out = ev.data;
	return true;
}

/* GRO and LRO merge frames before AF_PACKET sees them: bpfrt drops what
 * an XDP frame cannot hold, so callers warn about them. */
static uint32_t merging_offloads(const char *name)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 0;
	uint32_t v = 0, r = 0;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	if (!ioctl(s, SIOCGIFFLAGS, &ifr) && (ifr.ifr_flags & IFF_LOOPBACK)) {
		close(s); /* loopback hands frames over one by one whatever its GRO flag */
		return 0;
	}
	if (ethtool_get(s, name, ETHTOOL_GGRO, &v) && v)
		r |= BPFRT_LIVE_GRO;
	if (ethtool_get(s, name, ETHTOOL_GFLAGS, &v) && (v & ETH_FLAG_LRO))
		r |= BPFRT_LIVE_LRO;
	close(s);
	return r;
}

static int resolve_devs(struct bpfrt_live *l, const struct bpfrt_live_opts *o, char *err, size_t errlen)
{
	if (!o->devs || !o->nr_devs)
		return fail(err, errlen, -EINVAL, "no device given");
	if (o->nr_devs > MAX_DEVS)
		return fail(err, errlen, -E2BIG, "at most %d devices", MAX_DEVS);
	for (uint32_t i = 0; i < o->nr_devs; i++) {
		const char *n = o->devs[i];
		if (!n || !n[0] || strlen(n) >= IFNAMSIZ)
			return fail(err, errlen, -ENODEV, "device '%s': not a valid interface name", n ? n : "");
		unsigned idx = if_nametoindex(n);
		if (!idx)
			return fail(err, errlen, -ENODEV, "device '%s' not found", n);
		for (uint32_t k = 0; k < i; k++)
			if (l->ifindex[k] == (int)idx)
				return fail(err, errlen, -EINVAL, "device '%s' given twice", n);
		snprintf(l->names[i], IFNAMSIZ, "%s", n);
		l->ifindex[i] = (int)idx;
		l->merging[i] = merging_offloads(n);
	}
	l->nr_devs = o->nr_devs;
	return 0;
}

static int open_runners(struct bpfrt_live *l, int prog_fd, char *err, size_t errlen)
{
	struct bpf_prog_info info;
	memset(&info, 0, sizeof(info));
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)prog_fd;
	a.info.info = (uintptr_t)&info;
	a.info.info_len = sizeof(info);
	int e = bpfrt_bpf(l->rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
	if (e)
		return fail(err, errlen, e, "can't read the program: %s", strerror(-e));
	if (info.type != BPF_PROG_TYPE_XDP)
		return fail(err, errlen, -EINVAL, "program '%s' is not an XDP program (type %u)", info.name, info.type);
	for (uint32_t k = 0; k < l->nr_workers; k++) {
		e = bpfrt_pkt_runner_init(&l->w[k].runner, l->rt, prog_fd, (int)k);
		if (e)
			return fail(err, errlen, e, "worker %u: can't prepare the program: %s", k, strerror(-e));
	}
	return 0;
}

int bpfrt_live_open(struct bpfrt *rt, int prog_fd, const struct bpfrt_live_opts *o, struct bpfrt_live **out,
		    char *err, size_t errlen)
{
	*out = NULL;
	struct bpfrt_live *l = calloc(1, sizeof(*l));
	if (!l)
		return fail(err, errlen, -ENOMEM, "out of memory");
	l->rt = rt;
	l->tap_fd = l->stop_fd = -1;
	int e = resolve_devs(l, o, err, errlen);
	if (e)
		goto out;
	l->nr_workers = o->workers ? o->workers : default_workers();
	if (l->nr_workers > bpfrt_possible_cpus()) {
		e = fail(err, errlen, -EINVAL, "%u workers: more than the %u possible CPUs", l->nr_workers,
			 bpfrt_possible_cpus());
		goto out;
	}
	l->w = calloc(l->nr_workers, sizeof(*l->w));
	if (!l->w) {
		e = fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t k = 0; k < l->nr_workers; k++) {
		l->w[k].l = l;
		l->w[k].idx = k;
		for (uint32_t d = 0; d < MAX_DEVS; d++)
			l->w[k].socks[d].fd = -1;
	}
	for (uint32_t k = 0; k < l->nr_workers; k++) {
		l->w[k].txq.data = malloc(TXQ_LEN * sizeof(*l->w[k].txq.data));
		if (!l->w[k].txq.data) {
			e = fail(err, errlen, -ENOMEM, "out of memory");
			goto out;
		}
	}
	l->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->stop_fd < 0) {
		e = fail(err, errlen, -errno, "eventfd: %s", strerror(errno));
		goto out;
	}
	e = open_runners(l, prog_fd, err, errlen);
	if (e)
		goto out;
	struct bpfrt_afp_opts ao = {.sz = sizeof(ao), .block_size = o->block_size, .block_nr = o->block_nr};
	e = open_worker_socks(l, &ao, err, errlen);
	if (e)
		goto out;
	if (o->tap) {
		const char *what = "";
		l->tap_fd = bpfrt_tap_open(o->tap, l->tap_name, &what);
		if (l->tap_fd < 0) {
			e = fail(err, errlen, l->tap_fd, "tap '%s': %s: %s", o->tap, what, strerror(-l->tap_fd));
			goto out;
		}
	}
	*out = l;
	return 0;
out:
	bpfrt_live_close(l);
	return e;
}

int bpfrt_live_start(struct bpfrt_live *l, char *err, size_t errlen)
{
	for (uint32_t k = 0; k < l->nr_workers; k++) {
		int e = pthread_create(&l->w[k].thread, NULL, worker_main, &l->w[k]);
		if (e)
			return fail(err, errlen, -e, "can't start worker %u: %s", k, strerror(e));
		l->w[k].started = true;
	}
	return 0;
}

static void add_counters(struct bpfrt_live_stats *s, const struct live_counters *c)
{
#define LD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
	s->rx_packets += LD(c->rx_packets);
	s->rx_bytes += LD(c->rx_bytes);
	for (int v = 0; v < BPFRT_LIVE_VERDICTS; v++) {
		s->packets[v] += LD(c->packets[v]);
		s->bytes[v] += LD(c->bytes[v]);
	}
	s->faults += LD(c->faults);
	s->bad_verdicts += LD(c->bad_verdicts);
	s->pass_dropped += LD(c->pass_dropped);
	s->redirect_errors += LD(c->redirect_errors);
	s->tx_errors += LD(c->tx_errors);
	s->oversize += LD(c->oversize);
#undef LD
}

void bpfrt_live_stats(struct bpfrt_live *l, struct bpfrt_live_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t k = 0; k < l->nr_workers; k++) {
		add_counters(s, &l->w[k].c);
		for (uint32_t d = 0; d < l->nr_devs; d++)
			if (l->w[k].socks[d].fd >= 0)
				l->ring_drops += bpfrt_afp_drops(&l->w[k].socks[d]);
	}
	s->ring_drops = l->ring_drops;
}

void bpfrt_live_stop(struct bpfrt_live *l)
{
	if (l->stop_fd >= 0) {
		uint64_t one = 1;
		(void)!write(l->stop_fd, &one, sizeof(one));
	}
	for (uint32_t k = 0; l->w && k < l->nr_workers; k++) {
		if (l->w[k].started)
			pthread_join(l->w[k].thread, NULL);
		l->w[k].started = false;
	}
}

void bpfrt_live_close(struct bpfrt_live *l)
{
	if (!l)
		return;
	bpfrt_live_stop(l);
	for (uint32_t k = 0; l->w && k < l->nr_workers; k++) {
		struct live_worker *w = &l->w[k];
		for (uint32_t d = 0; d < MAX_DEVS; d++)
			if (w->socks[d].fd >= 0)
				bpfrt_afp_close(&w->socks[d]);
		for (uint32_t i = 0; i < w->nr_extra; i++)
			if (w->extra[i].fd >= 0)
				close(w->extra[i].fd);
		if (w->runner.prog)
			bpfrt_pkt_runner_fini(&w->runner);
		free(w->txq.data);
	}
	free(l->w);
	if (l->tap_fd >= 0)
		close(l->tap_fd);
	if (l->stop_fd >= 0)
		close(l->stop_fd);
	free(l);
}

uint32_t bpfrt_live_nr_workers(const struct bpfrt_live *l)
{
	return l->nr_workers;
}

const char *bpfrt_live_dev_name(const struct bpfrt_live *l, uint32_t i, int *ifindex)
{
	if (i >= l->nr_devs)
		return NULL;
	if (ifindex)
		*ifindex = l->ifindex[i];
	return l->names[i];
}

uint32_t bpfrt_live_dev_merging(const struct bpfrt_live *l, uint32_t i)
{
	return i < l->nr_devs ? l->merging[i] : 0;
}

const char *bpfrt_live_tap_name(const struct bpfrt_live *l)
{
	return l->tap_fd >= 0 ? l->tap_name : NULL;
}
