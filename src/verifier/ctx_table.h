/* ctx_table.h — what each program type's context looks like to the
 * verifier: its size, every field a program may read or write, with which
 * access sizes, and what a load of it yields (a scalar, or a packet
 * pointer).  Data, one table per program type (src/verifier/ctx_table.c),
 * measured against the kernel's *_is_valid_access rules.
 */
#ifndef BPFRT_VERIFIER_CTX_TABLE_H
#define BPFRT_VERIFIER_CTX_TABLE_H

#include <stdbool.h>
#include <stdint.h>

enum vf_ctx_kind {
	CTX_SCALAR = 0,   /* loads give an unknown scalar */
	CTX_PKT,          /* loads give a pointer to packet data (xdp_md.data, __sk_buff.data) */
	CTX_PKT_END,      /* ... the end of packet data */
	CTX_PKT_META,     /* ... the start of the metadata area */
	CTX_ZERO,         /* always 0 in bpfrt (__sk_buff.sk: user space has no sockets) */
};

enum vf_ctx_access {
	CTX_READ = 1u << 0,
	CTX_WRITE = 1u << 1,
	CTX_NARROW = 1u << 2, /* loads of fewer bytes than the field are allowed (at any aligned offset inside it) */
};

struct vf_ctx_field {
	const char *name;  /* "xdp_md.data" */
	uint16_t off;      /* offset of the field in the context */
	uint16_t size;     /* the field's size; whole-field accesses use it */
	uint8_t kind;      /* enum vf_ctx_kind */
	uint8_t access;    /* enum vf_ctx_access */
	uint8_t write_sizes; /* bit per size (1,2,4,8 -> bits 0..3) allowed for stores; 0: only the field size */
};

struct vf_ctx_desc {
	uint32_t prog_type;
	uint32_t size;         /* bytes of context the program may address */
	const struct vf_ctx_field *fields; /* sorted by off; NULL: every aligned read inside size is a scalar */
	uint32_t nr_fields;
	bool any_read;         /* no field list: every aligned read in [min_off, size) is allowed */
	bool any_write;        /* ... and every aligned write (SYSCALL programs) */
	uint32_t min_off;      /* first addressable byte (tracepoints skip the common header) */
	int64_t ret_min, ret_max; /* return value range the kernel enforces; ret_min > ret_max: any */
	bool pkt_access;       /* direct packet access allowed */
	bool pkt_write;        /* ... and stores into the packet */
};

/* The context description of prog_type, or NULL when bpfrt has none. */
const struct vf_ctx_desc *vf_ctx_desc(uint32_t prog_type);

/* May a program access size bytes at off of the context, reading or
 * writing?  Returns 0 and sets *kind (what a load yields), or -EACCES with
 * *why a sentence for the log ("__sk_buff.data is not readable by
 * socket filter programs", "write to read-only field xdp_md.data"...). */
int vf_ctx_access(const struct vf_ctx_desc *d, int32_t off, uint32_t size, bool write,
		  uint8_t *kind, const char **why);

/* "xdp_md.data_end" for a context offset, or NULL (for messages). */
const char *vf_ctx_field_name(const struct vf_ctx_desc *d, int32_t off);

#endif
