/* bpf_cmd.c — bpfrt_bpf(): the bpf(2) entry point and its dispatch table.
 *
 * Like the kernel: attr is copied into a zeroed union of our size; bytes
 * the caller passes beyond our union must be zero (-E2BIG); fields of the
 * union past the command's last field must be zero (-EINVAL, the kernel's
 * CHECK_ATTR).  Each row names the command's handler and its last field.
 */
#include "core/runtime.h"
#include "core/btf_obj.h"
#include "core/prog.h"
#include "maps/map.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define END_OF(field) (offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))

struct cmd_row {
	int (*fn)(struct bpfrt *rt, union bpf_attr *attr);
	size_t last_field_end; /* bytes of attr the command uses */
	bool writes_back;      /* copy attr back to the caller (info, ids, test_run) */
};

static int cmd_lookup_batch(struct bpfrt *rt, union bpf_attr *a)
{
	return bpfrt_cmd_map_batch(rt, BPF_MAP_LOOKUP_BATCH, a);
}
static int cmd_lookup_and_delete_batch(struct bpfrt *rt, union bpf_attr *a)
{
	return bpfrt_cmd_map_batch(rt, BPF_MAP_LOOKUP_AND_DELETE_BATCH, a);
}
static int cmd_update_batch(struct bpfrt *rt, union bpf_attr *a)
{
	return bpfrt_cmd_map_batch(rt, BPF_MAP_UPDATE_BATCH, a);
}
static int cmd_delete_batch(struct bpfrt *rt, union bpf_attr *a)
{
	return bpfrt_cmd_map_batch(rt, BPF_MAP_DELETE_BATCH, a);
}

#define ID_CMD(name, kind)                                          \
	static int name(struct bpfrt *rt, union bpf_attr *a)        \
	{                                                           \
		return kind(rt, BPF_##name, a);                     \
	}
ID_CMD(PROG_GET_NEXT_ID, bpfrt_cmd_get_next_id)
ID_CMD(MAP_GET_NEXT_ID, bpfrt_cmd_get_next_id)
ID_CMD(LINK_GET_NEXT_ID, bpfrt_cmd_get_next_id)
ID_CMD(PROG_GET_FD_BY_ID, bpfrt_cmd_get_fd_by_id)
ID_CMD(MAP_GET_FD_BY_ID, bpfrt_cmd_get_fd_by_id)
ID_CMD(LINK_GET_FD_BY_ID, bpfrt_cmd_get_fd_by_id)
ID_CMD(BTF_GET_NEXT_ID, bpfrt_cmd_get_next_id)
ID_CMD(BTF_GET_FD_BY_ID, bpfrt_cmd_get_fd_by_id)

/* BTF_LOAD ends with btf_log_true_size, btf_flags, btf_token_fd (u32s the
 * installed <linux/bpf.h> may lack) after btf_log_level. */
#define BTF_LOAD_END (END_OF(btf_log_level) + 3 * sizeof(uint32_t))

static const struct cmd_row commands[] = {
	[BPF_MAP_CREATE] = {bpfrt_cmd_map_create, END_OF(map_extra), false},
	[BPF_MAP_LOOKUP_ELEM] = {bpfrt_cmd_map_lookup, END_OF(flags), false},
	[BPF_MAP_UPDATE_ELEM] = {bpfrt_cmd_map_update, END_OF(flags), false},
	[BPF_MAP_DELETE_ELEM] = {bpfrt_cmd_map_delete, END_OF(key), false},
	[BPF_MAP_GET_NEXT_KEY] = {bpfrt_cmd_map_get_next_key, END_OF(next_key), false},
	[BPF_MAP_LOOKUP_AND_DELETE_ELEM] = {bpfrt_cmd_map_lookup_and_delete, END_OF(flags), false},
	[BPF_MAP_FREEZE] = {bpfrt_cmd_map_freeze, END_OF(map_fd), false},
	[BPF_PROG_LOAD] = {bpfrt_cmd_prog_load, END_OF(core_relo_rec_size), false},
	[BPF_PROG_TEST_RUN] = {bpfrt_cmd_prog_test_run, END_OF(test.batch_size), true},
	[BPF_OBJ_PIN] = {bpfrt_cmd_obj_pin, END_OF(file_flags), false},
	[BPF_OBJ_GET] = {bpfrt_cmd_obj_get, END_OF(file_flags), false},
	[BPF_PROG_GET_NEXT_ID] = {PROG_GET_NEXT_ID, END_OF(next_id), true},
	[BPF_MAP_GET_NEXT_ID] = {MAP_GET_NEXT_ID, END_OF(next_id), true},
	[BPF_LINK_GET_NEXT_ID] = {LINK_GET_NEXT_ID, END_OF(next_id), true},
	[BPF_PROG_GET_FD_BY_ID] = {PROG_GET_FD_BY_ID, END_OF(next_id), false},
	[BPF_MAP_GET_FD_BY_ID] = {MAP_GET_FD_BY_ID, END_OF(open_flags), false},
	[BPF_LINK_GET_FD_BY_ID] = {LINK_GET_FD_BY_ID, END_OF(next_id), false},
	[BPF_OBJ_GET_INFO_BY_FD] = {bpfrt_cmd_obj_get_info_by_fd, END_OF(info.info), true},
	[BPF_LINK_CREATE] = {bpfrt_cmd_link_create, END_OF(link_create), false},
	[BPF_LINK_UPDATE] = {bpfrt_cmd_link_update, END_OF(link_update.old_prog_fd), false},
	[BPF_LINK_DETACH] = {bpfrt_cmd_link_detach, END_OF(link_detach.link_fd), false},
	[BPF_MAP_LOOKUP_BATCH] = {cmd_lookup_batch, END_OF(batch), true},
	[BPF_MAP_LOOKUP_AND_DELETE_BATCH] = {cmd_lookup_and_delete_batch, END_OF(batch), true},
	[BPF_MAP_UPDATE_BATCH] = {cmd_update_batch, END_OF(batch), true},
	[BPF_MAP_DELETE_BATCH] = {cmd_delete_batch, END_OF(batch), true},
	[BPF_BTF_LOAD] = {bpfrt_cmd_btf_load, BTF_LOAD_END, true},
	[BPF_BTF_GET_FD_BY_ID] = {BTF_GET_FD_BY_ID, END_OF(open_flags), false},
	[BPF_BTF_GET_NEXT_ID] = {BTF_GET_NEXT_ID, END_OF(next_id), true},
};

int bpfrt_bpf(struct bpfrt *rt, int cmd, union bpf_attr *uattr, unsigned int size)
{
	union bpf_attr attr;
	int err;
	if (!rt || !uattr) {
		errno = EINVAL;
		return -EINVAL;
	}
	if (size > sizeof(attr)) {
		const unsigned char *tail = (const unsigned char *)uattr + sizeof(attr);
		for (unsigned int i = 0; i < size - sizeof(attr); i++) {
			if (tail[i]) {
				errno = E2BIG;
				return -E2BIG;
			}
		}
		size = sizeof(attr);
	}
	memset(&attr, 0, sizeof(attr));
	memcpy(&attr, uattr, size);
	if (cmd < 0 || (size_t)cmd >= sizeof(commands) / sizeof(commands[0]) || !commands[cmd].fn) {
		errno = EINVAL;
		return -EINVAL;
	}
	const struct cmd_row *row = &commands[cmd];
	/* Only the caller's bytes can be non-zero (the rest was zero-filled).
	 * One memcmp against zeros rather than a byte loop: on a map lookup
	 * the loop was half the syscall's time. */
	static const unsigned char zeros[sizeof(union bpf_attr)];
	const unsigned char *bytes = (const unsigned char *)&attr;
	if (row->last_field_end < size &&
	    memcmp(bytes + row->last_field_end, zeros, size - row->last_field_end)) {
		errno = EINVAL;
		return -EINVAL;
	}
	err = row->fn(rt, &attr);
	if (row->writes_back)
		memcpy(uattr, &attr, size);
	if (err < 0)
		errno = -err;
	return err;
}
