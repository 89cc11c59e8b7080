/* netns_tool.c — the small programs tests/hooks/netns_xdp.sh runs inside
 * its namespaces, so the test needs nothing beyond iproute2 and ping:
 *
 *   netns_tool offload-off IFACE         turn off checksum offload, SG, TSO,
 *                                        GSO and GRO (SIOCETHTOOL, as
 *                                        `ethtool -K IFACE tx off sg off ...`)
 *   netns_tool gro-on IFACE              turn GRO on
 *   netns_tool tso-off IFACE             the same but checksum offload stays
 *                                        on (frames leave with unfinished
 *                                        TCP/UDP checksums)
 *   netns_tool tcp-serve ADDR PORT BYTES accept one connection, expect BYTES
 *                                        bytes of the test pattern, exit 0 if
 *                                        they arrived exactly
 *   netns_tool tcp-send ADDR PORT BYTES  connect (retrying for 3 s) and send
 *                                        BYTES bytes of the pattern
 *   netns_tool blast IFACE SECONDS       send 60-byte IPv4/UDP frames (to
 *                                        10.0.0.99, broadcast MAC) as fast as
 *                                        sendmmsg goes; print frames sent
 *                                        (bench/live_veth.sh)
 *
 * Every wait has a deadline so a broken data path fails the test instead of
 * hanging it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 8000

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 8) + (i >> 16));
}

static int ethtool_set_to(int s, const char *ifname, uint32_t cmd, const char *name, uint32_t value)
{
	struct ethtool_value ev = {.cmd = cmd, .data = value};
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strnlen(ifname, IFNAMSIZ - 1));
	ifr.ifr_data = (void *)&ev;
	if (ioctl(s, SIOCETHTOOL, &ifr) && errno != EOPNOTSUPP) {
		fprintf(stderr, "netns_tool: %s: %s %s: %s\n", ifname, name, value ? "on" : "off", strerror(errno));
		return 1;
	}
	return 0;
}

static int ethtool_set(int s, const char *ifname, uint32_t cmd, const char *name)
{
	return ethtool_set_to(s, ifname, cmd, name, 0);
}

static int offload_off(const char *ifname, bool keep_csum)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		perror("netns_tool: socket");
		return 1;
	}
	int rc = (keep_csum ? 0 : ethtool_set(s, ifname, ETHTOOL_STXCSUM, "tx checksum")) |
		 ethtool_set(s, ifname, ETHTOOL_SSG, "sg") | ethtool_set(s, ifname, ETHTOOL_STSO, "tso") |
		 ethtool_set(s, ifname, ETHTOOL_SGSO, "gso") | ethtool_set(s, ifname, ETHTOOL_SGRO, "gro");
	close(s);
	return rc;
}

static int parse_addr(const char *a, const char *port, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, a, &sin->sin_addr) != 1) {
		fprintf(stderr, "netns_tool: bad IPv4 address '%s'\n", a);
		return -1;
	}
	return 0;
}

static int wait_fd(int fd, short ev)
{
	struct pollfd p = {.fd = fd, .events = ev};
	int n = poll(&p, 1, DEADLINE_MS);
	if (n <= 0) {
		fprintf(stderr, "netns_tool: %s\n", n ? strerror(errno) : "timed out");
		return -1;
	}
	return 0;
}

static int tcp_serve(const char *addr, const char *port, uint64_t bytes)
{
	struct sockaddr_in sin;
	if (parse_addr(addr, port, &sin))
		return 2;
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&sin, sizeof(sin)) || listen(ls, 1)) {
		perror("netns_tool: listen");
		return 1;
	}
	if (wait_fd(ls, POLLIN))
		return 1;
	int c = accept(ls, NULL, NULL);
	if (c < 0) {
		perror("netns_tool: accept");
		return 1;
	}
	uint8_t buf[65536];
	uint64_t got = 0;
	for (;;) {
		if (wait_fd(c, POLLIN))
			return 1;
		ssize_t n = read(c, buf, sizeof(buf));
		if (n < 0) {
			perror("netns_tool: read");
			return 1;
		}
		if (!n)
			break;
		for (ssize_t k = 0; k < n; k++, got++)
			if (got >= bytes || buf[k] != pattern(got)) {
				fprintf(stderr, "netns_tool: byte %llu differs (or is extra)\n", (unsigned long long)got);
				return 1;
			}
	}
	if (got != bytes) {
		fprintf(stderr, "netns_tool: received %llu of %llu bytes\n", (unsigned long long)got,
			(unsigned long long)bytes);
		return 1;
	}
	printf("received %llu bytes, content exact\n", (unsigned long long)got);
	return 0;
}

static int tcp_send(const char *addr, const char *port, uint64_t bytes)
{
	struct sockaddr_in sin;
	if (parse_addr(addr, port, &sin))
		return 2;
	int s = -1;
	/* SO_SNDTIMEO bounds connect() too: SYNs lost in a broken data path
	 * must not block for the kernel's two minutes. */
	struct timeval tv = {.tv_sec = 1};
	for (int tries = 0; tries < 30; tries++) { /* the server may still be starting */
		s = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (!connect(s, (struct sockaddr *)&sin, sizeof(sin)))
			break;
		int e = errno;
		close(s);
		s = -1;
		if (e != ECONNREFUSED) /* a timeout: the path is broken, not the server late */
			break;
		usleep(100 * 1000);
	}
	if (s < 0) {
		fprintf(stderr, "netns_tool: can't connect to %s:%s\n", addr, port);
		return 1;
	}
	tv.tv_sec = DEADLINE_MS / 1000;
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	uint8_t buf[16384];
	for (uint64_t sent = 0; sent < bytes;) {
		size_t n = bytes - sent < sizeof(buf) ? (size_t)(bytes - sent) : sizeof(buf);
		for (size_t k = 0; k < n; k++)
			buf[k] = pattern(sent + k);
		ssize_t w = write(s, buf, n);
		if (w <= 0) {
			perror("netns_tool: write");
			return 1;
		}
		sent += (uint64_t)w;
	}
	shutdown(s, SHUT_WR);
	/* Wait for the server's close so every byte was acknowledged. */
	char c;
	if (!wait_fd(s, POLLIN))
		(void)!read(s, &c, 1);
	close(s);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int blast(const char *ifname, double secs)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(ifname)};
	if (s < 0 || !sll.sll_ifindex || bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("netns_tool: blast socket");
		return 1;
	}
	enum { BATCH = 64, LEN = 60 };
	static uint8_t frames[BATCH][LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	for (int i = 0; i < BATCH; i++) {
		uint8_t *p = frames[i];
		memset(p, 0xff, 6);
		memcpy(p + 6, "\x02\x00\x00\x00\x00\x01", 6);
		p[12] = 0x08, p[13] = 0x00;
		/* IPv4, 46 bytes, UDP, 10.0.0.1 -> 10.0.0.99 (checksum filled below) */
		uint8_t ip[20] = {0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 99};
		uint32_t sum = 0;
		for (int k = 0; k < 20; k += 2)
			sum += (uint32_t)(ip[k] << 8 | ip[k + 1]);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = ~((sum & 0xffff) + (sum >> 16)) & 0xffff;
		ip[10] = (uint8_t)(sum >> 8), ip[11] = (uint8_t)sum;
		memcpy(p + 14, ip, 20);
		uint8_t udp[8] = {0x30, 0x39, 0x30, (uint8_t)(0x39 + i), 0, 26, 0, 0}; /* ports vary: flows */
		memcpy(p + 34, udp, 8);
		iov[i] = (struct iovec){.iov_base = p, .iov_len = LEN};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
	}
	uint64_t sent = 0;
	double end = now_s() + secs;
	while (now_s() < end) {
		int n = sendmmsg(s, msgs, BATCH, 0);
		if (n > 0)
			sent += (uint64_t)n;
	}
	printf("%llu\n", (unsigned long long)sent);
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "blast"))
		return blast(argv[2], atof(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "offload-off"))
		return offload_off(argv[2], false);
	if (argc == 3 && !strcmp(argv[1], "gro-on")) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		return s < 0 || ethtool_set_to(s, argv[2], ETHTOOL_SGRO, "gro", 1);
	}
	if (argc == 3 && !strcmp(argv[1], "tso-off"))
		return offload_off(argv[2], true);
	if (argc == 5 && !strcmp(argv[1], "tcp-serve"))
		return tcp_serve(argv[2], argv[3], strtoull(argv[4], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "tcp-send"))
		return tcp_send(argv[2], argv[3], strtoull(argv[4], NULL, 0));
	fprintf(stderr, "usage: netns_tool offload-off IFACE | tso-off IFACE | gro-on IFACE | tcp-serve ADDR PORT BYTES | tcp-send ADDR PORT BYTES |\n"
			"                  blast IFACE SECONDS\n");
	return 2;
}
