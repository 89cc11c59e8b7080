/* btf_obj.h — BTF as a bpf() object: what BPF_BTF_LOAD returns an fd to.
 *
 * A struct bpfrt_btf_obj owns a parsed, validated struct bpfrt_btf (its raw
 * bytes are what BPF_OBJ_GET_INFO_BY_FD hands back) and is refcounted like
 * maps and programs: fds, ids (BTF_GET_FD_BY_ID / BTF_GET_NEXT_ID) and maps
 * created with btf_fd each hold a reference.
 */
#ifndef BPFRT_CORE_BTF_OBJ_H
#define BPFRT_CORE_BTF_OBJ_H

#include "bpfrt/btf.h"
#include "core/runtime.h"

struct bpfrt_btf_obj {
	struct bpfrt_obj obj;
	struct bpfrt_btf *btf; /* owned */
};

static inline struct bpfrt_btf_obj *bpfrt_btf_obj_from_obj(struct bpfrt_obj *obj)
{
	return (struct bpfrt_btf_obj *)obj;
}

/* Parse raw BTF and make a published object with one reference (put it
 * when done).  The kernel's extra rules on special structs are applied
 * (bpf_spin_lock: at most one per struct, byte-aligned, 4-aligned).
 * -EINVAL with diag's message for malformed BTF. */
int bpfrt_btf_obj_new(struct bpfrt *rt, const void *data, size_t size, struct bpfrt_diag *diag,
		      struct bpfrt_btf_obj **out);

/* The BTF object behind fd with a new reference: -EBADF (no fd), -EINVAL
 * (fd of another kind), as the kernel's btf_get_by_fd. */
int bpfrt_btf_obj_get_fd(struct bpfrt *rt, int fd, struct bpfrt_btf_obj **out);

/* Offset of the bpf_spin_lock in a value of type id: the first member of
 * type `struct bpf_spin_lock` found in the struct or in structs nested in
 * it by value (the kernel looks there too; not inside arrays).  -1 if none. */
int64_t bpfrt_btf_spin_lock_off(const struct bpfrt_btf *btf, uint32_t id);

/* bpf() commands and info (bpf_cmd.c, info.c). */
int bpfrt_cmd_btf_load(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_btf_info(struct bpfrt_obj *obj, union bpf_attr *attr);

#endif
