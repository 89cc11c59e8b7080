/* ctx_table.c — the context of each program type bpfrt runs, as the
 * verifier sees it (ctx_table.h): one field table per type, transcribed from
 * the kernel's *_is_valid_access functions and measured against the host
 * kernel by tests/verifier/test_ctx_table.c (every offset, size 1/2/4/8,
 * load and store).
 *
 * Invariants:
 *  - field tables are sorted by offset and do not overlap; a byte no field
 *    covers is not addressable;
 *  - a field with access 0 is listed only so messages can name it (the
 *    kernel refuses it to that program type: socket filters and
 *    __sk_buff.data, ...);
 *  - every access is size-aligned (off % size == 0) and inside the context,
 *    as the kernel requires of every type;
 *  - the return ranges are "any" (ret_min > ret_max) for every type: the
 *    host kernel (6.18) accepts any r0 at exit from all nine types, XDP and
 *    socket filters included (measured: 7, -1, 2^32 all load).
 */
#include "verifier/ctx_table.h"

#include <errno.h>
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <stddef.h>

#define SKB(f) offsetof(struct __sk_buff, f)
#define R CTX_READ
#define W CTX_WRITE
#define N CTX_NARROW
#define WS_ALL 0xf /* stores of 1, 2, 4 and 8 bytes */

/* name, offset, size, kind, access, write sizes */
#define F(n, o, s, k, a, ws) {n, (uint16_t)(o), (uint16_t)(s), (uint8_t)(k), (uint8_t)(a), (uint8_t)(ws)}
#define SF(f, a) F("__sk_buff." #f, SKB(f), 4, CTX_SCALAR, a, 0)

/* struct __sk_buff for socket filters (sk_filter_is_valid_access): only
 * cb[] is writable; no packet pointers, no tc fields, no addresses. */
static const struct vf_ctx_field skb_socket_filter[] = {
	SF(len, R | N), SF(pkt_type, R | N), SF(mark, R | N), SF(queue_mapping, R | N),
	SF(protocol, R | N), SF(vlan_present, R | N), SF(vlan_tci, R | N), SF(vlan_proto, R | N),
	SF(priority, R | N), SF(ingress_ifindex, R | N), SF(ifindex, R | N), SF(tc_index, R | N),
	F("__sk_buff.cb", SKB(cb), 20, CTX_SCALAR, R | W | N, WS_ALL),
	SF(hash, R | N), SF(tc_classid, 0),
	F("__sk_buff.data", SKB(data), 4, CTX_PKT, 0, 0),
	F("__sk_buff.data_end", SKB(data_end), 4, CTX_PKT_END, 0, 0),
	SF(napi_id, R | N),
	F("__sk_buff.family..local_port", SKB(family), SKB(data_meta) - SKB(family), CTX_SCALAR, 0, 0),
	F("__sk_buff.data_meta", SKB(data_meta), 4, CTX_PKT_META, 0, 0),
	F("__sk_buff.flow_keys", SKB(flow_keys), 8, CTX_SCALAR, 0, 0),
	F("__sk_buff.tstamp", SKB(tstamp), 8, CTX_SCALAR, 0, 0),
	SF(wire_len, 0), SF(gso_segs, R | N),
	/* The kernel's PTR_TO_SOCK_COMMON_OR_NULL; bpfrt has no sockets (the
	 * value is always 0), so a known 0: it may be tested, and the branch
	 * that follows it is dead code. */
	F("__sk_buff.sk", SKB(sk), 8, CTX_ZERO, R, 0),
	SF(gso_size, R | N),
	F("__sk_buff.tstamp_type", SKB(tstamp_type), 1, CTX_SCALAR, 0, 0),
	F("__sk_buff.hwtstamp", SKB(hwtstamp), 8, CTX_SCALAR, 0, 0),
};

/* struct __sk_buff for tc classifiers and actions (tc_cls_act_is_valid_access):
 * packet pointers, and stores to mark, queue_mapping, priority, tc_index,
 * cb[], tc_classid and tstamp. */
static const struct vf_ctx_field skb_tc[] = {
	SF(len, R | N), SF(pkt_type, R | N), SF(mark, R | W | N), SF(queue_mapping, R | W | N),
	SF(protocol, R | N), SF(vlan_present, R | N), SF(vlan_tci, R | N), SF(vlan_proto, R | N),
	SF(priority, R | W | N), SF(ingress_ifindex, R | N), SF(ifindex, R | N), SF(tc_index, R | W | N),
	F("__sk_buff.cb", SKB(cb), 20, CTX_SCALAR, R | W | N, WS_ALL),
	SF(hash, R | N), SF(tc_classid, R | W | N),
	F("__sk_buff.data", SKB(data), 4, CTX_PKT, R, 0),
	F("__sk_buff.data_end", SKB(data_end), 4, CTX_PKT_END, R, 0),
	SF(napi_id, R | N),
	F("__sk_buff.family..local_port", SKB(family), SKB(data_meta) - SKB(family), CTX_SCALAR, 0, 0),
	F("__sk_buff.data_meta", SKB(data_meta), 4, CTX_PKT_META, R, 0),
	F("__sk_buff.flow_keys", SKB(flow_keys), 8, CTX_SCALAR, 0, 0),
	F("__sk_buff.tstamp", SKB(tstamp), 8, CTX_SCALAR, R | W, 0),
	SF(wire_len, R | N), SF(gso_segs, R | N),
	F("__sk_buff.sk", SKB(sk), 8, CTX_ZERO, R, 0), /* see skb_socket_filter */
	SF(gso_size, R | N),
	F("__sk_buff.tstamp_type", SKB(tstamp_type), 1, CTX_SCALAR, R, 0),
	F("__sk_buff.hwtstamp", SKB(hwtstamp), 8, CTX_SCALAR, R, 0),
};

/* struct xdp_md (xdp_is_valid_access): whole u32 loads only, no stores.
 * egress_ifindex is for BPF_XDP_DEVMAP programs only, which bpfrt does not
 * load: it stays unaddressable, as for the kernel's plain XDP programs. */
static const struct vf_ctx_field xdp_md[] = {
	F("xdp_md.data", offsetof(struct xdp_md, data), 4, CTX_PKT, R, 0),
	F("xdp_md.data_end", offsetof(struct xdp_md, data_end), 4, CTX_PKT_END, R, 0),
	F("xdp_md.data_meta", offsetof(struct xdp_md, data_meta), 4, CTX_PKT_META, R, 0),
	F("xdp_md.ingress_ifindex", offsetof(struct xdp_md, ingress_ifindex), 4, CTX_SCALAR, R, 0),
	F("xdp_md.rx_queue_index", offsetof(struct xdp_md, rx_queue_index), 4, CTX_SCALAR, R, 0),
	F("xdp_md.egress_ifindex", offsetof(struct xdp_md, egress_ifindex), 4, CTX_SCALAR, 0, 0),
};

/* struct pt_regs, x86-64 (the layout src/loader/btf_builtin.c describes). */
#define REGS(a)                                                                                      \
	F("pt_regs.r15", 0, 8, CTX_SCALAR, a, 0), F("pt_regs.r14", 8, 8, CTX_SCALAR, a, 0),           \
		F("pt_regs.r13", 16, 8, CTX_SCALAR, a, 0), F("pt_regs.r12", 24, 8, CTX_SCALAR, a, 0),   \
		F("pt_regs.bp", 32, 8, CTX_SCALAR, a, 0), F("pt_regs.bx", 40, 8, CTX_SCALAR, a, 0),     \
		F("pt_regs.r11", 48, 8, CTX_SCALAR, a, 0), F("pt_regs.r10", 56, 8, CTX_SCALAR, a, 0),   \
		F("pt_regs.r9", 64, 8, CTX_SCALAR, a, 0), F("pt_regs.r8", 72, 8, CTX_SCALAR, a, 0),     \
		F("pt_regs.ax", 80, 8, CTX_SCALAR, a, 0), F("pt_regs.cx", 88, 8, CTX_SCALAR, a, 0),     \
		F("pt_regs.dx", 96, 8, CTX_SCALAR, a, 0), F("pt_regs.si", 104, 8, CTX_SCALAR, a, 0),    \
		F("pt_regs.di", 112, 8, CTX_SCALAR, a, 0), F("pt_regs.orig_ax", 120, 8, CTX_SCALAR, a, 0), \
		F("pt_regs.ip", 128, 8, CTX_SCALAR, a, 0), F("pt_regs.cs", 136, 8, CTX_SCALAR, a, 0),   \
		F("pt_regs.flags", 144, 8, CTX_SCALAR, a, 0), F("pt_regs.sp", 152, 8, CTX_SCALAR, a, 0), \
		F("pt_regs.ss", 160, 8, CTX_SCALAR, a, 0)
#define PT_REGS_SIZE 168

/* kprobe_prog_is_valid_access: any aligned load inside pt_regs. */
static const struct vf_ctx_field kprobe_regs[] = {REGS(R | N)};

/* struct bpf_perf_event_data (pe_prog_is_valid_access): the registers as
 * whole u64 loads; sample_period and addr also narrow. */
static const struct vf_ctx_field perf_event_data[] = {
	REGS(R),
	F("bpf_perf_event_data.sample_period", offsetof(struct bpf_perf_event_data, sample_period), 8, CTX_SCALAR,
	  R | N, 0),
	F("bpf_perf_event_data.addr", offsetof(struct bpf_perf_event_data, addr), 8, CTX_SCALAR, R | N, 0),
};

#define NF(a) (a), (uint32_t)(sizeof(a) / sizeof((a)[0]))
#define ANY_RET .ret_min = 1, .ret_max = 0

static const struct vf_ctx_desc descs[] = {
	{BPF_PROG_TYPE_SOCKET_FILTER, sizeof(struct __sk_buff), NF(skb_socket_filter), ANY_RET},
	{BPF_PROG_TYPE_SCHED_CLS, sizeof(struct __sk_buff), NF(skb_tc), ANY_RET, .pkt_access = true,
	 .pkt_write = true},
	{BPF_PROG_TYPE_SCHED_ACT, sizeof(struct __sk_buff), NF(skb_tc), ANY_RET, .pkt_access = true,
	 .pkt_write = true},
	{BPF_PROG_TYPE_XDP, sizeof(struct xdp_md), NF(xdp_md), ANY_RET, .pkt_access = true, .pkt_write = true},
	{BPF_PROG_TYPE_KPROBE, PT_REGS_SIZE, NF(kprobe_regs), ANY_RET},
	{BPF_PROG_TYPE_PERF_EVENT, sizeof(struct bpf_perf_event_data), NF(perf_event_data), ANY_RET},
	/* tp_prog_is_valid_access: loads in [8, PERF_MAX_TRACE_SIZE = 8192);
	 * the first 8 bytes (struct trace_entry) are not addressable. */
	{BPF_PROG_TYPE_TRACEPOINT, 8192, NULL, 0, .any_read = true, .min_off = 8, ANY_RET},
	/* raw_tp_prog_is_valid_access: u64 args[MAX_BPF_FUNC_ARGS = 12]. */
	{BPF_PROG_TYPE_RAW_TRACEPOINT, 12 * 8, NULL, 0, .any_read = true, ANY_RET},
	/* syscall_prog_is_valid_access: off < U16_MAX; the s16 insn offset (and
	 * the rule that the ctx pointer is not moved) keeps real accesses below
	 * 32768. */
	{BPF_PROG_TYPE_SYSCALL, 65535, NULL, 0, .any_read = true, .any_write = true, ANY_RET},
};

const struct vf_ctx_desc *vf_ctx_desc(uint32_t prog_type)
{
	for (size_t i = 0; i < sizeof(descs) / sizeof(descs[0]); i++)
		if (descs[i].prog_type == prog_type)
			return &descs[i];
	return NULL;
}

static const struct vf_ctx_field *field_at(const struct vf_ctx_desc *d, int32_t off)
{
	for (uint32_t i = 0; i < d->nr_fields; i++) {
		const struct vf_ctx_field *f = &d->fields[i];
		if (off >= f->off && off < (int32_t)f->off + f->size)
			return f;
	}
	return NULL;
}

int vf_ctx_access(const struct vf_ctx_desc *d, int32_t off, uint32_t size, bool write, uint8_t *kind,
		  const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	if (!d) {
		*why = "program type has no context description";
		return -EACCES;
	}
	if (size != 1 && size != 2 && size != 4 && size != 8) {
		*why = "invalid context access size";
		return -EACCES;
	}
	if (off < (int32_t)d->min_off || (int64_t)off + size > d->size) {
		*why = off < 0 || (uint32_t)off < d->size ? "context access before the first addressable byte"
							  : "context access past the end of the context";
		return -EACCES;
	}
	if (off % (int32_t)size) {
		*why = "misaligned context access";
		return -EACCES;
	}
	if (!d->fields) {
		if (write ? !d->any_write : !d->any_read) {
			*why = write ? "context is read-only for this program type" : "context is not readable";
			return -EACCES;
		}
		if (kind)
			*kind = CTX_SCALAR;
		return 0;
	}
	const struct vf_ctx_field *f = field_at(d, off);
	if (!f || !f->access) {
		*why = f ? "context field is not accessible to this program type" : "no context field at this offset";
		return -EACCES;
	}
	if ((int64_t)off + size > (int64_t)f->off + f->size) {
		*why = "context access crosses the end of a field";
		return -EACCES;
	}
	bool whole = off == f->off && size == f->size;
	if (write) {
		if (!(f->access & CTX_WRITE)) {
			*why = "write to a read-only context field";
			return -EACCES;
		}
		if (f->write_sizes ? !(f->write_sizes & size) : !whole) { /* bit n is size 1 << n */
			*why = "context field store of this size is not allowed";
			return -EACCES;
		}
	} else {
		if (!(f->access & CTX_READ)) {
			*why = "context field is not readable";
			return -EACCES;
		}
		if (!whole && !((f->access & CTX_NARROW) && size < f->size)) {
			*why = "narrow or oversized load of a context field";
			return -EACCES;
		}
		if (!whole && f->kind != CTX_SCALAR) {
			*why = "packet pointers are loaded whole";
			return -EACCES;
		}
	}
	if (kind)
		*kind = write ? CTX_SCALAR : f->kind;
	return 0;
}

const char *vf_ctx_field_name(const struct vf_ctx_desc *d, int32_t off)
{
	const struct vf_ctx_field *f = d ? field_at(d, off) : NULL;
	return f ? f->name : NULL;
}
