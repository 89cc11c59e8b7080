/* test_cbpf_pcap_oracle.c — libpcap's own verdicts as the oracle of the
 * translation, packet by packet: for each tcpdump expression, every packet
 * of a generated capture (filter_gen, fixed seed) goes through
 * pcap_offline_filter (libpcap's bpf_filter interpreter on the program
 * pcap_compile made) and through bpfrt's translation of the same program
 * in both socket filter flavours on the JIT, the interpreter and the
 * checked interpreter; the results (bytes to keep, not only pass/drop)
 * must be equal.  Complements hooks.filter_vs_tcpdump, which compares
 * whole output files of one engine.
 * Usage: test_cbpf_pcap_oracle PATH/TO/filter_gen
 */
/* pcap.h and <linux/bpf.h> both define struct bpf_insn: libpcap's is
 * renamed here (same layout as struct sock_filter). */
#define bpf_insn pcap_bpf_insn
#include <pcap.h>
#undef bpf_insn

#include "bpfrt/cbpf.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NR_PKTS 3000

static const char *const exprs[] = {
	"tcp", "udp", "icmp", "icmp6", "arp", "ip6", "host 10.0.0.1", "net 10.0.0.0/8",
	"tcp port 443 and host 10.0.0.1", "udp port 53", "portrange 1000-2000", "vlan", "vlan 10",
	"vlan and tcp", "vlan and vlan 20", "tcp[tcpflags] & tcp-syn != 0", "ip[8] < 64", "len > 100",
	"greater 500", "less 80", "ether host 00:11:22:33:44:55", "ether multicast", "ip proto 47",
	"ip[6:2] & 0x1fff != 0", "ip[0] & 0xf > 5", "not ip and not ip6", "(tcp or udp) and not port 53",
	"ip6 and tcp port 80", "dst host ff02::1", "icmp[icmptype] == icmp-echo", "icmp6 and ip6[40] == 128",
	"ip broadcast", "arp and arp[7] == 2", "udp[8:2] > 1000", "tcp[((tcp[12] & 0xf0) >> 2):1] > 100",
	"ip[2:2] - ((ip[0] & 0xf) * 4) > 40", "ether[0] & 1 = 0 and ip[16] >= 224",
};

struct pkts {
	struct pcap_pkthdr hdr[NR_PKTS];
	uint8_t *data[NR_PKTS];
	uint32_t n;
};

static int read_capture(const char *path, struct pkts *p, pcap_t **handle)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *h = pcap_open_offline(path, err);
	if (!h) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	struct pcap_pkthdr *hdr;
	const u_char *data;
	while (p->n < NR_PKTS && pcap_next_ex(h, &hdr, &data) == 1) {
		p->hdr[p->n] = *hdr;
		p->data[p->n] = malloc(hdr->caplen ? hdr->caplen : 1);
		memcpy(p->data[p->n], data, hdr->caplen);
		p->n++;
	}
	*handle = h;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH/TO/filter_gen\n", argv[0]);
		return 2;
	}
	char path[] = "/tmp/bpfrt-cbpf-oracle-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "'%s' '%s' %d 31337 pcap", argv[1], path, NR_PKTS);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s failed\n", cmd);
		unlink(path);
		return 1;
	}
	static struct pkts pk;
	pcap_t *h = NULL;
	int rc = read_capture(path, &pk, &h);
	unlink(path);
	if (rc)
		return 1;

	static const int engines[3] = {BPFRT_ENGINE_JIT, BPFRT_ENGINE_INTERP, BPFRT_ENGINE_CHECKED};
	struct bpfrt *rts[3];
	for (int e = 0; e < 3; e++) {
		struct bpfrt_opts o = {.sz = sizeof(o), .engine = (uint32_t)engines[e]};
		rts[e] = bpfrt_new(&o);
		if (!rts[e]) {
			perror("bpfrt_new");
			return 1;
		}
	}
	const enum bpfrt_cbpf_flavor flavors[2] = {BPFRT_CBPF_SOCKET_FILTER, BPFRT_CBPF_SOCKET_FILTER_DIRECT};
	uint64_t verdicts = 0, passed = 0;
	for (size_t x = 0; x < sizeof(exprs) / sizeof(exprs[0]); x++) {
		struct bpf_program prog;
		if (pcap_compile(h, &prog, exprs[x], 1, 0) < 0) {
			CHECK(0, "'%s': %s", exprs[x], pcap_geterr(h));
			continue;
		}
		const struct sock_filter *insns = (const struct sock_filter *)prog.bf_insns;
		uint32_t bad = 0;
		for (int fl = 0; fl < 2; fl++) {
			for (int e = 0; e < 3; e++) {
				struct bpfrt_diag d = {0};
				int pfd = bpfrt_cbpf_load(rts[e], insns, prog.bf_len, flavors[fl], NULL, &d);
				CHECK(pfd >= 0, "'%s' flavour %d: %s", exprs[x], flavors[fl], d.msg);
				if (pfd < 0)
					continue;
				struct bpfrt_sock_filter_meta meta = {.ethernet = true};
				struct bpfrt_sock_filter *f = NULL;
				CHECK(bpfrt_sock_filter_new(rts[e], pfd, &meta, &f) == 0, "filter_new");
				for (uint32_t i = 0; f && i < pk.n && bad < 3; i++) {
					uint32_t want = (uint32_t)pcap_offline_filter(&prog, &pk.hdr[i], pk.data[i]);
					uint32_t got = 0;
					int err = bpfrt_sock_filter_run(f, pk.data[i], pk.hdr[i].caplen, pk.hdr[i].len, &got, &d);
					verdicts++;
					passed += got != 0;
					if (err || got != want) {
						bad++;
						CHECK(0, "'%s' flavour %d engine %d packet %u: bpfrt %u (err %d %s), libpcap %u",
						      exprs[x], flavors[fl], engines[e], i, got, err, d.msg, want);
					}
				}
				bpfrt_sock_filter_free(f);
				bpfrt_close(rts[e], pfd);
			}
		}
		pcap_freecode(&prog);
	}
	printf("%zu expressions x %u packets x 2 flavours x 3 engines: %llu verdicts (%llu pass) compared with "
	       "pcap_offline_filter\n",
	       sizeof(exprs) / sizeof(exprs[0]), pk.n, (unsigned long long)verdicts, (unsigned long long)passed);
	CHECK(verdicts == sizeof(exprs) / sizeof(exprs[0]) * 6ull * pk.n, "every verdict compared");
	for (uint32_t i = 0; i < pk.n; i++)
		free(pk.data[i]);
	for (int e = 0; e < 3; e++)
		bpfrt_free(rts[e]);
	pcap_close(h);
	return CHECK_DONE();
}
