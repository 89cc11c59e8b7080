/* bpfrt/btf.h — BTF: the type information clang puts in .BTF and .BTF.ext.
 *
 * A struct bpfrt_btf is a parsed, validated, immutable copy of a .BTF
 * section; types are the kernel's `struct btf_type` records from
 * <linux/btf.h>, addressed by id (1..type_cnt-1; 0 is void).  A struct
 * bpfrt_btf_ext holds .BTF.ext: func_info, line_info and CO-RE relocation
 * records, per ELF section.  Errors fill a struct bpfrt_diag naming the
 * offending type id / record and return NULL (errno set).
 */
#ifndef BPFRT_BTF_H
#define BPFRT_BTF_H

#include <linux/btf.h>
#include <stdbool.h>
#include <stdio.h>

#include "bpfrt/isa.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_btf;
struct bpfrt_btf_ext;

/* Parse and validate raw .BTF bytes (header, type and string sections;
 * every offset, size, kind and referenced id checked).  data is copied. */
BPFRT_API struct bpfrt_btf *bpfrt_btf_new(const void *data, size_t size, struct bpfrt_diag *diag);
BPFRT_API void bpfrt_btf_free(struct bpfrt_btf *btf);
/* The raw bytes (for BPF_BTF_LOAD-style uses). */
BPFRT_API const void *bpfrt_btf_raw(const struct bpfrt_btf *btf, size_t *size);

/* Number of type ids, void included (valid ids are 0..cnt-1). */
BPFRT_API uint32_t bpfrt_btf_type_cnt(const struct bpfrt_btf *btf);
/* The type record of id (NULL for 0 or out of range). */
BPFRT_API const struct btf_type *bpfrt_btf_type_by_id(const struct bpfrt_btf *btf, uint32_t id);
/* A string of the string section ("" for 0; NULL if out of range). */
BPFRT_API const char *bpfrt_btf_str(const struct bpfrt_btf *btf, uint32_t offset);
/* Id of the first type with that name and kind (BTF_KIND_*), or -ENOENT. */
BPFRT_API int32_t bpfrt_btf_find_by_name_kind(const struct bpfrt_btf *btf, const char *name, uint32_t kind);
/* Follow typedef/const/volatile/restrict/type_tag from id; returns the
 * underlying type (NULL for void) and its id in *out_id (may be NULL). */
BPFRT_API const struct btf_type *bpfrt_btf_skip_mods(const struct bpfrt_btf *btf, uint32_t id,
						     uint32_t *out_id);
/* Size in bytes of the type id (arrays multiplied out, modifiers skipped),
 * or a negative errno (-EINVAL for void/func/fwd, -E2BIG on overflow). */
BPFRT_API int64_t bpfrt_btf_resolve_size(const struct bpfrt_btf *btf, uint32_t id);

/* Print all types as bpftool's `btf dump ... format raw` does. */
BPFRT_API int bpfrt_btf_dump_raw(const struct bpfrt_btf *btf, FILE *f);
/* Print all types as a C header (bpftool's `format c`). */
BPFRT_API int bpfrt_btf_dump_c(const struct bpfrt_btf *btf, FILE *f);
/* Print data of type id as bpftool prints map keys/values with BTF: plain
 * (`{"a": 1, ...}`-like text) or JSON (json true).  size must match. */
BPFRT_API int bpfrt_btf_dump_data(const struct bpfrt_btf *btf, uint32_t id, const void *data,
				  size_t size, bool json, FILE *f);
/* The same, as if nested depth levels deep in bpftool's output (plain mode
 * indents 4 spaces per level: a value inside `"value": ` of a map dump entry
 * is at depth 2).  Plain is bpftool's pretty layout (pointers as %p,
 * non-printable chars and bitfields as bare hex); JSON is compact.  A
 * DATASEC's size is taken from size (object files leave it 0).  0, or
 * -EINVAL (size mismatch, data of a kind that has no value). */
BPFRT_API int bpfrt_btf_dump_data_depth(const struct bpfrt_btf *btf, uint32_t id,
					const void *data, size_t size, bool json, int depth,
					FILE *f);

/* .BTF.ext: parse and validate against btf (names, type ids, record sizes). */
BPFRT_API struct bpfrt_btf_ext *bpfrt_btf_ext_new(const void *data, size_t size,
						  const struct bpfrt_btf *btf,
						  struct bpfrt_diag *diag);
BPFRT_API void bpfrt_btf_ext_free(struct bpfrt_btf_ext *ext);

/* Records of one ELF section, by section name: the kernel's UAPI structs
 * (struct bpf_func_info, struct bpf_line_info, struct bpf_core_relo from
 * <linux/bpf.h>; insn_off in bytes, as in the ELF file).  *cnt records of
 * *rec_size bytes each; NULL with *cnt = 0 when the section has none. */
BPFRT_API const void *bpfrt_btf_ext_func_info(const struct bpfrt_btf_ext *ext, const char *sec,
					      uint32_t *cnt, uint32_t *rec_size);
BPFRT_API const void *bpfrt_btf_ext_line_info(const struct bpfrt_btf_ext *ext, const char *sec,
					      uint32_t *cnt, uint32_t *rec_size);
BPFRT_API const void *bpfrt_btf_ext_core_relo(const struct bpfrt_btf_ext *ext, const char *sec,
					      uint32_t *cnt, uint32_t *rec_size);

#ifdef __cplusplus
}
#endif
#endif
