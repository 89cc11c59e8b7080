/* btf_obj.c — BPF_BTF_LOAD, BTF info and the BTF object (see btf_obj.h).
 *
 * Validation is bpfrt_btf_new()'s, plus the rules the kernel applies to
 * structs holding a bpf_spin_lock when it loads BTF (errno values checked
 * against Linux 6.18): two locks directly in one struct E2BIG, a lock at a
 * bit offset EINVAL, a lock not 4-aligned EFAULT.  The log gets the
 * parser's message on failure; a successful load logs nothing (the kernel
 * lists every type at any log level; bpfrt doesn't).
 */
#include "core/btf_obj.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define U64_PTR(x) ((void *)(uintptr_t)(x))
/* The kernel's BTF_MAX_SIZE. */
#define BTF_LOAD_MAX (16u << 20)
#define LOG_LEVEL_MASK 15u /* BPF_LOG_LEVEL1 | LEVEL2 | STATS | FIXED */

/* BTF_LOAD fields newer than <linux/bpf.h> may be: after btf_log_level come
 * btf_log_true_size, btf_flags and btf_token_fd (u32 each). */
#define BTF_LOAD_TAIL_OFF (offsetof(union bpf_attr, btf_log_level) + sizeof(uint32_t))

static void btf_obj_release(struct bpfrt_obj *obj)
{
	struct bpfrt_btf_obj *b = bpfrt_btf_obj_from_obj(obj);
	bpfrt_btf_free(b->btf);
	free(b);
}

static bool is_lock(const struct bpfrt_btf *btf, const struct btf_type *t)
{
	return t && BTF_INFO_KIND(t->info) == BTF_KIND_STRUCT &&
	       !strcmp(bpfrt_btf_str(btf, t->name_off) ?: "", "bpf_spin_lock");
}

static bool is_struct(const struct btf_type *t)
{
	uint32_t k = t ? BTF_INFO_KIND(t->info) : 0;
	return k == BTF_KIND_STRUCT || k == BTF_KIND_UNION;
}

static uint32_t member_bit_off(const struct btf_type *t, const struct btf_member *m)
{
	return BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
}

/* The spin lock rules for every struct of btf: 0 or a negative errno. */
static int check_locks(const struct bpfrt_btf *btf, struct bpfrt_diag *diag)
{
	uint32_t n = bpfrt_btf_type_cnt(btf);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
		if (!is_struct(t))
			continue;
		const struct btf_member *m = (const struct btf_member *)(t + 1);
		uint32_t locks = 0;
		for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
			if (!is_lock(btf, bpfrt_btf_type_by_id(btf, m[i].type)))
				continue;
			uint32_t off = member_bit_off(t, &m[i]);
			const char *why = NULL;
			int err = 0;
			if (++locks > 1)
				why = "more than one bpf_spin_lock", err = -E2BIG;
			else if (off % 8)
				why = "bpf_spin_lock at a bit offset", err = -EINVAL;
			else if ((off / 8) % 4)
				why = "bpf_spin_lock not 4-byte aligned", err = -EFAULT;
			if (err) {
				if (diag)
					snprintf(diag->msg, sizeof(diag->msg), "[%u] STRUCT %s: %s", id,
						 bpfrt_btf_str(btf, t->name_off), why);
				return err;
			}
		}
	}
	return 0;
}

static int64_t lock_off_in(const struct bpfrt_btf *btf, const struct btf_type *t, int depth)
{
	if (!is_struct(t) || depth > 64)
		return -1;
	const struct btf_member *m = (const struct btf_member *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		const struct btf_type *mt = bpfrt_btf_type_by_id(btf, m[i].type);
		uint64_t off = member_bit_off(t, &m[i]) / 8;
		if (is_lock(btf, mt))
			return (int64_t)off;
		int64_t in = lock_off_in(btf, mt, depth + 1);
		if (in >= 0)
			return (int64_t)off + in;
	}
	return -1;
}

int64_t bpfrt_btf_spin_lock_off(const struct bpfrt_btf *btf, uint32_t id)
{
	return lock_off_in(btf, bpfrt_btf_skip_mods(btf, id, NULL), 0);
}

int bpfrt_btf_obj_new(struct bpfrt *rt, const void *data, size_t size, struct bpfrt_diag *diag,
		      struct bpfrt_btf_obj **out)
{
	struct bpfrt_btf *btf = bpfrt_btf_new(data, size, diag);
	if (!btf)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	int err = check_locks(btf, diag);
	struct bpfrt_btf_obj *b = err ? NULL : bpfrt_zalloc(rt, sizeof(*b));
	if (!b) {
		bpfrt_btf_free(btf);
		return err ? err : -ENOMEM;
	}
	bpfrt_obj_init(&b->obj, rt, BPFRT_OBJ_BTF, btf_obj_release);
	b->btf = btf;
	err = bpfrt_obj_publish(&b->obj);
	if (err) {
		bpfrt_obj_put(&b->obj);
		return err;
	}
	*out = b;
	return 0;
}

int bpfrt_btf_obj_get_fd(struct bpfrt *rt, int fd, struct bpfrt_btf_obj **out)
{
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, fd, BPFRT_OBJ_BTF, &err);
	if (!obj)
		return err;
	*out = bpfrt_btf_obj_from_obj(obj);
	return 0;
}

/* Write msg (plus a newline) to the caller's log: -ENOSPC if it didn't
 * fit, as the kernel's log; *true_size gets the bytes it needed. */
static int write_log(const union bpf_attr *attr, const char *msg, uint32_t *true_size)
{
	char line[sizeof(((struct bpfrt_diag *)0)->msg) + 2];
	int n = msg && *msg ? snprintf(line, sizeof(line), "%s\n", msg) : 0;
	*true_size = (uint32_t)n + 1;
	if (!attr->btf_log_level || !attr->btf_log_buf)
		return 0;
	char *buf = U64_PTR(attr->btf_log_buf);
	uint32_t cap = attr->btf_log_size;
	uint32_t k = (uint32_t)n < cap - 1 ? (uint32_t)n : cap - 1;
	memcpy(buf, line, k);
	buf[k] = 0;
	return *true_size > cap ? -ENOSPC : 0;
}

int bpfrt_cmd_btf_load(struct bpfrt *rt, union bpf_attr *attr)
{
	uint32_t tail[3]; /* btf_log_true_size, btf_flags, btf_token_fd */
	memcpy(tail, (char *)attr + BTF_LOAD_TAIL_OFF, sizeof(tail));
	if (tail[1]) /* BPF_F_TOKEN_FD or unknown: bpfrt has no tokens */
		return -EINVAL;
	if (attr->btf_size > BTF_LOAD_MAX)
		return -E2BIG;
	/* The kernel's log checks: buffer and size together, a buffer needs
	 * a level, known level bits. */
	if (!!attr->btf_log_buf != !!attr->btf_log_size ||
	    (attr->btf_log_buf && !attr->btf_log_level) || (attr->btf_log_level & ~LOG_LEVEL_MASK) ||
	    attr->btf_log_size > (UINT32_MAX >> 2))
		return -EINVAL;
	if (!attr->btf && attr->btf_size)
		return -EFAULT;
	struct bpfrt_diag diag;
	memset(&diag, 0, sizeof(diag));
	struct bpfrt_btf_obj *b = NULL;
	int err = bpfrt_btf_obj_new(rt, U64_PTR(attr->btf), attr->btf_size, &diag, &b);
	uint32_t true_size;
	int lerr = write_log(attr, err ? diag.msg : NULL, &true_size);
	tail[0] = true_size;
	memcpy((char *)attr + BTF_LOAD_TAIL_OFF, tail, sizeof(tail[0]));
	if (!err && lerr)
		err = lerr;
	else if (err && lerr)
		err = lerr; /* the kernel reports the truncated log over the parse error */
	if (err) {
		if (b)
			bpfrt_obj_put(&b->obj);
		return err;
	}
	int fd = bpfrt_fd_install(rt, &b->obj);
	bpfrt_obj_put(&b->obj);
	return fd;
}

int bpfrt_btf_info(struct bpfrt_obj *obj, union bpf_attr *attr)
{
	struct bpfrt_btf_obj *b = bpfrt_btf_obj_from_obj(obj);
	struct bpf_btf_info info, in;
	uint32_t len = attr->info.info_len;
	const uint8_t *u = U64_PTR(attr->info.info);
	for (size_t i = sizeof(info); i < len; i++)
		if (u[i])
			return -E2BIG;
	if (len > sizeof(info))
		len = sizeof(info);
	memset(&in, 0, sizeof(in));
	memcpy(&in, u, len);
	memset(&info, 0, sizeof(info));
	size_t raw_size;
	const void *raw = bpfrt_btf_raw(b->btf, &raw_size);
	info.id = b->obj.id;
	info.btf = in.btf;
	info.btf_size = (uint32_t)raw_size;
	if (in.btf && in.btf_size)
		memcpy(U64_PTR(in.btf), raw, in.btf_size < raw_size ? in.btf_size : raw_size);
	/* Loaded BTF has no name; the name buffer and its length go together. */
	if (!in.name != !in.name_len)
		return -EINVAL;
	info.name = in.name;
	info.name_len = 0;
	if (in.name)
		*(char *)U64_PTR(in.name) = 0;
	memcpy(U64_PTR(attr->info.info), &info, len);
	attr->info.info_len = len;
	return 0;
}
