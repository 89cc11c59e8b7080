/* loader.h — the inside of struct bpfrt_object, shared by the loader's files:
 * elf.c (the ELF image: sections, symbols, relocations, all bounds-checked
 * once at open), sec_names.c (libbpf's SEC() table), object.c (programs,
 * maps, the public API, load) and relocate.c (relocations -> the
 * instructions given to BPF_PROG_LOAD).
 *
 * Invariant: after loader_elf_open() succeeds, every section's data lies
 * inside the image, every symbol's name inside the string table and every
 * index (section, symbol) is in range, so later stages never re-check
 * them; they check meaning (what a relocation points to), not bounds.
 */
#ifndef BPFRT_LOADER_LOADER_H
#define BPFRT_LOADER_LOADER_H

#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpfrt/object.h"

/* ---- ELF (elf.c) -------------------------------------------------------- */

struct loader_sec {
	const char *name;
	uint32_t idx;
	uint32_t type;   /* SHT_* */
	uint64_t flags;  /* SHF_* */
	const uint8_t *data; /* NULL for SHT_NOBITS */
	uint64_t size;
	uint32_t link, info;
	uint64_t entsize;
};

struct loader_elf {
	uint8_t *image; /* owned copy of the file */
	size_t size;
	Elf *elf;
	struct loader_sec *secs; /* indexed by section index; secs[0] is the null section */
	uint32_t nsecs;
	const Elf64_Sym *syms; /* symbol table (may be NULL when there is none) */
	uint32_t nsyms;
	uint32_t symtab_idx, strtab_idx;
};

/* Parse and check an ELF image (copied).  0 or negative errno with diag. */
int loader_elf_open(struct loader_elf *e, const void *buf, size_t size, struct bpfrt_diag *diag);
void loader_elf_close(struct loader_elf *e);
/* Name of symbol i ("" for none).  i must be < nsyms. */
const char *loader_elf_sym_name(const struct loader_elf *e, uint32_t i);
/* The section called name, or NULL. */
const struct loader_sec *loader_elf_sec_by_name(const struct loader_elf *e, const char *name);

/* ---- SEC() names (sec_names.c) ----------------------------------------- */

struct loader_sec_def {
	uint32_t prog_type;
	uint32_t attach_type;
	bool sleepable;
	const char *note; /* NULL: bpfrt can attach it in user space */
};

/* Look up a program section name; false when no SEC() rule matches. */
bool loader_sec_def_find(const char *sec_name, struct loader_sec_def *out);

/* ---- Object (object.c) -------------------------------------------------- */

enum loader_map_kind { MAP_KIND_BTF, MAP_KIND_LEGACY, MAP_KIND_DATA, MAP_KIND_KCONFIG };

struct loader_map_def {
	uint32_t type, key_size, value_size, max_entries, map_flags, numa_node, pinning;
	uint64_t map_extra;
	uint32_t btf_key_type_id, btf_value_type_id;
};

/* An initial slot of a map-in-map or prog array (.values = {[i] = &x}). */
struct loader_slot {
	uint32_t index;
	bool is_prog;
	uint32_t target; /* map index in obj->maps, or function index in obj->funcs */
};

struct bpfrt_object_map {
	struct bpfrt_object *obj;
	char *name;      /* the name given to MAP_CREATE (libbpf's naming) */
	enum loader_map_kind kind;
	uint32_t sec_idx;    /* section of its definition / data */
	uint64_t sec_off;    /* offset of the definition in it */
	uint64_t def_size;   /* bytes of the definition (BTF var size) */
	uint32_t values_off; /* BTF maps: offset of `values` in the definition (0: none) */
	struct loader_map_def def;
	bool has_inner;
	struct loader_map_def inner;
	struct loader_slot *slots;
	uint32_t nslots;
	uint8_t *data;   /* initial value (data and kconfig maps) */
	size_t data_size;
	bool freeze;     /* .rodata, .kconfig: frozen after the initial value */
	int fd;
};

/* A function of the object: a program (in a program section) or a
 * subprogram (.text).  Offsets and counts are in instructions. */
struct loader_func {
	char *name;
	uint32_t sec_idx;
	uint32_t off, cnt;
	struct bpfrt_program *prog; /* NULL for a subprogram */
};

/* A relocation of a program section, checked and classified at open. */
enum loader_reloc_kind {
	RELOC_MAP,     /* lddw of a map: BPF_PSEUDO_MAP_FD */
	RELOC_DATA,    /* lddw of global data: BPF_PSEUDO_MAP_VALUE + offset */
	RELOC_KCONFIG, /* lddw of a .kconfig extern: MAP_VALUE in the kconfig map */
	RELOC_CALL,    /* call of a function: BPF_PSEUDO_CALL */
	RELOC_FUNC,    /* lddw of a function's address: BPF_PSEUDO_FUNC */
};

struct loader_reloc {
	uint32_t insn;  /* instruction index in the section */
	enum loader_reloc_kind kind;
	uint32_t sym;
	uint32_t map;   /* RELOC_MAP/DATA/KCONFIG: index in obj->maps */
	uint64_t sym_off; /* st_value (DATA, CALL, FUNC) or kconfig offset */
	uint32_t target_sec; /* CALL/FUNC: section of the callee */
};

/* Per program section: its relocations, sorted by instruction. */
struct loader_prog_sec {
	uint32_t sec_idx;
	struct loader_reloc *relocs;
	uint32_t nrelocs;
};

struct bpfrt_program {
	struct bpfrt_object *obj;
	uint32_t func; /* index in obj->funcs */
	char *name;
	char *sec_name;
	uint32_t type, attach_type;
	bool autoload;
	const char *note;
	bool sec_known;
	struct bpf_insn *insns; /* as relocated (after load), else NULL */
	uint32_t insn_cnt;
	struct bpf_line_info *linfo; /* line info of insns (insn_off in instructions) */
	uint32_t nlinfo;
	int fd;
	char poison_note[512]; /* the first CO-RE relocation poisoned (unresolvable), for the load error */
};

struct bpfrt_object {
	struct bpfrt *rt;
	char *name;
	char *pin_root;
	struct loader_elf elf;
	struct bpfrt_btf *btf;
	struct bpfrt_btf_ext *btf_ext;
	char license[128];
	uint32_t kern_version;
	struct bpfrt_program **progs;
	uint32_t nprogs;
	struct loader_func *funcs;
	uint32_t nfuncs;
	struct bpfrt_object_map **maps;
	uint32_t nmaps;
	struct loader_prog_sec *psecs;
	uint32_t npsecs;
	uint32_t maps_sec, legacy_maps_sec; /* 0 when absent */
	bool loaded;
	char err[2048];
};

/* Record the error message; returns err (a negative errno) and sets errno. */
int loader_err(struct bpfrt_object *obj, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Offset of .kconfig extern name in the kconfig map and the map's index in
 * *map, or -1 when it is not a .kconfig extern. */
int64_t loader_kconfig_offset(const struct bpfrt_object *obj, const char *name, uint32_t *map);

/* ---- Relocation (relocate.c) ------------------------------------------- */

/* Classify and check the relocations of every program section (at open). */
int loader_collect_relocs(struct bpfrt_object *obj);
/* Build prog's instructions: its own code, every function it calls (or takes
 * the address of) appended, all references resolved with the maps' fds.
 * Fills prog->insns/insn_cnt and prog->linfo. */
int loader_relocate_prog(struct bpfrt_object *obj, struct bpfrt_program *prog);
/* The function containing instruction insn of section sec, or -1. */
int loader_func_at(const struct bpfrt_object *obj, uint32_t sec, uint32_t insn);

/* ---- CO-RE (core_relo.c, btf_builtin.c) -------------------------------- */

/* bpfrt's BTF of the kernel types it provides in user space (xdp_md,
 * __sk_buff, pt_regs, the syscall tracepoint records): built on first use,
 * immutable, shared by all threads; NULL only if memory ran out then. */
const struct bpfrt_btf *bpfrt_btf_builtin(void);
/* Apply the CO-RE relocations of function f, whose copy in program p's
 * instructions starts at insns[out] (insns is the whole program so far).
 * 0, or a negative errno with the message in obj->err naming the program,
 * the instruction, the relocation kind and the access. */
int loader_core_relocate(struct bpfrt_object *obj, const struct bpfrt_program *p,
			 const struct loader_func *f, struct bpf_insn *insns, uint32_t out);

#endif
