/* relocate.c — the relocations of program sections: checked and classified
 * at open (loader_collect_relocs), applied at load (loader_relocate_prog).
 *
 * Like libbpf, each program is given its own copy of every function it
 * calls or takes the address of (static or global, in .text or its own
 * section), appended after its code in the order they are first met; call
 * and BPF_PSEUDO_FUNC offsets are recomputed for the new layout.  Map
 * references become BPF_PSEUDO_MAP_FD, global data BPF_PSEUDO_MAP_VALUE.
 * Each function's CO-RE relocations are applied as it is copied in
 * (core_relo.c).
 * Every error names the section, the instruction's byte offset and the
 * symbol.
 */
#include "loader/loader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define R_BPF_64_64 1  /* lddw: 64-bit immediate */
#define R_BPF_64_32 10 /* call: 32-bit pc-relative in instructions */

static bool is_lddw(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static bool is_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL);
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct loader_reloc *x = a, *y = b;
	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

static const struct loader_prog_sec *psec_of(const struct bpfrt_object *obj, uint32_t sec)
{
	for (uint32_t i = 0; i < obj->npsecs; i++)
		if (obj->psecs[i].sec_idx == sec)
			return &obj->psecs[i];
	return NULL;
}

static int find_map(const struct bpfrt_object *obj, enum loader_map_kind kind, uint32_t sec, uint64_t off)
{
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		const struct bpfrt_object_map *m = obj->maps[i];
		if (m->kind == kind && m->sec_idx == sec && (kind == MAP_KIND_DATA || m->sec_off == off))
			return (int)i;
	}
	return -1;
}

/* Classify one relocation of program section `s`. */
static int classify(struct bpfrt_object *obj, const struct loader_sec *s, const Elf64_Rel *rel,
		    struct loader_reloc *out)
{
	const struct loader_elf *e = &obj->elf;
	uint64_t off = rel->r_offset;
	uint32_t symi = (uint32_t)ELF64_R_SYM(rel->r_info);
	if (off % 8 || off >= s->size)
		return loader_err(obj, -EINVAL,
				  "section '%s': relocation at offset %llu is %s (section size %llu)", s->name,
				  (unsigned long long)off,
				  off >= s->size ? "outside the section" : "not on an instruction boundary",
				  (unsigned long long)s->size);
	if (symi == 0 || symi >= e->nsyms)
		return loader_err(obj, -EINVAL,
				  "section '%s': relocation at offset %llu: symbol index %u is not in the symbol table (%u symbols)",
				  s->name, (unsigned long long)off, symi, e->nsyms);
	const Elf64_Sym *sym = &e->syms[symi];
	const char *sname = loader_elf_sym_name(e, symi);
	if (ELF64_ST_TYPE(sym->st_info) == STT_SECTION)
		sname = sym->st_shndx < e->nsecs ? e->secs[sym->st_shndx].name : sname;
	const struct bpf_insn *in = (const struct bpf_insn *)s->data + off / 8;
	uint32_t rtype = (uint32_t)ELF64_R_TYPE(rel->r_info);
	memset(out, 0, sizeof(*out));
	out->insn = (uint32_t)(off / 8);
	out->sym = symi;
	bool ld = is_lddw(in), call = is_call(in);
	if (ld && off + 16 > s->size)
		return loader_err(obj, -EINVAL, "section '%s': relocation at offset %llu (symbol '%s'): ld_imm64 has no second half",
				  s->name, (unsigned long long)off, sname);
	if (!ld && !call)
		return loader_err(obj, -EINVAL,
				  "section '%s': relocation at offset %llu (symbol '%s') is on instruction 0x%02x, not an ld_imm64 or a call",
				  s->name, (unsigned long long)off, sname, in->code);
	if ((ld && rtype != R_BPF_64_64) || (call && rtype != R_BPF_64_32))
		return loader_err(obj, -EINVAL,
				  "section '%s': relocation at offset %llu (symbol '%s'): type %u doesn't fit a%s",
				  s->name, (unsigned long long)off, sname, rtype, ld ? "n ld_imm64" : " call");
	uint16_t shndx = sym->st_shndx;
	if (shndx == SHN_UNDEF) {
		uint32_t map;
		int64_t koff = ld ? loader_kconfig_offset(obj, sname, &map) : -1;
		if (koff < 0)
			return loader_err(obj, -ENOTSUP,
					  "section '%s': relocation at offset %llu: extern '%s' is not supported (only .kconfig externs are; kfuncs and ksyms need a kernel)",
					  s->name, (unsigned long long)off, sname);
		out->kind = RELOC_KCONFIG;
		out->map = map;
		out->sym_off = (uint64_t)koff;
		return 0;
	}
	if (shndx >= e->nsecs)
		return loader_err(obj, -EINVAL, "section '%s': relocation at offset %llu: symbol '%s' has special section index 0x%x",
				  s->name, (unsigned long long)off, sname, shndx);
	const struct loader_sec *ts = &e->secs[shndx];
	if (ts->type == SHT_PROGBITS && (ts->flags & SHF_EXECINSTR)) {
		if (call && in->src_reg != BPF_PSEUDO_CALL)
			return loader_err(obj, -EINVAL,
					  "section '%s': relocation at offset %llu (symbol '%s'): call is not a BPF_PSEUDO_CALL (src_reg %u)",
					  s->name, (unsigned long long)off, sname, in->src_reg);
		if (sym->st_value % 8)
			return loader_err(obj, -EINVAL, "section '%s': relocation at offset %llu: symbol '%s' at offset %llu of '%s' is not on an instruction boundary",
					  s->name, (unsigned long long)off, sname, (unsigned long long)sym->st_value, ts->name);
		out->kind = call ? RELOC_CALL : RELOC_FUNC;
		out->sym_off = sym->st_value;
		out->target_sec = shndx;
		return 0;
	}
	if (!ld)
		return loader_err(obj, -EINVAL, "section '%s': relocation at offset %llu: call to '%s' in section '%s', which holds no code",
				  s->name, (unsigned long long)off, sname, ts->name);
	if (shndx == obj->maps_sec || shndx == obj->legacy_maps_sec) {
		enum loader_map_kind k = shndx == obj->maps_sec ? MAP_KIND_BTF : MAP_KIND_LEGACY;
		int m = find_map(obj, k, shndx, sym->st_value);
		if (m < 0)
			return loader_err(obj, -EINVAL, "section '%s': relocation at offset %llu: symbol '%s' (offset %llu of '%s') is not a map definition",
					  s->name, (unsigned long long)off, sname, (unsigned long long)sym->st_value, ts->name);
		out->kind = RELOC_MAP;
		out->map = (uint32_t)m;
		return 0;
	}
	int m = find_map(obj, MAP_KIND_DATA, shndx, 0);
	if (m < 0)
		return loader_err(obj, -EINVAL,
				  "section '%s': relocation at offset %llu: symbol '%s' is in section '%s', which is neither maps, global data nor code",
				  s->name, (unsigned long long)off, sname, ts->name);
	if (sym->st_value > ts->size)
		return loader_err(obj, -EINVAL, "section '%s': relocation at offset %llu: symbol '%s' at offset %llu is outside '%s' (%llu bytes)",
				  s->name, (unsigned long long)off, sname, (unsigned long long)sym->st_value, ts->name,
				  (unsigned long long)ts->size);
	out->kind = RELOC_DATA;
	out->map = (uint32_t)m;
	out->sym_off = sym->st_value;
	return 0;
}

int loader_collect_relocs(struct bpfrt_object *obj)
{
	const struct loader_elf *e = &obj->elf;
	for (uint32_t i = 1; i < e->nsecs; i++) {
		const struct loader_sec *rs = &e->secs[i];
		if (rs->type != SHT_REL)
			continue;
		const struct loader_sec *s = &e->secs[rs->info];
		if (s->type != SHT_PROGBITS || !(s->flags & SHF_EXECINSTR))
			continue; /* .maps is handled with the maps; debug sections don't matter */
		struct loader_prog_sec *v = realloc(obj->psecs, (obj->npsecs + 1) * sizeof(*v));
		if (!v)
			return loader_err(obj, -ENOMEM, "out of memory");
		obj->psecs = v;
		struct loader_prog_sec *ps = &v[obj->npsecs++];
		ps->sec_idx = s->idx;
		ps->nrelocs = (uint32_t)(rs->size / sizeof(Elf64_Rel));
		ps->relocs = calloc(ps->nrelocs + 1, sizeof(*ps->relocs));
		if (!ps->relocs)
			return loader_err(obj, -ENOMEM, "out of memory");
		const Elf64_Rel *r = (const Elf64_Rel *)rs->data;
		for (uint32_t k = 0; k < ps->nrelocs; k++) {
			int err = classify(obj, s, &r[k], &ps->relocs[k]);
			if (err)
				return err;
		}
		qsort(ps->relocs, ps->nrelocs, sizeof(*ps->relocs), cmp_reloc);
		for (uint32_t k = 1; k < ps->nrelocs; k++)
			if (ps->relocs[k].insn == ps->relocs[k - 1].insn)
				return loader_err(obj, -EINVAL, "section '%s': two relocations at offset %u", s->name,
						  ps->relocs[k].insn * 8);
	}
	return 0;
}

static const struct loader_reloc *reloc_at(const struct loader_prog_sec *ps, uint32_t insn)
{
	if (!ps)
		return NULL;
	uint32_t lo = 0, hi = ps->nrelocs;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (ps->relocs[mid].insn < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ps->nrelocs && ps->relocs[lo].insn == insn ? &ps->relocs[lo] : NULL;
}

struct seg {
	uint32_t func, out;
};

struct layout {
	struct bpf_insn *insns;
	uint32_t cnt;
	struct seg *segs;
	uint32_t nsegs;
	int64_t *func_out; /* per function: where it starts in insns, or -1 */
};

static int append_func(struct bpfrt_object *obj, struct layout *l, uint32_t f)
{
	const struct loader_func *fn = &obj->funcs[f];
	struct bpf_insn *ni = realloc(l->insns, ((size_t)l->cnt + fn->cnt) * sizeof(*ni));
	struct seg *ns = ni ? realloc(l->segs, (l->nsegs + 1) * sizeof(*ns)) : NULL;
	if (ni)
		l->insns = ni;
	if (!ns)
		return loader_err(obj, -ENOMEM, "out of memory");
	l->segs = ns;
	memcpy(l->insns + l->cnt, (const struct bpf_insn *)obj->elf.secs[fn->sec_idx].data + fn->off,
	       fn->cnt * sizeof(*ni));
	l->segs[l->nsegs++] = (struct seg){f, l->cnt};
	l->func_out[f] = l->cnt;
	l->cnt += fn->cnt;
	return 0;
}

/* New position of instruction idx of section sec, appending its function
 * to the program if it is not there yet. */
static int64_t place_of(struct bpfrt_object *obj, struct layout *l, uint32_t sec, int64_t idx,
			const char *what, const char *sec_name, uint32_t at)
{
	int f = idx < 0 || idx > UINT32_MAX ? -1 : loader_func_at(obj, sec, (uint32_t)idx);
	if (f < 0) {
		loader_err(obj, -EINVAL, "section '%s': %s at offset %u targets instruction %lld of '%s', which is in no function",
			   sec_name, what, at * 8, (long long)idx, obj->elf.secs[sec].name);
		return -1;
	}
	if (l->func_out[f] < 0 && append_func(obj, l, (uint32_t)f))
		return -1;
	return l->func_out[f] + (idx - obj->funcs[f].off);
}

static int collect_line_info(struct bpfrt_object *obj, struct bpfrt_program *p, const struct layout *l)
{
	if (!obj->btf_ext)
		return 0;
	for (uint32_t k = 0; k < l->nsegs; k++) {
		const struct loader_func *f = &obj->funcs[l->segs[k].func];
		uint32_t cnt = 0, rs = 0;
		const uint8_t *rec = bpfrt_btf_ext_line_info(obj->btf_ext, obj->elf.secs[f->sec_idx].name, &cnt, &rs);
		for (uint32_t i = 0; rec && i < cnt; i++) {
			struct bpf_line_info li;
			memcpy(&li, rec + (size_t)i * rs, sizeof(li));
			uint32_t idx = li.insn_off / 8;
			if (idx < f->off || idx >= f->off + f->cnt)
				continue;
			struct bpf_line_info *v = realloc(p->linfo, (p->nlinfo + 1) * sizeof(*v));
			if (!v)
				return loader_err(obj, -ENOMEM, "out of memory");
			p->linfo = v;
			li.insn_off = l->segs[k].out + (idx - f->off);
			v[p->nlinfo++] = li;
		}
	}
	return 0;
}

static int relocate(struct bpfrt_object *obj, struct bpfrt_program *p, struct layout *l)
{
	int err = append_func(obj, l, p->func);
	uint32_t seg = 0;
	for (uint32_t i = 0; !err && i < l->cnt; i++) {
		while (seg + 1 < l->nsegs && i >= l->segs[seg + 1].out)
			seg++;
		const struct loader_func *f = &obj->funcs[l->segs[seg].func];
		if (i == l->segs[seg].out && (err = loader_core_relocate(obj, p, f, l->insns, i)))
			break;
		uint32_t sec = f->sec_idx, s = f->off + (i - l->segs[seg].out);
		const char *sname = obj->elf.secs[sec].name;
		const struct loader_reloc *r = reloc_at(psec_of(obj, sec), s);
		struct bpf_insn *in = &l->insns[i];
		if (is_lddw(in)) {
			if (i + 1 >= l->segs[seg].out + f->cnt)
				return loader_err(obj, -EINVAL, "section '%s': ld_imm64 at offset %u is cut by the end of function '%s'",
						  sname, s * 8, f->name);
			if (r) {
				const char *sym = loader_elf_sym_name(&obj->elf, r->sym);
				struct bpfrt_object_map *m = r->kind <= RELOC_KCONFIG ? obj->maps[r->map] : NULL;
				if (m && m->fd < 0)
					return loader_err(obj, -EINVAL, "section '%s': ld_imm64 at offset %u refers to map '%s', which was not created",
							  sname, s * 8, m->name);
				switch (r->kind) {
				case RELOC_MAP:
					in[0].src_reg = BPF_PSEUDO_MAP_FD;
					in[0].imm = m->fd;
					in[1].imm = 0;
					break;
				case RELOC_DATA:
				case RELOC_KCONFIG: {
					int64_t voff = (int64_t)in[0].imm + (int64_t)r->sym_off;
					if (voff < 0 || (uint64_t)voff >= m->data_size)
						return loader_err(obj, -EINVAL, "section '%s': ld_imm64 at offset %u (symbol '%s'): offset %lld is outside map '%s' (%zu bytes)",
								  sname, s * 8, sym, (long long)voff, m->name, m->data_size);
					in[0].src_reg = BPF_PSEUDO_MAP_VALUE;
					in[0].imm = m->fd;
					in[1].imm = (int32_t)voff;
					break;
				}
				case RELOC_FUNC: {
					int64_t byte = (int64_t)r->sym_off + in[0].imm;
					if (byte % 8)
						return loader_err(obj, -EINVAL, "section '%s': ld_imm64 at offset %u: function address '%s'%+d is not on an instruction boundary",
								  sname, s * 8, sym, in[0].imm);
					int64_t at = place_of(obj, l, r->target_sec, byte / 8, "ld_imm64", sname, s);
					if (at < 0)
						return -EINVAL;
					in = &l->insns[i]; /* the array may have moved */
					in[0].src_reg = BPF_PSEUDO_FUNC;
					in[0].imm = (int32_t)(at - i - 1);
					in[1].imm = 0;
					break;
				}
				case RELOC_CALL:
					break;
				}
			}
			i++;
			continue;
		}
		if (is_call(in) && in->src_reg == BPF_PSEUDO_CALL) {
			uint32_t tsec = r ? r->target_sec : sec;
			int64_t tidx = r ? (int64_t)(r->sym_off / 8) + in->imm + 1 : (int64_t)s + in->imm + 1;
			int64_t at = place_of(obj, l, tsec, tidx, "call", sname, s);
			if (at < 0)
				return -EINVAL;
			in = &l->insns[i];
			in->imm = (int32_t)(at - i - 1);
		}
	}
	return err;
}

int loader_relocate_prog(struct bpfrt_object *obj, struct bpfrt_program *p)
{
	struct layout l = {0};
	l.func_out = malloc(obj->nfuncs * sizeof(*l.func_out));
	if (!l.func_out)
		return loader_err(obj, -ENOMEM, "out of memory");
	for (uint32_t k = 0; k < obj->nfuncs; k++)
		l.func_out[k] = -1;
	free(p->insns);
	free(p->linfo);
	p->insns = NULL;
	p->linfo = NULL;
	p->nlinfo = 0;
	int err = relocate(obj, p, &l);
	if (!err)
		err = collect_line_info(obj, p, &l);
	free(l.func_out);
	free(l.segs);
	if (err) {
		free(l.insns);
		free(p->linfo);
		p->linfo = NULL;
		p->nlinfo = 0;
		return err;
	}
	p->insns = l.insns;
	p->insn_cnt = l.cnt;
	return 0;
}
