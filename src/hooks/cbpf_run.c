/* cbpf_run.c — classic BPF programs as runtime programs: translated
 * filters loaded through bpfrt_bpf(BPF_PROG_LOAD) (so the verifier proves
 * them), and the per-packet runner of socket filters (bpfrt filter, packet
 * hooks).
 *
 * The runner keeps one context (core/pkt_ctx.h) and one set of run options
 * for all packets: a run changes only the packet pointers and lengths.  On
 * the JIT it also keeps the run state (struct bpfrt_run) and enters the
 * native code directly: bpfrt_vm_run would clear its ~1.4 KiB of region
 * and exit-hook tables for every packet, a third of the time per packet
 * of a short filter.  A translated cBPF program makes no tail calls and
 * its helpers (CPU, random) leave no exit hooks, but both are handled.
 */
#include "core/object.h"
#include "core/pkt_ctx.h"
#include "core/prog.h"
#include "core/runtime.h"
#include "hooks/cbpf.h"
#include "jit/jit.h"
#include "vm/vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bpfrt_cbpf_load(struct bpfrt *rt, const struct sock_filter *prog, uint32_t len, enum bpfrt_cbpf_flavor flavor,
		    const struct bpfrt_cbpf_load_opts *opts, struct bpfrt_diag *diag)
{
	if (!rt)
		return cbpf_fail(diag, -EINVAL, -1, "no runtime");
	struct bpf_insn *insns = NULL;
	uint32_t cnt = 0;
	int err = bpfrt_cbpf_translate(prog, len, flavor, &insns, &cnt, diag);
	if (err)
		return err;
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = flavor == BPFRT_CBPF_SECCOMP		       ? BPF_PROG_TYPE_SYSCALL
			 : flavor == BPFRT_CBPF_SOCKET_FILTER_DIRECT ? BPF_PROG_TYPE_SCHED_CLS
								       : BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = cnt;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	const char *name = opts && opts->name ? opts->name : "cbpf";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "%.*s", (int)sizeof(attr.prog_name) - 1, name);
	char log[1024];
	log[0] = 0;
	if (opts && opts->log_buf && opts->log_size) {
		attr.log_buf = (uint64_t)(uintptr_t)opts->log_buf;
		attr.log_size = opts->log_size;
		attr.log_level = opts->log_level ? opts->log_level : 1;
	} else {
		/* Without the caller's buffer the verifier's verdict still
		 * reaches diag. */
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = sizeof(log);
		attr.log_level = 1;
	}
	int fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &attr, sizeof(attr));
	free(insns);
	if (fd < 0) {
		const char *why = (const char *)(uintptr_t)attr.log_buf;
		return cbpf_fail(diag, fd, -1, "the verifier refused the translation: %s", why[0] ? why : strerror(-fd));
	}
	return fd;
}

struct bpfrt_sock_filter {
	struct bpfrt_prog *prog;
	struct bpfrt_skb_ctx ctx;
	struct bpfrt_run_opts opts;
	struct bpfrt_run run; /* for direct JIT runs */
	uint64_t regs[11];    /* their initial registers: r1 = &ctx, the rest 0 (read only) */
	bool jit;             /* the program has native code: enter it directly */
	bool ethernet;
};

int bpfrt_sock_filter_new(struct bpfrt *rt, int prog_fd, const struct bpfrt_sock_filter_meta *meta,
			  struct bpfrt_sock_filter **out)
{
	if (!rt || !out)
		return -(errno = EINVAL);
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, prog_fd, BPFRT_OBJ_PROG, &err);
	if (!obj)
		return -(errno = -err);
	struct bpfrt_prog *p = bpfrt_prog_from_obj(obj);
	if (p->type != BPF_PROG_TYPE_SOCKET_FILTER && p->type != BPF_PROG_TYPE_SCHED_CLS) {
		bpfrt_obj_put(obj);
		return -(errno = EINVAL);
	}
	struct bpfrt_sock_filter *f = calloc(1, sizeof(*f));
	if (!f) {
		bpfrt_obj_put(obj);
		return -(errno = ENOMEM);
	}
	f->prog = p;
	if (meta) {
		f->ctx.skb.ifindex = meta->ifindex;
		f->ctx.skb.ingress_ifindex = meta->ifindex;
		f->ctx.skb.pkt_type = meta->pkt_type;
		f->ctx.skb.mark = meta->mark;
		f->ctx.skb.hash = meta->hash;
		f->ethernet = meta->ethernet;
	}
	f->opts = (struct bpfrt_run_opts){.sz = sizeof(f->opts), .ctx = &f->ctx, .ctx_size = sizeof(f->ctx)};
	f->opts.flags = bpfrt_engine_run_flags(rt);
	if (p->unverified) {
		f->opts.insn_limit = BPFRT_UNVERIFIED_INSN_LIMIT;
		f->opts.flags &= ~(uint32_t)BPFRT_RUN_JIT;
	}
	if (f->opts.flags & BPFRT_RUN_JIT) {
		/* Compile now, not in the first packet's run; a program the JIT
		 * cannot compile interprets. */
		struct bpfrt_jited j = {.sz = sizeof(j)};
		f->jit = bpfrt_vm_prog_jited(p->vm, true, &j) == 0;
		f->run = (struct bpfrt_run){.rt = rt, .opts = &f->opts, .prog = p->vm};
		f->regs[1] = (uintptr_t)&f->ctx;
	}
	*out = f;
	return 0;
}

/* bpfrt_vm_run's JIT path with the run state kept between packets. */
static int jit_run(struct bpfrt_sock_filter *f, uint64_t *r0, struct bpfrt_diag *diag)
{
	struct bpfrt_run *run = &f->run;
	run->prog = f->prog->vm;
	run->diag = diag;
	run->cb_err = 0;
	run->cb_depth = 0;
	if (diag)
		diag->insn = -1, diag->msg[0] = 0;
	/* The entry code only reads regs: set once in bpfrt_sock_filter_new
	 * (clearing 11 words per packet showed in profiles). */
	int err = bpfrt_jit_run(run->prog, run, f->regs, r0, diag);
	while (run->nr_exit_hooks) {
		struct vm_exit_hook *h = &run->exit_hooks[--run->nr_exit_hooks];
		h->fn(h->arg);
	}
	return err ? err : run->cb_err;
}

int bpfrt_sock_filter_run(struct bpfrt_sock_filter *f, const void *pkt, uint32_t caplen, uint32_t wire_len,
			  uint32_t *ret, struct bpfrt_diag *diag)
{
	struct bpfrt_skb_ctx *c = &f->ctx;
	uintptr_t data = (uintptr_t)pkt;
	c->skb.len = wire_len;
	c->pkt.data = data;
	c->pkt.data_end = data + caplen;
	c->pkt.data_meta = data;
	if (f->ethernet) {
		uint16_t proto = 0;
		if (caplen >= 14)
			memcpy(&proto, (const uint8_t *)pkt + 12, 2);
		c->skb.protocol = proto; /* __be16, as the kernel's skb->protocol */
	}
	bpfrt_skb_ctx_sync(c);
	f->opts.packet = (void *)data;
	f->opts.packet_size = caplen;
	uint64_t r0 = 0;
	int err = BPFRT_JIT_FALLBACK;
	if (f->jit)
		err = jit_run(f, &r0, diag);
	if (err == BPFRT_JIT_FALLBACK)
		err = bpfrt_vm_run(f->prog->vm, &f->opts, &r0, diag);
	*ret = (uint32_t)r0;
	return err;
}

void bpfrt_sock_filter_free(struct bpfrt_sock_filter *f)
{
	if (!f)
		return;
	bpfrt_obj_put(&f->prog->obj);
	free(f);
}
