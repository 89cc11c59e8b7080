/* core.bpf.c — CO-RE relocations resolved by bpfrt: local "___flavor"
 * views of the contexts bpfrt provides (xdp_md, __sk_buff, pt_regs, the
 * syscall tracepoint records) laid out differently from the real ones, so
 * a result is right only if the loader moved every offset; existence,
 * size, enum and type queries; a user-space struct (bitfields included)
 * relocated against the object's own BTF.  Run by tests/loader/test_core.c.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define CORE __attribute__((preserve_access_index))

/* data_end first, data third: offsets 0 and 8 locally, 4 and 0 in bpfrt. */
struct xdp_md___swapped {
	__u32 data_end;
	__u32 pad;
	__u32 data;
	__u32 not_in_bpfrt;
} CORE;

/* 8-byte fields locally: the loads must shrink to bpfrt's 4 bytes. */
struct xdp_md___wide {
	__u64 data;
	__u64 data_end;
} CORE;

union xdp_md___union {
	int data;
} CORE;

SEC("xdp")
int xdp_core_read(struct xdp_md *ctx)
{
	struct xdp_md___swapped *m = (void *)ctx;
	/* BPF_CORE_READ: bpf_probe_read_kernel at relocated offsets */
	__u32 end = BPF_CORE_READ(m, data_end), start = BPF_CORE_READ(m, data);
	return end - start;
}

SEC("xdp")
int xdp_direct_wide(struct xdp_md *ctx)
{
	struct xdp_md___wide *m = (void *)ctx;
	return (__u32)m->data_end - (__u32)m->data;
}

/* CO-RE in a subprogram (.text): relocated in each program's copy. */
static __attribute__((noinline)) __u32 pkt_len(struct xdp_md___swapped *m)
{
	return m->data_end - m->data;
}

SEC("xdp")
int xdp_subprog(struct xdp_md *ctx)
{
	return pkt_len((void *)ctx) + 1;
}

struct __sk_buff___mini {
	__u32 mark;
	__u32 cb[2];
	__u32 len;
	__u32 protocol;
} CORE;

SEC("tc")
int tc_core(struct __sk_buff *skb)
{
	struct __sk_buff___mini *s = (void *)skb;
	__u32 len = BPF_CORE_READ(s, len);
	__u32 proto = s->protocol; /* direct load, relocated offset */
	/* cb is 5 words in bpfrt, 2 in this view */
	__u32 cb_size = bpf_core_field_size(s->cb);
	return len | (proto == 0x0008) /* htons(ETH_P_IP) */ << 16 | cb_size << 24;
}

struct trace_entry___mini {
	int pid;
} CORE;

struct trace_event_raw_sys_enter___mini {
	unsigned long args[6];
	long id;
	struct trace_entry___mini ent;
} CORE;

struct trace_event_raw_sys_exit___mini {
	long ret;
	struct trace_entry___mini ent;
} CORE;

struct pt_regs___mini {
	unsigned long di;
	unsigned long si;
	unsigned long ip;
} CORE;

/* ctx_in is a sys_enter record: id 1000 + args[2] + ent.pid */
SEC("syscall")
int sys_enter_core(void *ctx)
{
	struct trace_event_raw_sys_enter___mini *e = ctx;
	return e->id + e->args[2] + e->ent.pid;
}

SEC("syscall")
int sys_exit_core(void *ctx)
{
	struct trace_event_raw_sys_exit___mini *e = ctx;
	return e->ret * 10 + e->ent.pid;
}

/* ctx_in is an x86-64 pt_regs */
SEC("syscall")
int pt_regs_core(void *ctx)
{
	struct pt_regs___mini *r = ctx;
	return r->di * 100 + r->si * 10 + (bpf_core_type_size(struct pt_regs___mini) == 21 * 8);
}

enum xdp_action___new {
	XDP_TX___new = 100,
	XDP_LASER___new = 101,
};

struct trace_entry___full {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_entry___wrong {
	unsigned short type;
	int pid___wrong;
};

/* One bit per query; the expected mask is in test_core.c. */
SEC("syscall")
int queries(void *ctx)
{
	int r = 0;
	r |= bpf_core_field_exists(struct xdp_md___swapped, data) << 0;
	r |= bpf_core_field_exists(struct xdp_md___swapped, not_in_bpfrt) << 1;
	r |= bpf_core_type_exists(struct xdp_md) << 2;
	r |= bpf_core_type_exists(union xdp_md___union) << 3;
	r |= bpf_core_enum_value_exists(enum xdp_action___new, XDP_TX___new) << 4;
	r |= bpf_core_enum_value_exists(enum xdp_action___new, XDP_LASER___new) << 5;
	r |= (bpf_core_enum_value(enum xdp_action___new, XDP_TX___new) == XDP_TX) << 6;
	r |= (bpf_core_field_size(struct xdp_md___wide, data) == 4) << 7;
	r |= (bpf_core_type_size(struct __sk_buff) == sizeof(struct __sk_buff)) << 8;
	r |= bpf_core_type_matches(struct trace_entry___full) << 9;
	r |= bpf_core_type_matches(struct trace_entry___wrong) << 10;
	r |= (bpf_core_type_id_kernel(struct pt_regs___mini) > 0) << 11;
	r |= (bpf_core_type_id_local(struct pt_regs___mini) > 0) << 12;
	struct trace_event_raw_sys_enter___mini *e = ctx;
	r |= __CORE_RELO(e, id, SIGNED) << 13;
	r |= __CORE_RELO(e, args[0], SIGNED) << 14;
	return r;
}

/* A user-space record, handed in as ctx_in: its own type is the target. */
struct user_rec {
	int a;
	unsigned int x : 3, y : 5;
	int z : 4;
	long c;
	unsigned short s[3];
} CORE;

SEC("syscall")
int user_struct(void *ctx)
{
	struct user_rec *u = ctx;
	long x = BPF_CORE_READ_BITFIELD(u, x);
	long y = BPF_CORE_READ_BITFIELD(u, y);
	long z = BPF_CORE_READ_BITFIELD(u, z);
	return u->a + u->c + u->s[2] + x * 1000 + y * 10000 + z * 100000 +
	       (bpf_core_field_exists(u->c) << 30);
}

char LICENSE[] SEC("license") = "GPL";
