/* prog.c — BPF_PROG_LOAD: copy and translate the instructions, take
 * references on the maps they name, prepare the executable form.
 *
 * Translation mirrors the kernel's: `lddw rX, map_fd` (BPF_PSEUDO_MAP_FD,
 * or BPF_PSEUDO_MAP_IDX through fd_array) becomes a plain 64-bit immediate
 * holding the map object's address; `lddw rX, map_value` (…_VALUE) becomes
 * the address of the value at key 0 plus the offset, for arrays.  The
 * verifier plugs in before bpfrt_vm_prog_new (see the marked place).
 */
#include "core/prog.h"
#include "core/btf_obj.h"
#include "core/pkt_ctx.h"
#include "helpers/helpers.h"
#include "verifier/verifier.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BPFRT_MAX_INSNS (1u << 20) /* the kernel's BPF_COMPLEXITY_LIMIT_INSNS */
#define U64_PTR(x) ((void *)(uintptr_t)(x))

static bool prog_type_supported(uint32_t type)
{
	switch (type) {
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
	case BPF_PROG_TYPE_KPROBE:
	case BPF_PROG_TYPE_PERF_EVENT:
	case BPF_PROG_TYPE_SYSCALL:
		return true;
	default:
		return false;
	}
}

/* Why PROG_LOAD refuses a program type, in words a user can act on: what
 * the type needs from the kernel and what to use in bpfrt instead.  The
 * kernel-only types get their own sentence; the rest a list of what loads. */
static const char *prog_type_refusal(uint32_t type)
{
	switch (type) {
	case BPF_PROG_TYPE_TRACING:
		return "program type tracing (fentry/fexit/fmod_ret/tp_btf/iter) is kernel-only: it attaches through "
		       "BTF trampolines to kernel functions and iterates kernel objects, which user space does not "
		       "have; use SEC(\"uprobe/PATH:FUNC\")/SEC(\"uretprobe/PATH:FUNC\") for a function of a user "
		       "process, or SEC(\"tracepoint/syscalls/sys_enter_NAME\") for its syscalls (bpfrt trace)";
	case BPF_PROG_TYPE_LSM:
		return "program type lsm is kernel-only: it runs on the kernel's security hooks; to deny a syscall "
		       "of a process bpfrt traces, use SEC(\"tracepoint/syscalls/sys_enter_NAME\") with "
		       "bpf_override_return (bpfrt trace)";
	case BPF_PROG_TYPE_STRUCT_OPS:
		return "program type struct_ops is kernel-only: it implements kernel interfaces (TCP congestion "
		       "control, sched_ext, ...) that have no user-space counterpart; bpfrt runs programs on its "
		       "own hooks (packets, syscalls, uprobes) or on demand (SEC(\"syscall\"), BPF_PROG_TEST_RUN)";
	case BPF_PROG_TYPE_EXT:
		return "program type ext (freplace) is kernel-only: it replaces a function of a program loaded in "
		       "the kernel; in bpfrt switch programs with a prog array and bpf_tail_call";
	default:
		return "program type not supported by bpfrt: it loads socket_filter, sched_cls, sched_act, xdp, "
		       "tracepoint, raw_tracepoint, kprobe (uprobes), perf_event and syscall programs";
	}
}

static void prog_release(struct bpfrt_obj *obj)
{
	struct bpfrt_prog *p = bpfrt_prog_from_obj(obj);
	bpfrt_vm_prog_free(p->vm);
	for (uint32_t i = 0; i < p->nr_maps; i++)
		bpfrt_obj_put(&p->maps[i]->obj);
	free(p->maps);
	free(p->xlated);
	free(p->portable);
	free(p);
}

int bpfrt_prog_map_index(const struct bpfrt_prog *prog, const struct bpfrt_map *map)
{
	for (uint32_t i = 0; i < prog->nr_maps; i++)
		if (prog->maps[i] == map)
			return (int)i;
	return -1;
}

const struct bpfrt_vm_prog *bpfrt_prog_tail_call(struct bpfrt_run *run, uint64_t map, uint32_t index)
{
	const struct bpfrt_prog *p = run->prog ? run->prog->owner : NULL;
	struct bpfrt_map *m = (struct bpfrt_map *)(uintptr_t)map;
	if (!p || !bpfrt_prog_uses_map(p, m))
		return NULL;
	return bpfrt_prog_array_get(m, index);
}

bool bpfrt_prog_uses_map(const struct bpfrt_prog *prog, const struct bpfrt_map *map)
{
	return bpfrt_prog_map_index(prog, map) >= 0;
}

/* Write the verdict to the caller's log buffer, as the verifier would. */
static int log_write(const union bpf_attr *attr, const char *msg)
{
	if (!attr->log_buf || !attr->log_size)
		return 0;
	char *buf = U64_PTR(attr->log_buf);
	size_t len = strlen(msg);
	if (len + 2 > attr->log_size) {
		memcpy(buf, msg, attr->log_size - 1);
		buf[attr->log_size - 1] = 0;
		return -ENOSPC;
	}
	memcpy(buf, msg, len);
	buf[len] = '\n';
	buf[len + 1] = 0;
	return 0;
}

static int reject(const union bpf_attr *attr, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int reject(const union bpf_attr *attr, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_write(attr, msg);
	return err;
}

/* Add map to the program's used maps (one reference per distinct map). */
static int use_map(struct bpfrt_prog *p, struct bpfrt_map *map)
{
	if (bpfrt_prog_uses_map(p, map)) {
		bpfrt_obj_put(&map->obj);
		return 0;
	}
	struct bpfrt_map **n = realloc(p->maps, (p->nr_maps + 1) * sizeof(*n));
	if (!n) {
		bpfrt_obj_put(&map->obj);
		return -ENOMEM;
	}
	p->maps = n;
	p->maps[p->nr_maps++] = map;
	return 0;
}

static int resolve_map_refs(struct bpfrt *rt, struct bpfrt_prog *p, const union bpf_attr *attr)
{
	struct bpf_insn *in = p->xlated;
	for (uint32_t i = 0; i + 1 < p->insn_cnt; i++) {
		if (in[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		uint8_t kind = in[i].src_reg;
		if (kind == 0 || kind == BPF_PSEUDO_FUNC) {
			i++;
			continue;
		}
		if (kind == BPF_PSEUDO_BTF_ID)
			return reject(attr, -EINVAL, "insn %u: ksym references (BPF_PSEUDO_BTF_ID) are not supported", i);
		int fd = in[i].imm, err = 0;
		bool value_kind = kind == BPF_PSEUDO_MAP_VALUE || kind == BPF_PSEUDO_MAP_IDX_VALUE;
		if (!value_kind && in[i + 1].imm) /* only direct value loads carry an offset there */
			return reject(attr, -EINVAL, "insn %u: unrecognized bpf_ld_imm64 insn (second imm %d)", i, in[i + 1].imm);
		if (kind == BPF_PSEUDO_MAP_IDX || kind == BPF_PSEUDO_MAP_IDX_VALUE) {
			if (!attr->fd_array)
				return reject(attr, -EINVAL, "insn %u: map index %d without fd_array", i, fd);
			/* fd_array has no length: read the slot as the kernel's
			 * copy_from_user would, EFAULT where nothing is mapped. */
			if (in[i].imm < 0)
				return reject(attr, -EINVAL, "insn %u: negative map index %d", i, in[i].imm);
			if (bpfrt_read_nofault(&fd, (const int *)U64_PTR(attr->fd_array) + in[i].imm, sizeof(fd)))
				return reject(attr, -EFAULT, "insn %u: fd_array[%d] is not readable", i, in[i].imm);
		}
		struct bpfrt_obj *obj = bpfrt_fd_get(rt, fd, BPFRT_OBJ_MAP, &err);
		if (!obj)
			return reject(attr, err, "insn %u: fd %d is not pointing to valid bpf_map", i, fd);
		struct bpfrt_map *map = bpfrt_map_from_obj(obj);
		uint64_t addr = (uintptr_t)map;
		if (kind == BPF_PSEUDO_MAP_VALUE || kind == BPF_PSEUDO_MAP_IDX_VALUE) {
			uint32_t off = (uint32_t)in[i + 1].imm, zero = 0;
			if (map->type != BPF_MAP_TYPE_ARRAY || map->max_entries != 1) {
				/* As the kernel's array_map_direct_value_addr: only
				 * single-element arrays (global data). */
				bpfrt_obj_put(obj);
				return reject(attr, -EINVAL, "insn %u: direct value access on map '%s' is not allowed (only single-element arrays)",
					      i, map->name);
			}
			if (off >= map->value_size) {
				bpfrt_obj_put(obj);
				return reject(attr, -EINVAL, "insn %u: direct value offset %u is outside value_size %u", i,
					      off, map->value_size);
			}
			addr = (uintptr_t)map->ops->lookup(map, &zero) + off;
		}
		bool value = kind == BPF_PSEUDO_MAP_VALUE || kind == BPF_PSEUDO_MAP_IDX_VALUE;
		err = use_map(p, map);
		if (err)
			return err;
		p->portable[i].src_reg = value ? BPF_PSEUDO_MAP_IDX_VALUE : BPF_PSEUDO_MAP_IDX;
		p->portable[i].imm = bpfrt_prog_map_index(p, map);
		in[i].src_reg = 0;
		in[i].imm = (int32_t)(uint32_t)addr;
		in[i + 1].imm = (int32_t)(uint32_t)(addr >> 32);
		i++;
	}
	return 0;
}

/* What the verifier needs to know of each map the program uses. */
static void describe_map(struct bpfrt_map *m, struct bpfrt_verifier_map *v)
{
	memset(v, 0, sizeof(*v));
	v->addr = (uintptr_t)m;
	v->type = m->type, v->key_size = m->key_size, v->value_size = m->value_size;
	v->max_entries = m->max_entries, v->flags = m->flags;
	v->spin_lock_off = m->shm ? m->shm->spin_lock_off : -1;
	v->frozen = m->shm && __atomic_load_n(&m->shm->frozen, __ATOMIC_ACQUIRE);
	v->name = m->name;
	if (m->type == BPF_MAP_TYPE_ARRAY && v->frozen) {
		uint32_t zero = 0;
		v->value_data = m->ops->lookup(m, &zero);
	}
	v->has_inner = bpfrt_map_in_map_template(m, &v->inner_type, &v->inner_key_size, &v->inner_value_size,
						 &v->inner_max_entries, &v->inner_flags);
}

/* Dead-code elimination, as the kernel's: what no path reaches becomes an
 * exit (never executed, and valid as the last instruction) in the form
 * that runs (a CO-RE-poisoned access guarded by
 * bpf_core_field_exists(), a branch a constant decides).  The pinned form
 * keeps the original (it is verified again when opened). */
static void drop_dead_code(struct bpfrt_prog *p, const uint8_t *seen)
{
	for (uint32_t i = 0; i < p->insn_cnt; i++) {
		bool lddw = p->xlated[i].code == (BPF_LD | BPF_IMM | BPF_DW) && i + 1 < p->insn_cnt;
		if (!seen[i])
			p->xlated[i] = (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};
		if (lddw) {
			if (!seen[i])
				p->xlated[i + 1] = (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};
			i++;
		}
	}
}

static int verify_prog_lines(struct bpfrt_prog *p, const union bpf_attr *attr,
			     const struct bpfrt_verifier_line *lines, uint32_t nlines);

/* The source lines of BTF line info (line_info + prog_btf_fd), for the
 * verifier's messages.  Returns the number of lines (0 without line info,
 * or a negative errno); *out is malloc'd and *btf holds a reference the
 * caller puts (the strings live in it). */
static int read_line_info(struct bpfrt *rt, const union bpf_attr *attr, struct bpfrt_verifier_line **out,
			  struct bpfrt_btf_obj **btf)
{
	*out = NULL;
	*btf = NULL;
	if (!attr->line_info_cnt)
		return 0;
	uint32_t rs = attr->line_info_rec_size;
	if (rs < sizeof(struct bpf_line_info) || rs > 4096 || rs % 4 || !attr->line_info)
		return -EINVAL;
	int err = bpfrt_btf_obj_get_fd(rt, (int)attr->prog_btf_fd, btf);
	if (err)
		return err;
	struct bpfrt_verifier_line *v = calloc(attr->line_info_cnt, sizeof(*v));
	if (!v)
		return -ENOMEM;
	const uint8_t *rec = U64_PTR(attr->line_info);
	uint32_t n = 0;
	for (uint32_t i = 0; i < attr->line_info_cnt; i++) {
		struct bpf_line_info li;
		memcpy(&li, rec + (size_t)i * rs, sizeof(li));
		if (n && li.insn_off <= v[n - 1].insn)
			continue; /* the kernel wants them sorted: keep the first of each */
		v[n++] = (struct bpfrt_verifier_line){.insn = li.insn_off, .line = li.line_col >> 10,
						      .file = bpfrt_btf_str((*btf)->btf, li.file_name_off),
						      .text = bpfrt_btf_str((*btf)->btf, li.line_off)};
	}
	*out = v;
	return (int)n;
}

/* Context rewriting, as the kernel's convert_ctx_accesses: a 32-bit load
 * of xdp_md/__sk_buff data, data_end or data_meta becomes a 64-bit load of
 * the real pointer kept after the UAPI struct (core/pkt_ctx.h). */
static void rewrite_ctx_loads(struct bpfrt_prog *p, const uint8_t *kind)
{
	int32_t base = bpfrt_pkt_ctx_off(p->type);
	if (base < 0)
		return;
	for (uint32_t i = 0; i < p->insn_cnt; i++) {
		if (!kind[i])
			continue;
		struct bpf_insn *in = &p->xlated[i];
		int32_t field = kind[i] == BPFRT_CTX_LOAD_DATA	 ? (int32_t)offsetof(struct bpfrt_pkt_ptrs, data)
				: kind[i] == BPFRT_CTX_LOAD_END ? (int32_t)offsetof(struct bpfrt_pkt_ptrs, data_end)
								 : (int32_t)offsetof(struct bpfrt_pkt_ptrs, data_meta);
		in->code = BPF_LDX | BPF_MEM | BPF_DW;
		in->off = (int16_t)(base + field);
	}
}

/* Prove the program safe (src/verifier/).  The verifier reads the portable
 * form, whose lddw instructions name maps by index into p->maps. */
static int verify_prog(struct bpfrt *rt, struct bpfrt_prog *p, const union bpf_attr *attr)
{
	struct bpfrt_verifier_line *lines;
	struct bpfrt_btf_obj *btf;
	int nlines = read_line_info(rt, attr, &lines, &btf);
	if (nlines < 0) {
		if (btf)
			bpfrt_obj_put(&btf->obj);
		return nlines;
	}
	int err = verify_prog_lines(p, attr, lines, (uint32_t)nlines);
	free(lines);
	if (btf)
		bpfrt_obj_put(&btf->obj);
	return err;
}

static int verify_prog_lines(struct bpfrt_prog *p, const union bpf_attr *attr,
			     const struct bpfrt_verifier_line *lines, uint32_t nlines)
{
	struct bpfrt_verifier_map *maps = calloc(p->nr_maps + 1, sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->nr_maps; i++)
		describe_map(p->maps[i], &maps[i]);
	struct bpfrt_verifier_in in = {
		.insns = p->portable, .cnt = p->insn_cnt, .prog_type = p->type,
		.expected_attach_type = p->expected_attach_type, .gpl = p->gpl,
		.maps = maps, .nr_maps = p->nr_maps,
		.lines = lines, .nr_lines = nlines,
		.log_level = attr->log_level,
		.log_buf = attr->log_level ? U64_PTR(attr->log_buf) : NULL,
		.log_size = attr->log_level ? attr->log_size : 0,
	};
	uint8_t *seen = calloc(2 * (size_t)p->insn_cnt, 1);
	if (!seen) {
		free(maps);
		return -ENOMEM;
	}
	in.insn_seen = seen;
	in.ctx_pkt_load = seen + p->insn_cnt;
	struct bpfrt_verifier_out out;
	int err = bpfrt_verify(&in, &out);
	free(maps);
	if (!err) {
		drop_dead_code(p, seen);
		rewrite_ctx_loads(p, in.ctx_pkt_load);
	}
	free(seen);
	if (err && out.summary[0] && in.log_buf) {
		/* bpfrt's readable verdict after the kernel-style log. */
		size_t len = strnlen(in.log_buf, in.log_size);
		if (len + 1 < in.log_size)
			snprintf(in.log_buf + len, in.log_size - len, "bpfrt: %s\n", out.summary);
	}
	if (!err && in.log_buf && out.log_truncated)
		return -ENOSPC;
	return err;
}

static bool license_is_gpl(const char *l)
{
	static const char *const ok[] = {"GPL", "GPL v2", "GPL and additional rights",
					 "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(l, ok[i]))
			return true;
	return false;
}

int bpfrt_cmd_prog_load(struct bpfrt *rt, union bpf_attr *attr)
{
	if (!prog_type_supported(attr->prog_type))
		return reject(attr, -EINVAL, "%s", prog_type_refusal(attr->prog_type));
	if (attr->insn_cnt == 0)
		return -EINVAL;
	if (attr->insn_cnt > BPFRT_MAX_INSNS)
		return -E2BIG;
	if (!attr->insns || !attr->license)
		return -EFAULT;
	if (attr->log_level && (!attr->log_buf || attr->log_size < 128))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(attr->prog_name) && attr->prog_name[i]; i++)
		if (i == sizeof(attr->prog_name) - 1)
			return -EINVAL;

	struct bpfrt_prog *p = bpfrt_zalloc(rt, sizeof(*p));
	if (!p)
		return -ENOMEM;
	bpfrt_obj_init(&p->obj, rt, BPFRT_OBJ_PROG, prog_release);
	p->type = attr->prog_type;
	p->expected_attach_type = attr->expected_attach_type;
	memcpy(p->name, attr->prog_name, sizeof(p->name));
	p->gpl = license_is_gpl(U64_PTR(attr->license));
	p->insn_cnt = attr->insn_cnt;
	size_t bytes = (size_t)attr->insn_cnt * sizeof(struct bpf_insn);
	p->xlated = bpfrt_alloc(rt, bytes);
	p->portable = bpfrt_alloc(rt, bytes);
	int err = p->xlated && p->portable ? 0 : -ENOMEM;
	if (!err) {
		memcpy(p->xlated, U64_PTR(attr->insns), bytes);
		memcpy(p->portable, p->xlated, bytes);
		struct bpfrt_diag diag = {0};
		/* Well-formedness first, so map resolution meets real lddw pairs. */
		if (bpfrt_insns_check(p->xlated, p->insn_cnt, &diag))
			err = reject(attr, -EINVAL, "%s", diag.msg);
	}
	if (!err)
		err = resolve_map_refs(rt, p, attr);
	p->unverified = (attr->prog_flags & BPFRT_F_UNVERIFIED) != 0;
	if (!err && !p->unverified)
		err = verify_prog(rt, p, attr);
	if (!err) {
		struct bpfrt_diag diag = {0};
		struct bpfrt_vm_opts vo = {.sz = sizeof(vo), .name = p->name};
		if (bpfrt_vm_prog_new(rt, p->xlated, p->insn_cnt, &vo, &p->vm, &diag))
			err = reject(attr, -EINVAL, "%s", diag.msg);
		else
			p->vm->owner = p;
	}
	if (!err) {
		struct timespec ts;
		clock_gettime(CLOCK_BOOTTIME, &ts);
		p->load_time_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		err = bpfrt_obj_publish(&p->obj);
	}
	int fd = err ? err : bpfrt_fd_install(rt, &p->obj);
	bpfrt_obj_put(&p->obj);
	return fd;
}
