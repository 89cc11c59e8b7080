/* btf_builtin.c — bpfrt's own "kernel" BTF: the types that programs reach
 * through CO-RE and that bpfrt provides in user space (xdp_md, __sk_buff,
 * x86-64 pt_regs, the syscall tracepoint records), written by a tiny BTF
 * writer and parsed by bpfrt_btf_new like any .BTF section.  Built once
 * (pthread_once) and immutable afterwards, so any thread may use it; the
 * caller is core_relo.c, where it is the target BTF of kernel-type relocations.
 */
#include "loader/loader.h"

#include <linux/bpf.h>
#include <linux/btf.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/btf.h"
#include "helpers/task_struct.h"

/* ---- a minimal BTF writer -------------------------------------------- */

struct btf_writer {
	uint8_t *types;
	size_t tlen, tcap;
	char *strs;
	size_t slen, scap;
	uint32_t next_id;
	size_t open;       /* offset of the struct/union being filled (bw_end) */
	uint32_t open_cnt; /* its members so far */
	bool oom;
};

static void *grow(void *buf, size_t *cap, size_t need, bool *oom)
{
	if (need <= *cap)
		return buf;
	size_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	void *p = realloc(buf, n);
	if (!p) {
		*oom = true;
		return NULL;
	}
	*cap = n;
	return p;
}

static void bw_put(struct btf_writer *w, const void *p, size_t n)
{
	uint8_t *t = grow(w->types, &w->tcap, w->tlen + n, &w->oom);
	if (!t)
		return;
	w->types = t;
	memcpy(t + w->tlen, p, n);
	w->tlen += n;
}

/* Offset of name in the string section ("" is offset 0). */
static uint32_t bw_str(struct btf_writer *w, const char *name)
{
	if (!name || !*name)
		return 0;
	size_t n = strlen(name) + 1;
	char *s = grow(w->strs, &w->scap, w->slen + n, &w->oom);
	if (!s)
		return 0;
	w->strs = s;
	memcpy(s + w->slen, name, n);
	w->slen += n;
	return (uint32_t)(w->slen - n);
}

static uint32_t bw_type(struct btf_writer *w, const char *name, uint32_t kind, uint32_t vlen,
			bool kflag, uint32_t size_or_type)
{
	struct btf_type t = {.name_off = bw_str(w, name),
			     .info = (kind << 24) | (vlen & 0xffff) | ((uint32_t)kflag << 31),
			     .size = size_or_type};
	bw_put(w, &t, sizeof(t));
	return w->next_id++;
}

static uint32_t bw_int(struct btf_writer *w, const char *name, uint32_t size, uint32_t enc)
{
	uint32_t id = bw_type(w, name, BTF_KIND_INT, 0, false, size);
	uint32_t v = (enc << 24) | (size * 8);
	bw_put(w, &v, sizeof(v));
	return id;
}

static uint32_t bw_ref(struct btf_writer *w, uint32_t kind, const char *name, uint32_t type)
{
	return bw_type(w, name, kind, 0, false, type);
}

static uint32_t bw_array(struct btf_writer *w, uint32_t elem, uint32_t index, uint32_t nelems)
{
	uint32_t id = bw_type(w, NULL, BTF_KIND_ARRAY, 0, false, 0);
	struct btf_array a = {.type = elem, .index_type = index, .nelems = nelems};
	bw_put(w, &a, sizeof(a));
	return id;
}

/* A struct or union: bw_member for each member, then bw_end, which
 * writes the member count into the header. */
static uint32_t bw_composite(struct btf_writer *w, uint32_t kind, const char *name, uint32_t size)
{
	w->open = w->tlen;
	w->open_cnt = 0;
	return bw_type(w, name, kind, 0, false, size);
}

static void bw_member(struct btf_writer *w, const char *name, uint32_t type, size_t byte_off)
{
	struct btf_member m = {.name_off = bw_str(w, name), .type = type, .offset = (uint32_t)byte_off * 8};
	bw_put(w, &m, sizeof(m));
	w->open_cnt++;
}

static void bw_end(struct btf_writer *w)
{
	if (w->oom)
		return;
	struct btf_type t;
	memcpy(&t, w->types + w->open, sizeof(t));
	t.info |= w->open_cnt & 0xffff;
	memcpy(w->types + w->open, &t, sizeof(t));
}

static void bw_enumerator(struct btf_writer *w, const char *name, int32_t val)
{
	struct btf_enum e = {.name_off = bw_str(w, name), .val = val};
	bw_put(w, &e, sizeof(e));
}

/* ---- the types ------------------------------------------------------- */

#define MEMBER(w, S, f, type) bw_member(w, #f, type, offsetof(struct S, f))

static const char *const pt_regs_fields[] = {
	"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax",
	"cx",  "dx",  "si",  "di",  "orig_ax", "ip", "cs", "flags", "sp", "ss",
};

/* struct task_struct and struct cred as bpf_get_current_task() builds them
 * (helpers/task_struct.h; offsets from that layout), with the kernel's
 * member names and typedefs (pid_t, kuid_t, u64), so vmlinux.h-style CO-RE
 * reads relocate to them. */
static void add_task_types(struct btf_writer *w, uint32_t t_int, uint32_t t_uint, uint32_t t_ullong, uint32_t t_char)
{
	uint32_t pid_t_ = bw_ref(w, BTF_KIND_TYPEDEF, "pid_t", bw_ref(w, BTF_KIND_TYPEDEF, "__kernel_pid_t", t_int));
	uint32_t uid_t_ = bw_ref(w, BTF_KIND_TYPEDEF, "uid_t", t_uint);
	uint32_t gid_t_ = bw_ref(w, BTF_KIND_TYPEDEF, "gid_t", t_uint);
	uint32_t u64 = bw_ref(w, BTF_KIND_TYPEDEF, "u64", t_ullong);
	uint32_t kuid_s = bw_composite(w, BTF_KIND_STRUCT, NULL, 4);
	bw_member(w, "val", uid_t_, 0);
	bw_end(w);
	uint32_t kgid_s = bw_composite(w, BTF_KIND_STRUCT, NULL, 4);
	bw_member(w, "val", gid_t_, 0);
	bw_end(w);
	uint32_t kuid = bw_ref(w, BTF_KIND_TYPEDEF, "kuid_t", kuid_s);
	uint32_t kgid = bw_ref(w, BTF_KIND_TYPEDEF, "kgid_t", kgid_s);
	uint32_t cred = bw_composite(w, BTF_KIND_STRUCT, "cred", sizeof(struct bpfrt_cred));
	MEMBER(w, bpfrt_cred, uid, kuid);
	MEMBER(w, bpfrt_cred, gid, kgid);
	MEMBER(w, bpfrt_cred, suid, kuid);
	MEMBER(w, bpfrt_cred, sgid, kgid);
	MEMBER(w, bpfrt_cred, euid, kuid);
	MEMBER(w, bpfrt_cred, egid, kgid);
	MEMBER(w, bpfrt_cred, fsuid, kuid);
	MEMBER(w, bpfrt_cred, fsgid, kgid);
	bw_end(w);
	uint32_t cred_ptr = bw_ref(w, BTF_KIND_PTR, NULL, bw_ref(w, BTF_KIND_CONST, NULL, cred));
	/* The task's own pointer type refers to the struct by id before it is
	 * written: ids are sequential, so it is the next one after the PTR. */
	uint32_t comm = bw_array(w, t_char, t_int, 16);
	uint32_t task_ptr = bw_ref(w, BTF_KIND_PTR, NULL, w->next_id + 1);
	bw_composite(w, BTF_KIND_STRUCT, "task_struct", sizeof(struct bpfrt_task_struct));
	MEMBER(w, bpfrt_task_struct, __state, t_uint);
	MEMBER(w, bpfrt_task_struct, flags, t_uint);
	MEMBER(w, bpfrt_task_struct, cpu, t_uint);
	MEMBER(w, bpfrt_task_struct, prio, t_int);
	MEMBER(w, bpfrt_task_struct, pid, pid_t_);
	MEMBER(w, bpfrt_task_struct, tgid, pid_t_);
	MEMBER(w, bpfrt_task_struct, real_parent, task_ptr);
	MEMBER(w, bpfrt_task_struct, parent, task_ptr);
	MEMBER(w, bpfrt_task_struct, group_leader, task_ptr);
	MEMBER(w, bpfrt_task_struct, real_cred, cred_ptr);
	MEMBER(w, bpfrt_task_struct, cred, cred_ptr);
	MEMBER(w, bpfrt_task_struct, start_time, u64);
	MEMBER(w, bpfrt_task_struct, start_boottime, u64);
	MEMBER(w, bpfrt_task_struct, comm, comm);
	MEMBER(w, bpfrt_task_struct, exit_code, t_int);
	MEMBER(w, bpfrt_task_struct, exit_signal, t_int);
	bw_end(w);
}

static void add_types(struct btf_writer *w)
{
	uint32_t t_int = bw_int(w, "int", 4, BTF_INT_SIGNED);
	uint32_t t_uint = bw_int(w, "unsigned int", 4, 0);
	uint32_t t_uchar = bw_int(w, "unsigned char", 1, 0);
	uint32_t t_ushort = bw_int(w, "unsigned short", 2, 0);
	uint32_t t_long = bw_int(w, "long", 8, BTF_INT_SIGNED);
	uint32_t t_ulong = bw_int(w, "unsigned long", 8, 0);
	uint32_t t_ullong = bw_int(w, "unsigned long long", 8, 0);
	uint32_t t_char = bw_int(w, "char", 1, BTF_INT_SIGNED);
	uint32_t u8 = bw_ref(w, BTF_KIND_TYPEDEF, "__u8", t_uchar);
	bw_ref(w, BTF_KIND_TYPEDEF, "__u16", t_ushort);
	uint32_t u32 = bw_ref(w, BTF_KIND_TYPEDEF, "__u32", t_uint);
	uint32_t u64 = bw_ref(w, BTF_KIND_TYPEDEF, "__u64", t_ullong);
	bw_ref(w, BTF_KIND_TYPEDEF, "__s32", t_int);

	/* struct xdp_md and enum xdp_action: <linux/bpf.h> */
	bw_composite(w, BTF_KIND_STRUCT, "xdp_md", sizeof(struct xdp_md));
	MEMBER(w, xdp_md, data, u32);
	MEMBER(w, xdp_md, data_end, u32);
	MEMBER(w, xdp_md, data_meta, u32);
	MEMBER(w, xdp_md, ingress_ifindex, u32);
	MEMBER(w, xdp_md, rx_queue_index, u32);
	MEMBER(w, xdp_md, egress_ifindex, u32);
	bw_end(w);
	bw_type(w, "xdp_action", BTF_KIND_ENUM, 5, false, 4);
	bw_enumerator(w, "XDP_ABORTED", XDP_ABORTED);
	bw_enumerator(w, "XDP_DROP", XDP_DROP);
	bw_enumerator(w, "XDP_PASS", XDP_PASS);
	bw_enumerator(w, "XDP_TX", XDP_TX);
	bw_enumerator(w, "XDP_REDIRECT", XDP_REDIRECT);

	/* struct __sk_buff: its __bpf_md_ptr members are 8-byte anonymous
	 * unions holding one pointer, as in the kernel's own BTF. */
	uint32_t fk = bw_type(w, "bpf_flow_keys", BTF_KIND_FWD, 0, false, 0);
	uint32_t sk = bw_type(w, "bpf_sock", BTF_KIND_FWD, 0, false, 0);
	uint32_t fk_ptr = bw_ref(w, BTF_KIND_PTR, NULL, fk);
	uint32_t sk_ptr = bw_ref(w, BTF_KIND_PTR, NULL, sk);
	uint32_t fk_union = bw_composite(w, BTF_KIND_UNION, NULL, 8);
	bw_member(w, "flow_keys", fk_ptr, 0);
	bw_end(w);
	uint32_t sk_union = bw_composite(w, BTF_KIND_UNION, NULL, 8);
	bw_member(w, "sk", sk_ptr, 0);
	bw_end(w);
	uint32_t u32x5 = bw_array(w, u32, t_int, 5);
	uint32_t u32x4 = bw_array(w, u32, t_int, 4);
	bw_composite(w, BTF_KIND_STRUCT, "__sk_buff", sizeof(struct __sk_buff));
	MEMBER(w, __sk_buff, len, u32);
	MEMBER(w, __sk_buff, pkt_type, u32);
	MEMBER(w, __sk_buff, mark, u32);
	MEMBER(w, __sk_buff, queue_mapping, u32);
	MEMBER(w, __sk_buff, protocol, u32);
	MEMBER(w, __sk_buff, vlan_present, u32);
	MEMBER(w, __sk_buff, vlan_tci, u32);
	MEMBER(w, __sk_buff, vlan_proto, u32);
	MEMBER(w, __sk_buff, priority, u32);
	MEMBER(w, __sk_buff, ingress_ifindex, u32);
	MEMBER(w, __sk_buff, ifindex, u32);
	MEMBER(w, __sk_buff, tc_index, u32);
	MEMBER(w, __sk_buff, cb, u32x5);
	MEMBER(w, __sk_buff, hash, u32);
	MEMBER(w, __sk_buff, tc_classid, u32);
	MEMBER(w, __sk_buff, data, u32);
	MEMBER(w, __sk_buff, data_end, u32);
	MEMBER(w, __sk_buff, napi_id, u32);
	MEMBER(w, __sk_buff, family, u32);
	MEMBER(w, __sk_buff, remote_ip4, u32);
	MEMBER(w, __sk_buff, local_ip4, u32);
	MEMBER(w, __sk_buff, remote_ip6, u32x4);
	MEMBER(w, __sk_buff, local_ip6, u32x4);
	MEMBER(w, __sk_buff, remote_port, u32);
	MEMBER(w, __sk_buff, local_port, u32);
	MEMBER(w, __sk_buff, data_meta, u32);
	bw_member(w, NULL, fk_union, offsetof(struct __sk_buff, flow_keys));
	MEMBER(w, __sk_buff, tstamp, u64);
	MEMBER(w, __sk_buff, wire_len, u32);
	MEMBER(w, __sk_buff, gso_segs, u32);
	bw_member(w, NULL, sk_union, offsetof(struct __sk_buff, sk));
	MEMBER(w, __sk_buff, gso_size, u32);
	MEMBER(w, __sk_buff, tstamp_type, u8);
	MEMBER(w, __sk_buff, hwtstamp, u64);
	bw_end(w); /* the kernel's unnamed `__u32 :24` padding is left out */

	/* struct pt_regs: the x86-64 kernel layout, all unsigned long. */
	size_t nregs = sizeof(pt_regs_fields) / sizeof(pt_regs_fields[0]);
	bw_composite(w, BTF_KIND_STRUCT, "pt_regs", (uint32_t)(nregs * 8));
	for (size_t i = 0; i < nregs; i++)
		bw_member(w, pt_regs_fields[i], t_ulong, i * 8);
	bw_end(w);

	/* The syscall tracepoint records (include/trace/events/syscalls.h). */
	uint32_t entry = bw_composite(w, BTF_KIND_STRUCT, "trace_entry", 8);
	bw_member(w, "type", t_ushort, 0);
	bw_member(w, "flags", t_uchar, 2);
	bw_member(w, "preempt_count", t_uchar, 3);
	bw_member(w, "pid", t_int, 4);
	bw_end(w);
	uint32_t ulong6 = bw_array(w, t_ulong, t_int, 6);
	uint32_t char0 = bw_array(w, t_char, t_int, 0);
	bw_composite(w, BTF_KIND_STRUCT, "trace_event_raw_sys_enter", 64);
	bw_member(w, "ent", entry, 0);
	bw_member(w, "id", t_long, 8);
	bw_member(w, "args", ulong6, 16);
	bw_member(w, "__data", char0, 64);
	bw_end(w);
	bw_composite(w, BTF_KIND_STRUCT, "trace_event_raw_sys_exit", 24);
	bw_member(w, "ent", entry, 0);
	bw_member(w, "id", t_long, 8);
	bw_member(w, "ret", t_long, 16);
	bw_member(w, "__data", char0, 24);
	bw_end(w);

	add_task_types(w, t_int, t_uint, t_ullong, t_char);
}

static const struct bpfrt_btf *builtin_btf;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void build_builtin(void)
{
	struct btf_writer w = {.next_id = 1};
	w.strs = grow(NULL, &w.scap, 1, &w.oom); /* offset 0: the empty string */
	if (w.strs)
		w.strs[w.slen++] = 0;
	add_types(&w);
	struct btf_header h = {.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h)};
	h.type_off = 0;
	h.type_len = (uint32_t)w.tlen;
	h.str_off = (uint32_t)w.tlen;
	h.str_len = (uint32_t)w.slen;
	size_t size = sizeof(h) + w.tlen + w.slen;
	uint8_t *raw = w.oom ? NULL : malloc(size);
	if (raw) {
		memcpy(raw, &h, sizeof(h));
		memcpy(raw + sizeof(h), w.types, w.tlen);
		memcpy(raw + sizeof(h) + w.tlen, w.strs, w.slen);
		struct bpfrt_diag diag;
		builtin_btf = bpfrt_btf_new(raw, size, &diag);
		free(raw);
	}
	free(w.types);
	free(w.strs);
}

const struct bpfrt_btf *bpfrt_btf_builtin(void)
{
	pthread_once(&builtin_once, build_builtin);
	return builtin_btf;
}
