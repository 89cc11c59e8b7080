/* prog.h — the program object behind a prog fd: its type, the translated
 * instructions (map fds replaced by map addresses, like the kernel's xlated
 * form), the maps it holds references to, and the executable form. */
#ifndef BPFRT_CORE_PROG_H
#define BPFRT_CORE_PROG_H

#include "core/runtime.h"
#include "maps/map.h"
#include "vm/vm.h"

struct bpfrt_prog {
	struct bpfrt_obj obj;
	uint32_t type;
	uint32_t expected_attach_type;
	char name[BPF_OBJ_NAME_LEN];
	bool gpl;
	bool unverified;            /* loaded with BPFRT_F_UNVERIFIED: runs checked, with a budget */
	uint32_t insn_cnt;
	struct bpf_insn *xlated;    /* as run: map references resolved */
	struct bpf_insn *portable;  /* as pinned: map references as BPF_PSEUDO_MAP_IDX(_VALUE) into maps[] */
	struct bpfrt_map **maps;    /* used maps, one reference each */
	uint32_t nr_maps;
	struct bpfrt_vm_prog *vm;
	uint64_t load_time_ns;
	uint64_t run_cnt, run_time_ns; /* atomic statistics */
};

static inline struct bpfrt_prog *bpfrt_prog_from_obj(struct bpfrt_obj *obj)
{
	return (struct bpfrt_prog *)obj;
}

/* Is map one of the maps prog uses?  (Helpers check pointers they get.) */
bool bpfrt_prog_uses_map(const struct bpfrt_prog *prog, const struct bpfrt_map *map);

/* bpf_tail_call's resolver for runs of runtime programs: map must be a
 * prog array the running program uses. */
const struct bpfrt_vm_prog *bpfrt_prog_tail_call(struct bpfrt_run *run, uint64_t map, uint32_t index);

int bpfrt_cmd_prog_load(struct bpfrt *rt, union bpf_attr *attr);
/* Index of map in prog->maps, or -1. */
int bpfrt_prog_map_index(const struct bpfrt_prog *prog, const struct bpfrt_map *map);
int bpfrt_cmd_prog_test_run(struct bpfrt *rt, union bpf_attr *attr);
/* The run flags and limits of runs of p on its runtime's engine
 * (test_run.c): the engine's flags; unverified programs interpret with a
 * budget; under the checked engine, the values of the single-element
 * arrays p addresses directly (global data) become regions, stored in
 * globals[cap] which must outlive the runs. */
void bpfrt_prog_run_opts_init(struct bpfrt_prog *p, struct bpfrt_run_opts *o, struct bpfrt_region *globals,
			      uint32_t cap);
int bpfrt_cmd_obj_pin(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_obj_get(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_get_next_id(struct bpfrt *rt, int cmd, union bpf_attr *attr);
int bpfrt_cmd_get_fd_by_id(struct bpfrt *rt, int cmd, union bpf_attr *attr);
int bpfrt_cmd_obj_get_info_by_fd(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_link_create(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_link_update(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_cmd_link_detach(struct bpfrt *rt, union bpf_attr *attr);
int bpfrt_link_info(struct bpfrt_obj *obj, union bpf_attr *attr);
/* The program attached at (attach_type, target), with a reference, or NULL. */
struct bpfrt_prog *bpfrt_link_prog_at(struct bpfrt *rt, uint32_t attach_type, uint32_t target);

#endif
