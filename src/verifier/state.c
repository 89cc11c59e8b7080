/* state.c — allocating, copying and describing verifier states and
 * registers.  A state owns its frames; copies are deep (frames 0..curframe),
 * so a pending path never shares memory with the path being explored.
 */
#include "verifier/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vf_state *vf_state_new(void)
{
	return calloc(1, sizeof(struct vf_state));
}

void vf_state_free(struct vf_state *st)
{
	if (!st)
		return;
	for (uint32_t i = 0; i < VF_MAX_FRAMES; i++)
		vf_frame_free(st->frames[i]);
	free(st->hist);
	free(st);
}

struct vf_frame *vf_frame_new(uint32_t frameno, uint32_t callsite, uint32_t subprog)
{
	struct vf_frame *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->frameno = frameno;
	f->callsite = callsite;
	f->subprog = subprog;
	for (int i = 0; i < VF_MAX_REGS; i++)
		vf_mark_not_init(&f->regs[i]);
	return f;
}

struct vf_state *vf_state_copy(const struct vf_state *src)
{
	struct vf_state *st = malloc(sizeof(*st));
	if (!st)
		return NULL;
	memcpy(st, src, sizeof(*st));
	memset(st->frames, 0, sizeof(st->frames));
	st->hist = NULL;
	st->cap_hist = st->nhist;
	if (src->nhist) {
		st->hist = malloc(src->nhist * sizeof(*st->hist));
		if (!st->hist) {
			vf_state_free(st);
			return NULL;
		}
		memcpy(st->hist, src->hist, src->nhist * sizeof(*st->hist));
	}
	for (uint32_t i = 0; i <= src->curframe; i++) {
		const struct vf_frame *sf = src->frames[i];
		struct vf_frame *f = malloc(sizeof(struct vf_frame));
		if (!f) {
			vf_state_free(st);
			return NULL;
		}
		memcpy(f, sf, sizeof(*f));
		f->stack = NULL;
		st->frames[i] = f;
		if (sf->nslots) {
			f->stack = malloc(sf->nslots * sizeof(*f->stack));
			if (!f->stack) {
				f->nslots = 0;
				vf_state_free(st);
				return NULL;
			}
			memcpy(f->stack, sf->stack, sf->nslots * sizeof(*f->stack));
		}
	}
	st->branches = 0;
	return st;
}

void vf_frame_free(struct vf_frame *f)
{
	if (!f)
		return;
	free(f->stack);
	free(f);
}

const struct vf_slot *vf_slot_peek(const struct vf_frame *f, uint32_t s)
{
	static const struct vf_slot empty; /* all STACK_INVALID; spilled NOT_INIT */
	return s < f->nslots ? &f->stack[s] : &empty;
}

struct vf_slot *vf_slot_get(struct vf_frame *f, uint32_t s)
{
	if (s >= VF_STACK_SLOTS)
		return NULL;
	if (s >= f->nslots) {
		uint32_t n = s + 1 < 8 ? 8 : s + 1;
		n = n > VF_STACK_SLOTS ? VF_STACK_SLOTS : n;
		struct vf_slot *v = realloc(f->stack, n * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + f->nslots, 0, (n - f->nslots) * sizeof(*v));
		for (uint32_t k = f->nslots; k < n; k++)
			vf_mark_not_init(&v[k].spilled);
		f->stack = v;
		f->nslots = n;
	}
	return &f->stack[s];
}

void vf_mark_not_init(struct vf_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = NOT_INIT;
	scalar_set_unknown(&r->s);
}

void vf_mark_unknown(struct vf_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = SCALAR_VALUE;
	scalar_set_unknown(&r->s);
}

void vf_mark_const(struct vf_reg *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->type = SCALAR_VALUE;
	scalar_set_const(&r->s, v);
}

bool vf_reg_is_pkt(const struct vf_reg *r)
{
	return r->type == PTR_TO_PACKET || r->type == PTR_TO_PACKET_META;
}

bool vf_reg_is_pointer(const struct vf_reg *r)
{
	return r->type != NOT_INIT && r->type != SCALAR_VALUE;
}

bool vf_reg_is_null_const(const struct vf_reg *r)
{
	return r->type == SCALAR_VALUE && scalar_is_const(&r->s) && r->s.var_off.value == 0;
}

static const char *const type_names[VF_REG_TYPE_COUNT] = {
	[NOT_INIT] = "not initialised",
	[SCALAR_VALUE] = "scalar",
	[PTR_TO_CTX] = "ctx",
	[CONST_PTR_TO_MAP] = "map_ptr",
	[PTR_TO_MAP_VALUE] = "map_value",
	[PTR_TO_MAP_KEY] = "map_key",
	[PTR_TO_STACK] = "fp",
	[PTR_TO_PACKET_META] = "pkt_meta",
	[PTR_TO_PACKET] = "pkt",
	[PTR_TO_PACKET_END] = "pkt_end",
	[PTR_TO_MEM] = "mem",
	[PTR_TO_FUNC] = "func",
};

const char *vf_reg_type_name(const struct vf_reg *r)
{
	static const char *const or_null[VF_REG_TYPE_COUNT] = {
		[PTR_TO_MAP_VALUE] = "map_value_or_null",
		[PTR_TO_MEM] = "mem_or_null",
		[CONST_PTR_TO_MAP] = "map_ptr_or_null",
		[PTR_TO_CTX] = "ctx_or_null",
	};
	if ((r->flags & PTR_MAYBE_NULL) && r->type < VF_REG_TYPE_COUNT && or_null[r->type])
		return or_null[r->type];
	return r->type < VF_REG_TYPE_COUNT ? type_names[r->type] : "?";
}

int vf_reg_print(char *buf, size_t len, const struct vf_reg *r)
{
	if (r->type == SCALAR_VALUE) {
		if (r->id && !scalar_is_const(&r->s)) {
			char tmp[256];
			scalar_print(tmp, sizeof(tmp), &r->s);
			return snprintf(buf, len, "%s(id=%u)", tmp, r->id);
		}
		return scalar_print(buf, len, &r->s);
	}
	if (r->type == NOT_INIT)
		return snprintf(buf, len, "?");
	int n = snprintf(buf, len, "%s%s(", (r->flags & MEM_RDONLY) ? "rdonly_" : "", vf_reg_type_name(r));
	const char *sep = "";
#define ADD(...)                                                                  \
	do {                                                                          \
		if ((size_t)n < len)                                                      \
			n += snprintf(buf + n, len - n, "%s", sep);                           \
		if ((size_t)n < len)                                                      \
			n += snprintf(buf + n, len - n, __VA_ARGS__);                         \
		sep = ",";                                                                \
	} while (0)
	if (r->type == CONST_PTR_TO_MAP || r->type == PTR_TO_MAP_VALUE || r->type == PTR_TO_MAP_KEY) {
		if (r->map && r->map->name && r->map->name[0])
			ADD("map=%s", r->map->name);
		if (r->map)
			ADD("ks=%u,vs=%u", r->map->key_size, r->map->value_size);
	}
	if (r->id)
		ADD("id=%u", r->id);
	if (r->ref_obj_id)
		ADD("ref_obj_id=%u", r->ref_obj_id);
	if (r->off || r->type == PTR_TO_STACK || vf_reg_is_pkt(r))
		ADD("off=%d", r->off);
	if (vf_reg_is_pkt(r))
		ADD("r=%u", r->range);
	if (r->type == PTR_TO_MEM)
		ADD("sz=%u", r->range);
	if (r->type == PTR_TO_STACK && r->frameno)
		ADD("frame=%u", r->frameno);
	if (r->type != CONST_PTR_TO_MAP && r->type != PTR_TO_FUNC && !tnum_equals_const(r->s.var_off, 0)) {
		char tmp[256];
		scalar_print(tmp, sizeof(tmp), &r->s);
		ADD("var=%s", tmp);
	}
#undef ADD
	if ((size_t)n < len)
		n += snprintf(buf + n, len - n, ")");
	return n;
}
