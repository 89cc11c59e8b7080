/* prog.c — turning checked bpf_insns into the interpreter's pre-decoded form.
 *
 * Everything that can be decided before running is decided here: the table
 * row of every slot, that every called helper exists, that lddw pseudo kinds
 * were resolved by a loader.  The loop then never meets an unknown case.
 */
#include "vm/vm.h"
#include "jit/jit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reject(struct bpfrt_diag *diag, int32_t idx, const char *fmt, ...)
{
	if (diag) {
		va_list ap;
		diag->insn = idx;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return -EINVAL;
}

static int decode_slot(struct bpfrt *rt, const struct bpf_insn *in, uint32_t i, struct vm_insn *out,
		       struct bpfrt_diag *diag)
{
	enum bpfrt_op op = bpfrt_insn_op(in);
	out->op = (uint16_t)op;
	out->dst = in->dst_reg;
	out->src = in->src_reg;
	out->off = in->off;
	out->imm = in->imm;
	switch (op) {
	case BPFRT_OP_CALL:
		if (in->imm == BPF_FUNC_tail_call) {
			out->op = VM_OP_TAIL_CALL;
			break;
		}
		if ((uint32_t)in->imm >= BPFRT_MAX_HELPERS || !rt->helpers[in->imm].fn)
			return reject(diag, (int32_t)i, "insn %u: call to unknown helper %d", i, in->imm);
		break;
	case BPFRT_OP_CALL_KFUNC:
		return reject(diag, (int32_t)i,
			      "insn %u: kfunc calls (call by BTF id %d) are not supported", i, in->imm);
	case BPFRT_OP_LDDW:
		if (in->src_reg == BPF_PSEUDO_FUNC)
			out->op = VM_OP_LDDW_FUNC;
		else if (in->src_reg != 0)
			return reject(diag, (int32_t)i,
				      "insn %u: lddw with src_reg %d (a map reference) must be resolved by "
				      "the loader before it can run",
				      i, in->src_reg);
		break;
	default:
		break;
	}
	return 0;
}

int bpfrt_vm_prog_new(struct bpfrt *rt, const struct bpf_insn *insns, uint32_t cnt,
		      const struct bpfrt_vm_opts *opts, struct bpfrt_vm_prog **out,
		      struct bpfrt_diag *diag)
{
	if (!rt || !out)
		return reject(diag, -1, "invalid argument");
	*out = NULL;
	int err = bpfrt_insns_check(insns, cnt, diag);
	if (err) {
		errno = -err;
		return err;
	}
	struct bpfrt_vm_prog *p = bpfrt_zalloc(rt, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->rt = rt;
	p->cnt = cnt;
	p->insns = bpfrt_zalloc(rt, (cnt + 1) * sizeof(*p->insns));
	p->orig = bpfrt_alloc(rt, cnt * sizeof(*p->orig));
	const char *name = opts && opts->sz >= offsetof(struct bpfrt_vm_opts, name) + sizeof(char *)
				   ? opts->name
				   : NULL;
	if (name)
		p->name = strdup(name);
	if (!p->insns || !p->orig || (name && !p->name)) {
		bpfrt_vm_prog_free(p);
		errno = ENOMEM;
		return -ENOMEM;
	}
	memcpy(p->orig, insns, cnt * sizeof(*insns));
	for (uint32_t i = 0; i < cnt; i += bpfrt_insn_slots(&insns[i])) {
		err = decode_slot(rt, &insns[i], i, &p->insns[i], diag);
		if (err) {
			bpfrt_vm_prog_free(p);
			return err;
		}
		if (bpfrt_insn_slots(&insns[i]) == 2)
			p->insns[i + 1] = (struct vm_insn){.op = VM_OP_LDDW_HI, .imm = insns[i + 1].imm};
	}
	p->insns[cnt].op = VM_OP_FELL_OFF;
	*out = p;
	return 0;
}

void bpfrt_vm_prog_free(struct bpfrt_vm_prog *prog)
{
	if (!prog)
		return;
	bpfrt_jit_free(prog->jit);
	free(prog->insns);
	free(prog->orig);
	free(prog->name);
	free(prog);
}

uint32_t bpfrt_vm_prog_insn_cnt(const struct bpfrt_vm_prog *prog)
{
	return prog ? prog->cnt : 0;
}
