/* usdt.h — USDT probes (SEC("usdt/PATH:PROVIDER:NAME")): the probe sites an
 * executable or library declares in its .note.stapsdt notes, and what
 * libbpf's user space does for them: each site becomes a uprobe at a file
 * offset, its semaphore (if any) is incremented while attached, and its
 * argument spec string ("-4@%edi 8@-16(%rbp) 4@$5") becomes an entry of the
 * program's __bpf_usdt_specs map in <bpf/usdt.bpf.h>'s layout, whose index
 * is the attachment's cookie (bpf_usdt_arg reads it back through
 * bpf_get_attach_cookie).
 */
#ifndef BPFRT_HOOKS_USDT_H
#define BPFRT_HOOKS_USDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* <bpf/usdt.bpf.h>'s struct __bpf_usdt_arg_spec / __bpf_usdt_spec. */
enum { BPFRT_USDT_ARG_CONST, BPFRT_USDT_ARG_REG, BPFRT_USDT_ARG_REG_DEREF };
#define BPFRT_USDT_MAX_ARGS 12

struct bpfrt_usdt_arg_spec {
	uint64_t val_off;
	uint32_t arg_type;
	int16_t reg_off;
	bool arg_signed;
	int8_t arg_bitshift;
};

struct bpfrt_usdt_spec {
	struct bpfrt_usdt_arg_spec args[BPFRT_USDT_MAX_ARGS];
	uint64_t usdt_cookie;
	int16_t arg_cnt;
};

struct bpfrt_usdt_site {
	uint64_t pc_off;   /* file offset of the probed instruction */
	uint64_t sema_off; /* file offset of the semaphore (u16), 0: none */
	uint64_t pc_vaddr, sema_vaddr; /* their link-time addresses (sema 0: none) */
	char args[256];    /* the argument spec string */
};

/* "usdt/PATH:PROVIDER:NAME" (or usdt.s/...): 0 with the parts copied; 1 for
 * a bare "usdt" (attached by code); -ENOENT when not a usdt section;
 * -EINVAL with a sentence in err when malformed. */
int bpfrt_usdt_parse_sec(const char *sec, char *path, size_t pathlen, char *provider, size_t provlen, char *name,
			 size_t namelen, char *err, size_t errlen);

/* The sites of PROVIDER:NAME in the ELF file at path (at most max): their
 * count, 0 when none, or a negative errno with err set. */
int bpfrt_usdt_sites(const char *path, const char *provider, const char *name, struct bpfrt_usdt_site *sites,
		     int max, char *err, size_t errlen);

/* An argument spec string to libbpf's spec: 0, or -EINVAL with err naming
 * the argument libbpf's rules do not accept. */
int bpfrt_usdt_parse_args(const char *args, struct bpfrt_usdt_spec *spec, char *err, size_t errlen);

#endif
