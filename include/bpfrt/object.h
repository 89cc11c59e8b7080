/* bpfrt/object.h — loading ELF objects compiled by clang (-target bpf),
 * with libbpf's conventions and libbpf's API shape (bpf_object__*), bpfrt_
 * prefixed.
 *
 * Open parses and checks the ELF and BTF and collects programs (SEC()
 * names -> program type and expected attach type), maps (BTF-defined .maps,
 * legacy "maps", global data .data/.rodata/.bss/.data.NAME, .rodata.NAME,
 * .kconfig) and relocations; nothing is created yet, so types and initial
 * values (.rodata, as skeletons do) can still be changed.  Load creates the
 * maps (reusing pinned ones for LIBBPF_PIN_BY_NAME), applies relocations
 * and loads every program through BPF_PROG_LOAD of the runtime.
 *
 * Ownership: the object owns its programs, maps and their fds; close it
 * with bpfrt_object_close().  Errors: NULL/negative errno with errno set,
 * and bpfrt_object_error() / the diag naming the section, symbol,
 * relocation or instruction.
 */
#ifndef BPFRT_OBJECT_H
#define BPFRT_OBJECT_H

#include "bpfrt/bpfrt.h"
#include "bpfrt/btf.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_object;
struct bpfrt_program;
struct bpfrt_object_map;

struct bpfrt_object_open_opts {
	size_t sz;
	const char *object_name; /* default: the file's base name */
	const char *pin_root_path; /* for LIBBPF_PIN_BY_NAME; default: the runtime's pin root */
};

/* Open an object file / an in-memory image (copied).  NULL with errno and,
 * if diag is non-NULL, the reason and place. */
BPFRT_API struct bpfrt_object *bpfrt_object_open_file(struct bpfrt *rt, const char *path,
						      const struct bpfrt_object_open_opts *opts,
						      struct bpfrt_diag *diag);
BPFRT_API struct bpfrt_object *bpfrt_object_open_mem(struct bpfrt *rt, const void *buf, size_t size,
						     const struct bpfrt_object_open_opts *opts,
						     struct bpfrt_diag *diag);
/* Create maps, relocate, load every program.  0 or negative errno; the
 * reason (with program, section, instruction) in bpfrt_object_error(). */
BPFRT_API int bpfrt_object_load(struct bpfrt_object *obj);
BPFRT_API void bpfrt_object_close(struct bpfrt_object *obj);
BPFRT_API const char *bpfrt_object_name(const struct bpfrt_object *obj);
/* The last error's message ("" if none). */
BPFRT_API const char *bpfrt_object_error(const struct bpfrt_object *obj);
BPFRT_API const struct bpfrt_btf *bpfrt_object_btf(const struct bpfrt_object *obj);
BPFRT_API const struct bpfrt_btf_ext *bpfrt_object_btf_ext(const struct bpfrt_object *obj);

/* Programs, in section order then offset order.  prev NULL: the first. */
BPFRT_API struct bpfrt_program *bpfrt_object_next_program(const struct bpfrt_object *obj,
							  const struct bpfrt_program *prev);
BPFRT_API struct bpfrt_program *bpfrt_object_find_program_by_name(const struct bpfrt_object *obj,
								  const char *name);
BPFRT_API const char *bpfrt_program_name(const struct bpfrt_program *prog);
BPFRT_API const char *bpfrt_program_section_name(const struct bpfrt_program *prog);
BPFRT_API uint32_t bpfrt_program_type(const struct bpfrt_program *prog);
BPFRT_API uint32_t bpfrt_program_expected_attach_type(const struct bpfrt_program *prog);
/* Before load only (-EBUSY after). */
BPFRT_API int bpfrt_program_set_type(struct bpfrt_program *prog, uint32_t type);
BPFRT_API int bpfrt_program_set_expected_attach_type(struct bpfrt_program *prog, uint32_t type);
BPFRT_API int bpfrt_program_set_autoload(struct bpfrt_program *prog, bool autoload);
/* Can bpfrt attach this program in user space?  If not, why (NULL if yes). */
BPFRT_API const char *bpfrt_program_attach_note(const struct bpfrt_program *prog);
/* After load: the program fd (owned by the object), else -1. */
BPFRT_API int bpfrt_program_fd(const struct bpfrt_program *prog);
/* Instructions as relocated for load (after load) or as in the file. */
BPFRT_API const struct bpf_insn *bpfrt_program_insns(const struct bpfrt_program *prog, uint32_t *cnt);
/* After load: BTF line info of the instructions bpfrt_program_insns()
 * returns (the kernel's struct bpf_line_info, insn_off in instructions as
 * in the kernel's xlated line info; strings in bpfrt_object_btf()), for
 * every function the program contains.  NULL with *cnt = 0 without
 * .BTF.ext or before load.  Owned by the object. */
BPFRT_API const struct bpf_line_info *bpfrt_program_line_info(const struct bpfrt_program *prog,
							      uint32_t *cnt);

BPFRT_API struct bpfrt_object_map *bpfrt_object_next_map(const struct bpfrt_object *obj,
							 const struct bpfrt_object_map *prev);
BPFRT_API struct bpfrt_object_map *bpfrt_object_find_map_by_name(const struct bpfrt_object *obj,
								 const char *name);
BPFRT_API const char *bpfrt_object_map_name(const struct bpfrt_object_map *map);
BPFRT_API uint32_t bpfrt_object_map_type(const struct bpfrt_object_map *map);
BPFRT_API uint32_t bpfrt_object_map_key_size(const struct bpfrt_object_map *map);
BPFRT_API uint32_t bpfrt_object_map_value_size(const struct bpfrt_object_map *map);
BPFRT_API uint32_t bpfrt_object_map_max_entries(const struct bpfrt_object_map *map);
BPFRT_API uint32_t bpfrt_object_map_btf_key_type_id(const struct bpfrt_object_map *map);
BPFRT_API uint32_t bpfrt_object_map_btf_value_type_id(const struct bpfrt_object_map *map);
/* After load: the map fd (owned by the object), else -1. */
BPFRT_API int bpfrt_object_map_fd(const struct bpfrt_object_map *map);
/* Global data maps (.data, .rodata, .bss, ...): the initial contents,
 * writable before load (skeleton style); NULL for other maps. */
BPFRT_API void *bpfrt_object_map_initial_value(struct bpfrt_object_map *map, size_t *size);
BPFRT_API int bpfrt_object_map_set_initial_value(struct bpfrt_object_map *map, const void *data,
						 size_t size);
BPFRT_API int bpfrt_object_map_set_max_entries(struct bpfrt_object_map *map, uint32_t n);

/* Pin every map as DIR/<name> / every program as DIR/<name> (after load). */
BPFRT_API int bpfrt_object_pin_maps(struct bpfrt_object *obj, const char *dir);
BPFRT_API int bpfrt_object_pin_programs(struct bpfrt_object *obj, const char *dir);

#ifdef __cplusplus
}
#endif
#endif
