/* verifier.h — the verifier as the rest of bpfrt calls it.
 *
 * BPF_PROG_LOAD (src/core/prog.c) hands the instructions with their map
 * references resolved (lddw imm = the map object's address) and a table of
 * those maps; the verifier proves the program safe for its type or says
 * why not: in the log (log_level 1: the error with the path's register
 * states, 2: every instruction with its state, as the kernel) and in a
 * readable summary (the violated rule, instruction, source line, the
 * registers involved and how programs usually fix it).
 */
#ifndef BPFRT_VERIFIER_VERIFIER_H
#define BPFRT_VERIFIER_VERIFIER_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>

/* The helper id libbpf (and bpfrt's loader) put in place of an
 * instruction whose CO-RE relocation could not be resolved. */
#define BPFRT_CORE_POISON 0xbad2310

enum { BPFRT_CTX_LOAD_DATA = 1, BPFRT_CTX_LOAD_END, BPFRT_CTX_LOAD_META };

struct bpfrt_verifier_line {
	uint32_t insn;        /* first instruction of the line */
	uint32_t line;        /* source line number */
	const char *file;     /* source file name */
	const char *text;     /* the source line, NULL if unknown */
};

struct bpfrt_verifier_map {
	uint64_t addr;        /* as lddw's imm pair holds it after resolution */
	uint32_t type, key_size, value_size, max_entries, flags;
	int32_t spin_lock_off;
	bool frozen;
	const char *name;
	const void *value_data; /* frozen/read-only arrays: the value at key 0 (for constant strings) */
	/* map-in-map: the inner template */
	bool has_inner;
	uint32_t inner_type, inner_key_size, inner_value_size, inner_max_entries, inner_flags;
};

struct bpfrt_verifier_in {
	const struct bpf_insn *insns;
	uint32_t cnt;
	uint32_t prog_type;
	uint32_t expected_attach_type;
	bool gpl;
	const struct bpfrt_verifier_map *maps;
	uint32_t nr_maps;
	const struct bpfrt_verifier_line *lines; /* sorted by insn, may be NULL */
	uint32_t nr_lines;
	uint32_t log_level;   /* 0, 1, 2 (kernel meaning); bit 2 (4): statistics */
	char *log_buf;        /* may be NULL */
	uint32_t log_size;
	uint8_t *insn_seen;   /* optional, cnt bytes: set to 1 for each instruction some path reaches */
	/* optional, cnt bytes: for each 32-bit context load of a packet pointer
	 * field, BPFRT_CTX_LOAD_DATA/_END/_META (0 elsewhere): the caller
	 * rewrites them for the context's real layout. */
	uint8_t *ctx_pkt_load;
};

struct bpfrt_verifier_out {
	int32_t err_insn;     /* instruction of the error, -1 if none */
	uint64_t insn_processed;
	uint32_t total_states, peak_states;
	uint32_t stack_depth; /* of the main program */
	char summary[1536];   /* readable verdict (empty when accepted) */
	bool log_truncated;
};

/* Verify a program.  0 if safe; -EACCES (unsafe), -EINVAL (malformed),
 * -E2BIG (too complex), -ENOMEM.  out may be NULL. */
int bpfrt_verify(const struct bpfrt_verifier_in *in, struct bpfrt_verifier_out *out);

#endif
