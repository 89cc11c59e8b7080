/* info.c — ids and introspection: *_GET_NEXT_ID, *_GET_FD_BY_ID and
 * OBJ_GET_INFO_BY_FD with the kernel's bpf_map_info / bpf_prog_info.
 *
 * Info copying follows the kernel: the caller's info_len may be shorter
 * (we fill what fits) or longer (the extra bytes must be zero, -E2BIG);
 * info_len comes back as the size actually written.
 */
#include "core/btf_obj.h"
#include "core/prog.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define U64_PTR(x) ((void *)(uintptr_t)(x))

static enum bpfrt_obj_type type_of_cmd(int cmd)
{
	switch (cmd) {
	case BPF_PROG_GET_NEXT_ID:
	case BPF_PROG_GET_FD_BY_ID:
		return BPFRT_OBJ_PROG;
	case BPF_MAP_GET_NEXT_ID:
	case BPF_MAP_GET_FD_BY_ID:
		return BPFRT_OBJ_MAP;
	case BPF_LINK_GET_NEXT_ID:
	case BPF_LINK_GET_FD_BY_ID:
		return BPFRT_OBJ_LINK;
	case BPF_BTF_GET_NEXT_ID:
	case BPF_BTF_GET_FD_BY_ID:
		return BPFRT_OBJ_BTF;
	default:
		return BPFRT_OBJ_NONE;
	}
}

int bpfrt_cmd_get_next_id(struct bpfrt *rt, int cmd, union bpf_attr *attr)
{
	uint32_t next = bpfrt_id_next(rt, type_of_cmd(cmd), attr->start_id);
	if (!next)
		return -ENOENT;
	attr->next_id = next;
	return 0;
}

int bpfrt_cmd_get_fd_by_id(struct bpfrt *rt, int cmd, union bpf_attr *attr)
{
	if (attr->open_flags & ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY))
		return -EINVAL;
	if (cmd != BPF_MAP_GET_FD_BY_ID && attr->open_flags)
		return -EINVAL;
	struct bpfrt_obj *obj = bpfrt_id_get(rt, type_of_cmd(cmd), attr->start_id);
	if (!obj)
		return -ENOENT;
	int fd = bpfrt_fd_install(rt, obj);
	bpfrt_obj_put(obj);
	return fd;
}

/* Check the caller's buffer and return how many bytes to write. */
static int info_len(const union bpf_attr *attr, size_t ours, uint32_t *len)
{
	const uint8_t *u = U64_PTR(attr->info.info);
	for (size_t i = ours; i < attr->info.info_len; i++)
		if (u[i])
			return -E2BIG;
	*len = attr->info.info_len < ours ? attr->info.info_len : (uint32_t)ours;
	return 0;
}

static int map_info(struct bpfrt_map *map, union bpf_attr *attr)
{
	struct bpf_map_info info;
	uint32_t len;
	int err = info_len(attr, sizeof(info), &len);
	if (err)
		return err;
	memset(&info, 0, sizeof(info));
	info.type = map->type;
	info.id = map->obj.id;
	info.key_size = map->key_size;
	info.value_size = map->value_size;
	info.max_entries = map->max_entries;
	info.map_flags = map->flags;
	memcpy(info.name, map->name, sizeof(info.name));
	info.btf_id = map->btf ? map->btf->obj.id : 0;
	info.btf_key_type_id = map->shm->btf_key_type_id;
	info.btf_value_type_id = map->shm->btf_value_type_id;
	info.map_extra = map->shm->map_extra;
	memcpy(U64_PTR(attr->info.info), &info, len);
	attr->info.info_len = len;
	return 0;
}

static int prog_info(struct bpfrt_prog *p, union bpf_attr *attr)
{
	struct bpf_prog_info info, in;
	uint32_t len;
	int err = info_len(attr, sizeof(info), &len);
	if (err)
		return err;
	memset(&in, 0, sizeof(in));
	memcpy(&in, U64_PTR(attr->info.info), len);
	memset(&info, 0, sizeof(info));
	info.type = p->type;
	info.id = p->obj.id;
	info.load_time = p->load_time_ns;
	info.created_by_uid = (uint32_t)getuid();
	memcpy(info.name, p->name, sizeof(info.name));
	info.gpl_compatible = p->gpl;
	info.run_cnt = __atomic_load_n(&p->run_cnt, __ATOMIC_RELAXED);
	info.run_time_ns = __atomic_load_n(&p->run_time_ns, __ATOMIC_RELAXED);
	/* Arrays the caller asked for: copy what fits, report the full size. */
	info.xlated_prog_len = p->insn_cnt * (uint32_t)sizeof(struct bpf_insn);
	if (in.xlated_prog_insns && in.xlated_prog_len) {
		uint32_t n = in.xlated_prog_len < info.xlated_prog_len ? in.xlated_prog_len : info.xlated_prog_len;
		memcpy(U64_PTR(in.xlated_prog_insns), p->xlated, n);
		info.xlated_prog_insns = in.xlated_prog_insns;
	}
	/* Native code, once the JIT compiled the program (it does so on the
	 * first run on the JIT engine, not at load as the kernel). */
	struct bpfrt_jited j = {.sz = sizeof(j)};
	if (p->vm && !bpfrt_vm_prog_jited(p->vm, false, &j)) {
		info.jited_prog_len = (uint32_t)j.size;
		if (in.jited_prog_insns && in.jited_prog_len) {
			uint32_t n = in.jited_prog_len < info.jited_prog_len ? in.jited_prog_len : info.jited_prog_len;
			memcpy(U64_PTR(in.jited_prog_insns), j.code, n);
			info.jited_prog_insns = in.jited_prog_insns;
		}
	}
	info.nr_map_ids = p->nr_maps;
	if (in.map_ids && in.nr_map_ids) {
		uint32_t *ids = U64_PTR(in.map_ids);
		for (uint32_t i = 0; i < p->nr_maps && i < in.nr_map_ids; i++)
			ids[i] = p->maps[i]->obj.id;
		info.map_ids = in.map_ids;
	}
	memcpy(U64_PTR(attr->info.info), &info, len);
	attr->info.info_len = len;
	return 0;
}

int bpfrt_prog_jited(struct bpfrt *rt, int prog_fd, bool compile, struct bpfrt_jited *out)
{
	if (!rt || !out)
		return -EINVAL;
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, prog_fd, BPFRT_OBJ_PROG, &err);
	if (!obj)
		return err;
	struct bpfrt_prog *p = bpfrt_prog_from_obj(obj);
	/* The fd's reference keeps the program, and so the image, alive. */
	err = p->vm ? bpfrt_vm_prog_jited(p->vm, compile, out) : -EINVAL;
	bpfrt_obj_put(obj);
	return err;
}

int bpfrt_cmd_obj_get_info_by_fd(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, (int)attr->info.bpf_fd, BPFRT_OBJ_NONE, &err);
	if (!obj)
		return err;
	if (obj->type == BPFRT_OBJ_MAP)
		err = map_info(bpfrt_map_from_obj(obj), attr);
	else if (obj->type == BPFRT_OBJ_PROG)
		err = prog_info(bpfrt_prog_from_obj(obj), attr);
	else if (obj->type == BPFRT_OBJ_LINK)
		err = bpfrt_link_info(obj, attr);
	else if (obj->type == BPFRT_OBJ_BTF)
		err = bpfrt_btf_info(obj, attr);
	else
		err = -EINVAL;
	bpfrt_obj_put(obj);
	return err;
}
