/* sec_names.c — libbpf's SEC() conventions: a program's section name gives
 * its program type and expected attach type, and bpfrt adds whether it can
 * attach such a program in user space (and if not, why).
 *
 * Matching follows libbpf 1.x: a rule written "name+" matches "name" and
 * "name/anything"; any other rule matches its name exactly.  Rules are tried
 * in table order, so the more specific ones come first.  The attach-type
 * values newer than the installed <linux/bpf.h> are defined below with the
 * kernel's numbers.
 */
#include "loader/loader.h"

#include <string.h>

/* enum bpf_attach_type values past Linux 6.2's UAPI header. */
enum {
	ATT_STRUCT_OPS = 44,
	ATT_NETFILTER = 45,
	ATT_TCX_INGRESS = 46,
	ATT_TCX_EGRESS = 47,
	ATT_TRACE_UPROBE_MULTI = 48,
	ATT_CGROUP_UNIX_CONNECT = 49,
	ATT_CGROUP_UNIX_SENDMSG = 50,
	ATT_CGROUP_UNIX_RECVMSG = 51,
	ATT_CGROUP_UNIX_GETPEERNAME = 52,
	ATT_CGROUP_UNIX_GETSOCKNAME = 53,
	ATT_NETKIT_PRIMARY = 54,
	ATT_NETKIT_PEER = 55,
};
enum { PT_NETFILTER = 32 }; /* BPF_PROG_TYPE_NETFILTER */

/* Why bpfrt cannot attach a kind of program in user space. */
#define N_TRAMP "fentry/fexit/fmod_ret/tp_btf/iter programs need kernel BTF and trampolines; bpfrt cannot attach them in user space"
#define N_KPROBE "kprobes attach to kernel functions; bpfrt cannot attach them in user space (uprobes it can)"
#define N_KMULTI "kprobe.multi attaches to kernel functions; bpfrt cannot attach it in user space"
#define N_TP "tracepoints other than tracepoint/syscalls/* are kernel events; bpfrt cannot attach them in user space"
#define N_RAWTP "raw tracepoints are kernel events; bpfrt cannot attach them in user space"
#define N_CGROUP "cgroup programs attach to kernel cgroups; bpfrt cannot attach them in user space"
#define N_LSM "LSM programs need kernel security hooks; bpfrt cannot attach them in user space"
#define N_SOCKMAP "sockmap programs (sk_skb/sk_msg) act on kernel sockets; bpfrt cannot attach them in user space"
#define N_STRUCT_OPS "struct_ops programs implement kernel interfaces; bpfrt cannot attach them in user space"
#define N_KERNEL_NET "this program type hooks the kernel's network stack; bpfrt cannot attach it in user space"
#define N_PERF "perf_event programs run on kernel perf events; bpfrt cannot attach them in user space"
#define N_EXT "freplace programs replace functions of loaded kernel programs; bpfrt cannot attach them"
#define N_USDT "USDT programs need libbpf's USDT manager; bpfrt cannot attach them yet"
#define N_LIRC "lirc_mode2 programs run on kernel infrared devices; bpfrt cannot attach them in user space"
#define N_KSYSCALL "ksyscall programs attach to kernel syscall functions; use tracepoint/syscalls/* with bpfrt"

struct sec_rule {
	const char *pfx;
	bool plus; /* "name+" */
	uint32_t type, attach;
	bool sleepable;
	const char *note;
};

#define R(p, t, a, n) {p, false, BPF_PROG_TYPE_##t, a, false, n}
#define RP(p, t, a, n) {p, true, BPF_PROG_TYPE_##t, a, false, n}
#define RS(p, t, a, n) {p, true, BPF_PROG_TYPE_##t, a, true, n}

static const struct sec_rule rules[] = {
	R("socket", SOCKET_FILTER, 0, NULL),
	R("sk_reuseport/migrate", SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, N_KERNEL_NET),
	R("sk_reuseport", SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, N_KERNEL_NET),
	/* kprobes and uprobes: bpfrt attaches kprobe programs as uprobes. */
	RP("kprobe.multi", KPROBE, BPF_TRACE_KPROBE_MULTI, N_KMULTI),
	RP("kretprobe.multi", KPROBE, BPF_TRACE_KPROBE_MULTI, N_KMULTI),
	RP("uprobe.multi", KPROBE, ATT_TRACE_UPROBE_MULTI, NULL),
	RP("uretprobe.multi", KPROBE, ATT_TRACE_UPROBE_MULTI, NULL),
	RS("uprobe.multi.s", KPROBE, ATT_TRACE_UPROBE_MULTI, NULL),
	RS("uretprobe.multi.s", KPROBE, ATT_TRACE_UPROBE_MULTI, NULL),
	RP("kprobe", KPROBE, 0, N_KPROBE),
	RP("kretprobe", KPROBE, 0, N_KPROBE),
	RP("uprobe", KPROBE, 0, NULL),
	RP("uretprobe", KPROBE, 0, NULL),
	RS("uprobe.s", KPROBE, 0, NULL),
	RS("uretprobe.s", KPROBE, 0, NULL),
	RP("ksyscall", KPROBE, 0, N_KSYSCALL),
	RP("kretsyscall", KPROBE, 0, N_KSYSCALL),
	RP("usdt", KPROBE, 0, N_USDT),
	RS("usdt.s", KPROBE, 0, N_USDT),
	R("tc/ingress", SCHED_CLS, ATT_TCX_INGRESS, NULL),
	R("tc/egress", SCHED_CLS, ATT_TCX_EGRESS, NULL),
	R("tcx/ingress", SCHED_CLS, ATT_TCX_INGRESS, NULL),
	R("tcx/egress", SCHED_CLS, ATT_TCX_EGRESS, NULL),
	/* libbpf takes "tc" and "classifier" exactly; older objects use
	 * "tc/NAME" and "classifier/NAME", which bpfrt also accepts. */
	RP("tc", SCHED_CLS, 0, NULL),
	RP("classifier", SCHED_CLS, 0, NULL),
	RP("action", SCHED_ACT, 0, NULL),
	R("netkit/primary", SCHED_CLS, ATT_NETKIT_PRIMARY, N_KERNEL_NET),
	R("netkit/peer", SCHED_CLS, ATT_NETKIT_PEER, N_KERNEL_NET),
	RP("tracepoint", TRACEPOINT, 0, N_TP),
	RP("tp", TRACEPOINT, 0, N_TP),
	RP("raw_tracepoint.w", RAW_TRACEPOINT_WRITABLE, 0, N_RAWTP),
	RP("raw_tp.w", RAW_TRACEPOINT_WRITABLE, 0, N_RAWTP),
	RP("raw_tracepoint", RAW_TRACEPOINT, 0, N_RAWTP),
	RP("raw_tp", RAW_TRACEPOINT, 0, N_RAWTP),
	RP("tp_btf", TRACING, BPF_TRACE_RAW_TP, N_TRAMP),
	RP("fentry", TRACING, BPF_TRACE_FENTRY, N_TRAMP),
	RP("fmod_ret", TRACING, BPF_MODIFY_RETURN, N_TRAMP),
	RP("fexit", TRACING, BPF_TRACE_FEXIT, N_TRAMP),
	RS("fentry.s", TRACING, BPF_TRACE_FENTRY, N_TRAMP),
	RS("fmod_ret.s", TRACING, BPF_MODIFY_RETURN, N_TRAMP),
	RS("fexit.s", TRACING, BPF_TRACE_FEXIT, N_TRAMP),
	RP("freplace", EXT, 0, N_EXT),
	RP("lsm", LSM, BPF_LSM_MAC, N_LSM),
	RS("lsm.s", LSM, BPF_LSM_MAC, N_LSM),
	RP("lsm_cgroup", LSM, BPF_LSM_CGROUP, N_LSM),
	RP("iter", TRACING, BPF_TRACE_ITER, N_TRAMP),
	RS("iter.s", TRACING, BPF_TRACE_ITER, N_TRAMP),
	{"syscall", false, BPF_PROG_TYPE_SYSCALL, 0, true, NULL},
	R("xdp.frags/devmap", XDP, BPF_XDP_DEVMAP, NULL),
	R("xdp/devmap", XDP, BPF_XDP_DEVMAP, NULL),
	R("xdp.frags/cpumap", XDP, BPF_XDP_CPUMAP, NULL),
	R("xdp/cpumap", XDP, BPF_XDP_CPUMAP, NULL),
	R("xdp.frags", XDP, BPF_XDP, NULL),
	RP("xdp", XDP, BPF_XDP, NULL),
	R("perf_event", PERF_EVENT, 0, N_PERF),
	R("lwt_in", LWT_IN, 0, N_KERNEL_NET),
	R("lwt_out", LWT_OUT, 0, N_KERNEL_NET),
	R("lwt_xmit", LWT_XMIT, 0, N_KERNEL_NET),
	R("lwt_seg6local", LWT_SEG6LOCAL, 0, N_KERNEL_NET),
	R("sockops", SOCK_OPS, BPF_CGROUP_SOCK_OPS, N_CGROUP),
	R("sk_skb/stream_parser", SK_SKB, BPF_SK_SKB_STREAM_PARSER, N_SOCKMAP),
	R("sk_skb/stream_verdict", SK_SKB, BPF_SK_SKB_STREAM_VERDICT, N_SOCKMAP),
	R("sk_skb/verdict", SK_SKB, BPF_SK_SKB_VERDICT, N_SOCKMAP),
	R("sk_skb", SK_SKB, 0, N_SOCKMAP),
	R("sk_msg", SK_MSG, BPF_SK_MSG_VERDICT, N_SOCKMAP),
	R("lirc_mode2", LIRC_MODE2, BPF_LIRC_MODE2, N_LIRC),
	R("flow_dissector", FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, N_KERNEL_NET),
	R("cgroup_skb/ingress", CGROUP_SKB, BPF_CGROUP_INET_INGRESS, N_CGROUP),
	R("cgroup_skb/egress", CGROUP_SKB, BPF_CGROUP_INET_EGRESS, N_CGROUP),
	R("cgroup/skb", CGROUP_SKB, 0, N_CGROUP),
	R("cgroup/sock_create", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, N_CGROUP),
	R("cgroup/sock_release", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE, N_CGROUP),
	R("cgroup/sock", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, N_CGROUP),
	R("cgroup/post_bind4", CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, N_CGROUP),
	R("cgroup/post_bind6", CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, N_CGROUP),
	R("cgroup/bind4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, N_CGROUP),
	R("cgroup/bind6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, N_CGROUP),
	R("cgroup/connect4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, N_CGROUP),
	R("cgroup/connect6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, N_CGROUP),
	R("cgroup/connect_unix", CGROUP_SOCK_ADDR, ATT_CGROUP_UNIX_CONNECT, N_CGROUP),
	R("cgroup/sendmsg4", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, N_CGROUP),
	R("cgroup/sendmsg6", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, N_CGROUP),
	R("cgroup/sendmsg_unix", CGROUP_SOCK_ADDR, ATT_CGROUP_UNIX_SENDMSG, N_CGROUP),
	R("cgroup/recvmsg4", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, N_CGROUP),
	R("cgroup/recvmsg6", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, N_CGROUP),
	R("cgroup/recvmsg_unix", CGROUP_SOCK_ADDR, ATT_CGROUP_UNIX_RECVMSG, N_CGROUP),
	R("cgroup/getpeername4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME, N_CGROUP),
	R("cgroup/getpeername6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, N_CGROUP),
	R("cgroup/getpeername_unix", CGROUP_SOCK_ADDR, ATT_CGROUP_UNIX_GETPEERNAME, N_CGROUP),
	R("cgroup/getsockname4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, N_CGROUP),
	R("cgroup/getsockname6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME, N_CGROUP),
	R("cgroup/getsockname_unix", CGROUP_SOCK_ADDR, ATT_CGROUP_UNIX_GETSOCKNAME, N_CGROUP),
	R("cgroup/sysctl", CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, N_CGROUP),
	R("cgroup/getsockopt", CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, N_CGROUP),
	R("cgroup/setsockopt", CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, N_CGROUP),
	R("cgroup/dev", CGROUP_DEVICE, BPF_CGROUP_DEVICE, N_CGROUP),
	RP("struct_ops", STRUCT_OPS, 0, N_STRUCT_OPS),
	RS("struct_ops.s", STRUCT_OPS, 0, N_STRUCT_OPS),
	R("sk_lookup", SK_LOOKUP, BPF_SK_LOOKUP, N_KERNEL_NET),
	{"netfilter", false, PT_NETFILTER, ATT_NETFILTER, false, N_KERNEL_NET},
};

static bool rule_matches(const struct sec_rule *r, const char *name)
{
	size_t n = strlen(r->pfx);
	if (strncmp(name, r->pfx, n))
		return false;
	if (!name[n])
		return true;
	return r->plus && name[n] == '/';
}

bool loader_sec_def_find(const char *sec_name, struct loader_sec_def *out)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct sec_rule *r = &rules[i];
		if (!rule_matches(r, sec_name))
			continue;
		out->prog_type = r->type;
		out->attach_type = r->attach;
		out->sleepable = r->sleepable;
		out->note = r->note;
		/* Syscall tracepoints are the ones bpfrt can attach (to a
		 * traced child process). */
		if (r->type == BPF_PROG_TYPE_TRACEPOINT) {
			const char *rest = strchr(sec_name, '/');
			if (rest && !strncmp(rest + 1, "syscalls/", 9))
				out->note = NULL;
		}
		return true;
	}
	return false;
}
