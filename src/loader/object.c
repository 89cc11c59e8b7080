/* object.c — the object API (bpfrt/object.h): open collects programs and
 * maps from the checked ELF image (elf.c) and its BTF, following libbpf's
 * conventions; load creates maps through bpfrt_bpf() (reusing pinned ones),
 * relocates (relocate.c) and loads every program.
 *
 * Invariants: obj->funcs is sorted by (section, offset) and programs are
 * the funcs outside .text, in that order; a map's index in obj->maps never
 * changes after open (relocations refer to maps by index); every fd the
 * object holds is closed by bpfrt_object_close() or by a failed load.
 */
#define _GNU_SOURCE
#include "loader/loader.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define LIBBPF_PIN_NONE 0
#define LIBBPF_PIN_BY_NAME 1
#define LOG_SIZE 16384 /* verifier log of a failed PROG_LOAD */

int loader_err(struct bpfrt_object *obj, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(obj->err, sizeof(obj->err), fmt, ap);
	va_end(ap);
	errno = -err;
	return err;
}

static void *grow(void *arr, uint32_t n, size_t elem)
{
	return realloc(arr, (size_t)(n + 1) * elem);
}

static bool has_pfx(const char *s, const char *pfx)
{
	return !strncmp(s, pfx, strlen(pfx));
}

/* ---- naming ----------------------------------------------------------- */

/* libbpf's object name: the file's base name up to its first '.'. */
static char *object_name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strcspn(base, ".");
	return strndup(base, n);
}

/* The kernel-visible name of a global data map, as libbpf forms it: a
 * prefix of the object name then the section name, 15 characters at most,
 * the section name keeping at least 7 of them; custom sections (a second
 * '.', as in ".data.counters") get no prefix.  Characters the kernel
 * refuses in map names become '_'. */
static char *data_map_name(const char *obj_name, const char *sec_name)
{
	char buf[BPF_OBJ_NAME_LEN];
	size_t sec_len = strlen(sec_name), keep = sec_len < 7 ? 7 : sec_len;
	if (keep > BPF_OBJ_NAME_LEN - 1)
		keep = BPF_OBJ_NAME_LEN - 1;
	size_t pfx = 0;
	if (!strchr(sec_name + 1, '.')) {
		pfx = BPF_OBJ_NAME_LEN - 1 - keep;
		if (pfx > strlen(obj_name))
			pfx = strlen(obj_name);
	}
	snprintf(buf, sizeof(buf), "%.*s%.*s", (int)pfx, obj_name, (int)keep, sec_name);
	for (char *p = buf; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			*p = '_';
	return strdup(buf);
}

/* ---- maps -------------------------------------------------------------- */

static struct bpfrt_object_map *add_map(struct bpfrt_object *obj, const char *name,
					enum loader_map_kind kind, uint32_t sec_idx, uint64_t sec_off)
{
	struct bpfrt_object_map **v = grow(obj->maps, obj->nmaps, sizeof(*v));
	if (!v)
		return NULL;
	obj->maps = v;
	struct bpfrt_object_map *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->name = strdup(name);
	if (!m->name) {
		free(m);
		return NULL;
	}
	m->obj = obj;
	m->kind = kind;
	m->sec_idx = sec_idx;
	m->sec_off = sec_off;
	m->fd = -1;
	obj->maps[obj->nmaps++] = m;
	return m;
}

static uint32_t possible_cpus(void)
{
	uint32_t n = 0;
	char buf[256];
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	if (f && fgets(buf, sizeof(buf), f)) {
		for (char *s = buf; *s >= '0' && *s <= '9';) {
			long a = strtol(s, &s, 10), b = a;
			if (*s == '-')
				b = strtol(s + 1, &s, 10);
			n += (uint32_t)(b - a + 1);
			if (*s == ',')
				s++;
		}
	}
	if (f)
		fclose(f);
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_CONF);
		n = c > 0 ? (uint32_t)c : 1;
	}
	return n;
}

/* __uint(name, N) is `int (*name)[N]`: N is the array's element count.
 * *out is written on every path (0 with an error), so callers never read
 * an unset value whatever they do with the error. */
static int btf_map_uint(struct bpfrt_object *obj, const char *map, const char *field, uint32_t type,
			uint32_t *out)
{
	*out = 0;
	const struct bpfrt_btf *btf = obj->btf;
	const struct btf_type *t = bpfrt_btf_skip_mods(btf, type, NULL);
	const struct btf_type *arr = t && BTF_INFO_KIND(t->info) == BTF_KIND_PTR
					     ? bpfrt_btf_skip_mods(btf, t->type, NULL)
					     : NULL;
	if (!arr || BTF_INFO_KIND(arr->info) != BTF_KIND_ARRAY)
		return loader_err(obj, -EINVAL,
				  "map '%s': field '%s' is not __uint() (a pointer to an array)", map, field);
	*out = ((const struct btf_array *)(arr + 1))->nelems;
	return 0;
}

/* __type(name, T) is `T *name`: T's id and size. */
static int btf_map_type(struct bpfrt_object *obj, const char *map, const char *field, uint32_t type,
			uint32_t *id, uint32_t *size)
{
	const struct btf_type *t = bpfrt_btf_skip_mods(obj->btf, type, NULL);
	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR)
		return loader_err(obj, -EINVAL, "map '%s': field '%s' is not __type() (a pointer)", map, field);
	int64_t sz = bpfrt_btf_resolve_size(obj->btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return loader_err(obj, -EINVAL, "map '%s': can't size the type of field '%s' (type id %u)", map,
				  field, t->type);
	uint32_t s = (uint32_t)sz;
	if (*size && *size != s)
		return loader_err(obj, -EINVAL, "map '%s': conflicting %s size %u and %s type of %u bytes", map,
				  field, *size, field, s);
	*id = t->type;
	*size = s;
	return 0;
}

/* Parse the struct of a BTF-defined map (libbpf's __uint/__type/__array
 * members).  For the outer map of a map-in-map, *inner and *has_inner get
 * the inner definition; *values_off the byte offset of `values`. */
static int parse_btf_map_def(struct bpfrt_object *obj, const char *name, uint32_t struct_id,
			     struct loader_map_def *d, bool is_inner, struct loader_map_def *inner,
			     bool *has_inner, uint32_t *values_off, bool *values_progs)
{
	const struct bpfrt_btf *btf = obj->btf;
	const struct btf_type *st = bpfrt_btf_skip_mods(btf, struct_id, NULL);
	if (!st || BTF_INFO_KIND(st->info) != BTF_KIND_STRUCT)
		return loader_err(obj, -EINVAL, "map '%s': its definition is not a struct", name);
	const struct btf_member *m = (const struct btf_member *)(st + 1);
	uint32_t vlen = BTF_INFO_VLEN(st->info);
	memset(d, 0, sizeof(*d));
	for (uint32_t i = 0; i < vlen; i++) {
		const char *f = bpfrt_btf_str(btf, m[i].name_off);
		int err = 0;
		if (!f || !*f)
			return loader_err(obj, -EINVAL, "map '%s': member %u has no name", name, i);
		if (!strcmp(f, "type"))
			err = btf_map_uint(obj, name, f, m[i].type, &d->type);
		else if (!strcmp(f, "max_entries"))
			err = btf_map_uint(obj, name, f, m[i].type, &d->max_entries);
		else if (!strcmp(f, "map_flags"))
			err = btf_map_uint(obj, name, f, m[i].type, &d->map_flags);
		else if (!strcmp(f, "numa_node"))
			err = btf_map_uint(obj, name, f, m[i].type, &d->numa_node);
		else if (!strcmp(f, "pinning")) {
			err = btf_map_uint(obj, name, f, m[i].type, &d->pinning);
			if (!err && is_inner)
				return loader_err(obj, -EINVAL, "map '%s': an inner map can't be pinned", name);
			if (!err && d->pinning != LIBBPF_PIN_NONE && d->pinning != LIBBPF_PIN_BY_NAME)
				return loader_err(obj, -EINVAL, "map '%s': unknown pinning %u (LIBBPF_PIN_NONE or LIBBPF_PIN_BY_NAME)",
						  name, d->pinning);
		} else if (!strcmp(f, "map_extra")) {
			uint32_t v;
			err = btf_map_uint(obj, name, f, m[i].type, &v);
			d->map_extra = v;
		} else if (!strcmp(f, "key_size")) {
			uint32_t v;
			err = btf_map_uint(obj, name, f, m[i].type, &v);
			if (!err && d->key_size && d->key_size != v)
				return loader_err(obj, -EINVAL, "map '%s': key_size %u conflicts with key type size %u",
						  name, v, d->key_size);
			d->key_size = v;
		} else if (!strcmp(f, "value_size")) {
			uint32_t v;
			err = btf_map_uint(obj, name, f, m[i].type, &v);
			if (!err && d->value_size && d->value_size != v)
				return loader_err(obj, -EINVAL, "map '%s': value_size %u conflicts with value type size %u",
						  name, v, d->value_size);
			d->value_size = v;
		} else if (!strcmp(f, "key"))
			err = btf_map_type(obj, name, f, m[i].type, &d->btf_key_type_id, &d->key_size);
		else if (!strcmp(f, "value"))
			err = btf_map_type(obj, name, f, m[i].type, &d->btf_value_type_id, &d->value_size);
		else if (!strcmp(f, "values")) {
			/* __array(values, T): `T *values[]`, the last member. */
			if (is_inner || !inner)
				return loader_err(obj, -EINVAL, "map '%s': nested map-in-map definitions are not supported", name);
			if (i != vlen - 1)
				return loader_err(obj, -EINVAL, "map '%s': 'values' must be the last member", name);
			const struct btf_type *arr = bpfrt_btf_skip_mods(btf, m[i].type, NULL);
			if (!arr || BTF_INFO_KIND(arr->info) != BTF_KIND_ARRAY)
				return loader_err(obj, -EINVAL, "map '%s': 'values' is not __array()", name);
			const struct btf_type *p =
				bpfrt_btf_skip_mods(btf, ((const struct btf_array *)(arr + 1))->type, NULL);
			const struct btf_type *tgt = p && BTF_INFO_KIND(p->info) == BTF_KIND_PTR
							     ? bpfrt_btf_skip_mods(btf, p->type, NULL)
							     : NULL;
			if (!tgt)
				return loader_err(obj, -EINVAL, "map '%s': 'values' is not an array of pointers", name);
			*values_off = BTF_INFO_KFLAG(st->info) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) / 8
							       : m[i].offset / 8;
			if (BTF_INFO_KIND(tgt->info) == BTF_KIND_FUNC_PROTO) {
				*values_progs = true;
			} else {
				uint32_t tid;
				bpfrt_btf_skip_mods(btf, p->type, &tid);
				char iname[BPF_OBJ_NAME_LEN + 8];
				snprintf(iname, sizeof(iname), "%s.inner", name);
				err = parse_btf_map_def(obj, iname, tid, inner, true, NULL, NULL, NULL, NULL);
				if (err)
					return err;
				*has_inner = true;
			}
			if (d->value_size && d->value_size != 4)
				return loader_err(obj, -EINVAL, "map '%s': value size %u of a map of maps/programs must be 4",
						  name, d->value_size);
			d->value_size = 4;
		} else {
			return loader_err(obj, -EINVAL, "map '%s': unknown field '%s'", name, f);
		}
		if (err)
			return err;
	}
	if (d->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !d->max_entries)
		d->max_entries = possible_cpus();
	return 0;
}

/* ELF symbol named name defined in section sec, or -1. */
static int64_t sym_in_sec(const struct bpfrt_object *obj, const char *name, uint32_t sec)
{
	const struct loader_elf *e = &obj->elf;
	for (uint32_t i = 1; i < e->nsyms; i++)
		if (e->syms[i].st_shndx == sec && !strcmp(loader_elf_sym_name(e, i), name))
			return i;
	return -1;
}

static int collect_btf_maps(struct bpfrt_object *obj)
{
	const struct loader_sec *sec = loader_elf_sec_by_name(&obj->elf, ".maps");
	if (!sec)
		return 0;
	obj->maps_sec = sec->idx;
	if (!obj->btf)
		return loader_err(obj, -EINVAL, "section '.maps' (%u): BTF-defined maps need .BTF (compile with -g)",
				  sec->idx);
	int32_t ds_id = bpfrt_btf_find_by_name_kind(obj->btf, ".maps", BTF_KIND_DATASEC);
	if (ds_id < 0)
		return loader_err(obj, -EINVAL, "section '.maps' (%u): no DATASEC '.maps' in BTF", sec->idx);
	const struct btf_type *ds = bpfrt_btf_type_by_id(obj->btf, (uint32_t)ds_id);
	const struct btf_var_secinfo *vs = (const struct btf_var_secinfo *)(ds + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(ds->info); i++) {
		const struct btf_type *var = bpfrt_btf_type_by_id(obj->btf, vs[i].type);
		if (!var || BTF_INFO_KIND(var->info) != BTF_KIND_VAR)
			return loader_err(obj, -EINVAL, "section '.maps': entry %u of DATASEC '.maps' is not a variable", i);
		const char *name = bpfrt_btf_str(obj->btf, var->name_off);
		if (!name || !*name)
			return loader_err(obj, -EINVAL, "section '.maps': variable %u has no name", i);
		/* The symbol is the authority on where the definition is (clang
		 * may leave the DATASEC offsets for the linker to fill in). */
		int64_t s = sym_in_sec(obj, name, sec->idx);
		uint64_t off = s >= 0 ? obj->elf.syms[s].st_value : vs[i].offset;
		int64_t sz = bpfrt_btf_resolve_size(obj->btf, var->type);
		if (sz < 0 || off > sec->size || (uint64_t)sz > sec->size - off)
			return loader_err(obj, -EINVAL, "map '%s': definition at offset %llu size %lld is outside section '.maps' (%llu bytes)",
					  name, (unsigned long long)off, (long long)sz, (unsigned long long)sec->size);
		struct bpfrt_object_map *m = add_map(obj, name, MAP_KIND_BTF, sec->idx, off);
		if (!m)
			return loader_err(obj, -ENOMEM, "out of memory");
		/* `.values = {...}` fills the flexible array past the BTF size. */
		m->def_size = (uint64_t)sz;
		if (s >= 0 && obj->elf.syms[s].st_size > m->def_size &&
		    obj->elf.syms[s].st_size <= sec->size - off)
			m->def_size = obj->elf.syms[s].st_size;
		uint32_t values_off = 0;
		bool progs = false;
		int err = parse_btf_map_def(obj, name, var->type, &m->def, false, &m->inner, &m->has_inner,
					    &values_off, &progs);
		if (err)
			return err;
		m->values_off = values_off; /* for the .maps relocations (initial slots) */
	}
	return 0;
}

/* struct bpf_map_def of the legacy "maps" section. */
struct legacy_map_def {
	uint32_t type, key_size, value_size, max_entries, map_flags;
};

static int collect_legacy_maps(struct bpfrt_object *obj)
{
	const struct loader_sec *sec = loader_elf_sec_by_name(&obj->elf, "maps");
	if (!sec)
		return 0;
	obj->legacy_maps_sec = sec->idx;
	const struct loader_elf *e = &obj->elf;
	for (uint32_t i = 1; i < e->nsyms; i++) {
		const Elf64_Sym *s = &e->syms[i];
		if (s->st_shndx != sec->idx || ELF64_ST_TYPE(s->st_info) == STT_SECTION)
			continue;
		const char *name = loader_elf_sym_name(e, i);
		uint64_t size = s->st_size ? s->st_size : sizeof(struct legacy_map_def);
		if (size < sizeof(struct legacy_map_def) || s->st_value > sec->size ||
		    size > sec->size - s->st_value || !sec->data)
			return loader_err(obj, -EINVAL, "section 'maps' (%u): map '%s' at offset %llu size %llu is outside the section or smaller than struct bpf_map_def",
					  sec->idx, name, (unsigned long long)s->st_value, (unsigned long long)size);
		struct legacy_map_def d;
		memcpy(&d, sec->data + s->st_value, sizeof(d));
		for (uint64_t k = sizeof(d); k < size; k++)
			if (sec->data[s->st_value + k])
				return loader_err(obj, -EINVAL, "section 'maps': map '%s' sets fields past struct bpf_map_def, which bpfrt doesn't know",
						  name);
		struct bpfrt_object_map *m = add_map(obj, name, MAP_KIND_LEGACY, sec->idx, s->st_value);
		if (!m)
			return loader_err(obj, -ENOMEM, "out of memory");
		m->def_size = size;
		m->def.type = d.type;
		m->def.key_size = d.key_size;
		m->def.value_size = d.value_size;
		m->def.max_entries = d.max_entries;
		m->def.map_flags = d.map_flags;
	}
	return 0;
}

#define DATA_MAP_VALUE_MAX (1u << 22)

static bool is_data_sec(const struct loader_sec *s)
{
	if (s->flags & SHF_EXECINSTR)
		return false;
	if (s->type == SHT_PROGBITS)
		return !strcmp(s->name, ".data") || has_pfx(s->name, ".data.") ||
		       !strcmp(s->name, ".rodata") || has_pfx(s->name, ".rodata.");
	if (s->type == SHT_NOBITS)
		return !strcmp(s->name, ".bss") || has_pfx(s->name, ".bss.");
	return false;
}

static int collect_data_maps(struct bpfrt_object *obj)
{
	for (uint32_t i = 1; i < obj->elf.nsecs; i++) {
		const struct loader_sec *s = &obj->elf.secs[i];
		if (!is_data_sec(s) || s->size == 0)
			continue;
		/* The array map's value limit (the kernel's largest kmalloc); a
		 * .bss size is not bounded by the file, so check before the copy. */
		if (s->size > DATA_MAP_VALUE_MAX)
			return loader_err(obj, -E2BIG, "section '%s' (%u): %llu bytes is too large for a map value (at most %u)",
					  s->name, i, (unsigned long long)s->size, DATA_MAP_VALUE_MAX);
		char *name = data_map_name(obj->name, s->name);
		struct bpfrt_object_map *m = name ? add_map(obj, name, MAP_KIND_DATA, i, 0) : NULL;
		free(name);
		if (!m)
			return loader_err(obj, -ENOMEM, "out of memory");
		m->data_size = s->size;
		m->data = calloc(1, s->size);
		if (!m->data)
			return loader_err(obj, -ENOMEM, "out of memory");
		if (s->data)
			memcpy(m->data, s->data, s->size);
		bool ro = has_pfx(s->name, ".rodata");
		m->freeze = ro;
		m->def.type = BPF_MAP_TYPE_ARRAY;
		m->def.key_size = 4;
		m->def.value_size = (uint32_t)s->size;
		m->def.max_entries = 1;
		m->def.map_flags = (ro ? BPF_F_RDONLY_PROG : 0) | BPF_F_MMAPABLE;
		if (obj->btf) {
			int32_t id = bpfrt_btf_find_by_name_kind(obj->btf, s->name, BTF_KIND_DATASEC);
			m->def.btf_value_type_id = id > 0 ? (uint32_t)id : 0;
		}
	}
	return 0;
}

/* ---- .kconfig externs ---------------------------------------------------- */

static uint32_t kernel_version_code(void)
{
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;
	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	if (c > 255)
		c = 255;
	return (a << 16) + (b << 8) + c;
}

/* Lay out the variables of DATASEC .kconfig in a map of their own (as
 * libbpf does) and give them the values user space can know. */
static int collect_kconfig(struct bpfrt_object *obj)
{
	if (!obj->btf)
		return 0;
	int32_t ds_id = bpfrt_btf_find_by_name_kind(obj->btf, ".kconfig", BTF_KIND_DATASEC);
	if (ds_id < 0)
		return 0;
	const struct btf_type *ds = bpfrt_btf_type_by_id(obj->btf, (uint32_t)ds_id);
	const struct btf_var_secinfo *vs = (const struct btf_var_secinfo *)(ds + 1);
	uint32_t n = BTF_INFO_VLEN(ds->info);
	if (!n)
		return 0;
	uint64_t *offs = calloc(n, sizeof(*offs));
	if (!offs)
		return loader_err(obj, -ENOMEM, "out of memory");
	uint64_t size = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct btf_type *var = bpfrt_btf_type_by_id(obj->btf, vs[i].type);
		int64_t sz = var ? bpfrt_btf_resolve_size(obj->btf, var->type) : -1;
		if (sz <= 0 || sz > 4096) {
			free(offs);
			return loader_err(obj, -EINVAL, ".kconfig: extern %u has no usable type", i);
		}
		uint64_t align = sz >= 8 ? 8 : sz >= 4 ? 4 : sz >= 2 ? 2 : 1;
		size = (size + align - 1) / align * align;
		offs[i] = size;
		size += (uint64_t)sz;
	}
	char *name = data_map_name(obj->name, ".kconfig");
	struct bpfrt_object_map *m = name ? add_map(obj, name, MAP_KIND_KCONFIG, 0, 0) : NULL;
	free(name);
	uint8_t *data = m ? calloc(1, size) : NULL;
	if (!data) {
		free(offs);
		return loader_err(obj, -ENOMEM, "out of memory");
	}
	m->data = data;
	m->data_size = size;
	m->freeze = true;
	m->def = (struct loader_map_def){.type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
					 .value_size = (uint32_t)size, .max_entries = 1,
					 .map_flags = BPF_F_RDONLY_PROG | BPF_F_MMAPABLE,
					 .btf_value_type_id = (uint32_t)ds_id};
	for (uint32_t i = 0; i < n; i++) {
		const struct btf_type *var = bpfrt_btf_type_by_id(obj->btf, vs[i].type);
		const char *vn = bpfrt_btf_str(obj->btf, var->name_off);
		int64_t sz = bpfrt_btf_resolve_size(obj->btf, var->type);
		uint64_t v = 0;
		bool known = true;
		if (!strcmp(vn, "LINUX_KERNEL_VERSION"))
			v = kernel_version_code();
		else if (!strcmp(vn, "LINUX_HAS_BPF_COOKIE") || !strcmp(vn, "LINUX_HAS_SYSCALL_WRAPPER"))
			v = 0;
		else
			known = false;
		if (!known) {
			/* User space has no kernel config: a __weak extern takes
			 * its default (zero), any other one can't be resolved. */
			const struct loader_elf *e = &obj->elf;
			bool weak = false;
			for (uint32_t k = 1; k < e->nsyms; k++)
				if (e->syms[k].st_shndx == SHN_UNDEF && !strcmp(loader_elf_sym_name(e, k), vn))
					weak = ELF64_ST_BIND(e->syms[k].st_info) == STB_WEAK;
			if (!weak) {
				free(offs);
				return loader_err(obj, -ESRCH,
						  ".kconfig: extern '%s' has no value in user space (there is no kernel config); declare it __weak to default to 0",
						  vn);
			}
		}
		memcpy(data + offs[i], &v, (size_t)sz < sizeof(v) ? (size_t)sz : sizeof(v));
	}
	free(offs);
	return 0;
}

int64_t loader_kconfig_offset(const struct bpfrt_object *obj, const char *name, uint32_t *map)
{
	if (!obj->btf)
		return -1;
	int32_t ds_id = bpfrt_btf_find_by_name_kind(obj->btf, ".kconfig", BTF_KIND_DATASEC);
	if (ds_id < 0)
		return -1;
	uint32_t mi = 0;
	for (; mi < obj->nmaps && obj->maps[mi]->kind != MAP_KIND_KCONFIG; mi++)
		;
	if (mi == obj->nmaps)
		return -1;
	const struct btf_type *ds = bpfrt_btf_type_by_id(obj->btf, (uint32_t)ds_id);
	const struct btf_var_secinfo *vs = (const struct btf_var_secinfo *)(ds + 1);
	uint64_t size = 0;
	for (uint32_t i = 0; i < BTF_INFO_VLEN(ds->info); i++) {
		const struct btf_type *var = bpfrt_btf_type_by_id(obj->btf, vs[i].type);
		int64_t sz = bpfrt_btf_resolve_size(obj->btf, var->type);
		uint64_t align = sz >= 8 ? 8 : sz >= 4 ? 4 : sz >= 2 ? 2 : 1;
		size = (size + align - 1) / align * align;
		if (!strcmp(bpfrt_btf_str(obj->btf, var->name_off), name)) {
			*map = mi;
			return (int64_t)size;
		}
		size += (uint64_t)sz;
	}
	return -1;
}

/* ---- programs ------------------------------------------------------------ */

static int cmp_func(const void *a, const void *b)
{
	const struct loader_func *x = a, *y = b;
	if (x->sec_idx != y->sec_idx)
		return x->sec_idx < y->sec_idx ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static bool is_prog_sec(const struct loader_sec *s)
{
	return s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR);
}

static int collect_funcs(struct bpfrt_object *obj)
{
	const struct loader_elf *e = &obj->elf;
	for (uint32_t i = 1; i < e->nsecs; i++) {
		const struct loader_sec *s = &e->secs[i];
		if (!is_prog_sec(s) || s->size == 0)
			continue;
		if (s->size % sizeof(struct bpf_insn))
			return loader_err(obj, -EINVAL,
					  "section '%s' (%u): size %llu is not a multiple of 8 (the size of an instruction)",
					  s->name, i, (unsigned long long)s->size);
		uint32_t before = obj->nfuncs;
		for (uint32_t k = 1; k < e->nsyms; k++) {
			const Elf64_Sym *sym = &e->syms[k];
			if (sym->st_shndx != i || ELF64_ST_TYPE(sym->st_info) != STT_FUNC)
				continue;
			const char *name = loader_elf_sym_name(e, k);
			if (sym->st_value % 8 || sym->st_size % 8 || sym->st_size == 0 ||
			    sym->st_value > s->size || sym->st_size > s->size - sym->st_value)
				return loader_err(obj, -EINVAL,
						  "section '%s' (%u): function '%s' at offset %llu size %llu is not a whole number of instructions inside the section (%llu bytes)",
						  s->name, i, name, (unsigned long long)sym->st_value,
						  (unsigned long long)sym->st_size, (unsigned long long)s->size);
			struct loader_func *v = grow(obj->funcs, obj->nfuncs, sizeof(*v));
			if (!v)
				return loader_err(obj, -ENOMEM, "out of memory");
			obj->funcs = v;
			v[obj->nfuncs] = (struct loader_func){.name = strdup(name), .sec_idx = i,
							      .off = (uint32_t)(sym->st_value / 8),
							      .cnt = (uint32_t)(sym->st_size / 8)};
			if (!v[obj->nfuncs++].name)
				return loader_err(obj, -ENOMEM, "out of memory");
		}
		if (obj->nfuncs == before)
			return loader_err(obj, -EINVAL, "section '%s' (%u): code without a function symbol", s->name, i);
	}
	if (obj->nfuncs) /* funcs is NULL without any (qsort's pointer must not be) */
		qsort(obj->funcs, obj->nfuncs, sizeof(*obj->funcs), cmp_func);
	for (uint32_t k = 1; k < obj->nfuncs; k++) {
		const struct loader_func *a = &obj->funcs[k - 1], *b = &obj->funcs[k];
		if (a->sec_idx == b->sec_idx && a->off + a->cnt > b->off)
			return loader_err(obj, -EINVAL, "section '%s': functions '%s' and '%s' overlap",
					  e->secs[a->sec_idx].name, a->name, b->name);
	}
	/* Every function outside .text is a program (libbpf: an entry point). */
	for (uint32_t k = 0; k < obj->nfuncs; k++) {
		struct loader_func *f = &obj->funcs[k];
		const char *sec = e->secs[f->sec_idx].name;
		if (!strcmp(sec, ".text"))
			continue;
		struct bpfrt_program **v = grow(obj->progs, obj->nprogs, sizeof(*v));
		if (!v)
			return loader_err(obj, -ENOMEM, "out of memory");
		obj->progs = v;
		struct bpfrt_program *p = calloc(1, sizeof(*p));
		if (!p)
			return loader_err(obj, -ENOMEM, "out of memory");
		v[obj->nprogs++] = p;
		p->obj = obj;
		p->func = k;
		p->fd = -1;
		p->autoload = true;
		p->name = strdup(f->name);
		p->sec_name = strdup(sec);
		if (!p->name || !p->sec_name)
			return loader_err(obj, -ENOMEM, "out of memory");
		f->prog = p;
		struct loader_sec_def def;
		if (loader_sec_def_find(sec, &def)) {
			p->sec_known = true;
			p->type = def.prog_type;
			p->attach_type = def.attach_type;
			p->note = def.note;
		} else {
			p->note = "unknown section name: no SEC() rule gives its program type";
		}
	}
	return 0;
}

/* Initial slots of map-in-maps and prog arrays: relocations in .maps. */
static int collect_map_slots(struct bpfrt_object *obj)
{
	const struct loader_elf *e = &obj->elf;
	if (!obj->maps_sec)
		return 0;
	for (uint32_t i = 1; i < e->nsecs; i++) {
		const struct loader_sec *rs = &e->secs[i];
		if (rs->type != SHT_REL || rs->info != obj->maps_sec)
			continue;
		const Elf64_Rel *r = (const Elf64_Rel *)rs->data;
		for (uint64_t k = 0; k < rs->size / sizeof(*r); k++) {
			uint32_t symi = (uint32_t)ELF64_R_SYM(r[k].r_info);
			uint64_t off = r[k].r_offset;
			if (symi == 0 || symi >= e->nsyms)
				return loader_err(obj, -EINVAL, "section '.maps': relocation %llu at offset %llu: symbol index %u is not in the symbol table (%u symbols)",
						  (unsigned long long)k, (unsigned long long)off, symi, e->nsyms);
			const Elf64_Sym *sym = &e->syms[symi];
			const char *sname = loader_elf_sym_name(e, symi);
			struct bpfrt_object_map *m = NULL;
			for (uint32_t j = 0; j < obj->nmaps; j++) {
				struct bpfrt_object_map *c = obj->maps[j];
				if (c->kind == MAP_KIND_BTF && off >= c->sec_off && off < c->sec_off + c->def_size)
					m = c;
			}
			uint64_t voff = m ? m->sec_off + m->values_off : 0;
			if (!m || !m->values_off || off < voff || (off - voff) % 8)
				return loader_err(obj, -EINVAL, "section '.maps': relocation at offset %llu (symbol '%s') is not a slot of a map's 'values'",
						  (unsigned long long)off, sname);
			struct loader_slot slot = {.index = (uint32_t)((off - voff) / 8)};
			bool prog_array = m->def.type == BPF_MAP_TYPE_PROG_ARRAY;
			if (prog_array) {
				int f = ELF64_ST_TYPE(sym->st_info) == STT_FUNC && sym->st_shndx < e->nsecs
						? loader_func_at(obj, sym->st_shndx, (uint32_t)(sym->st_value / 8))
						: -1;
				if (f < 0 || !obj->funcs[f].prog)
					return loader_err(obj, -EINVAL, "map '%s': slot %u refers to '%s', which is not a program",
							  m->name, slot.index, sname);
				slot.is_prog = true;
				slot.target = (uint32_t)f;
			} else {
				uint32_t j = 0;
				for (; j < obj->nmaps; j++)
					if (obj->maps[j]->kind == MAP_KIND_BTF && sym->st_shndx == obj->maps_sec &&
					    obj->maps[j]->sec_off == sym->st_value)
						break;
				if (j == obj->nmaps || !m->has_inner)
					return loader_err(obj, -EINVAL, "map '%s': slot %u refers to '%s', which is not a map%s",
							  m->name, slot.index, sname,
							  m->has_inner ? "" : " (or the map has no __array(values, ...))");
				slot.target = j;
			}
			if (m->def.max_entries && slot.index >= m->def.max_entries)
				return loader_err(obj, -EINVAL, "map '%s': slot %u is past max_entries %u", m->name,
						  slot.index, m->def.max_entries);
			struct loader_slot *v = grow(m->slots, m->nslots, sizeof(*v));
			if (!v)
				return loader_err(obj, -ENOMEM, "out of memory");
			m->slots = v;
			v[m->nslots++] = slot;
		}
	}
	return 0;
}

int loader_func_at(const struct bpfrt_object *obj, uint32_t sec, uint32_t insn)
{
	for (uint32_t k = 0; k < obj->nfuncs; k++) {
		const struct loader_func *f = &obj->funcs[k];
		if (f->sec_idx == sec && insn >= f->off && insn < f->off + f->cnt)
			return (int)k;
	}
	return -1;
}

/* ---- open ----------------------------------------------------------------- */

static int open_btf(struct bpfrt_object *obj, struct bpfrt_diag *diag)
{
	const struct loader_sec *s = loader_elf_sec_by_name(&obj->elf, ".BTF");
	if (!s || !s->data)
		return 0;
	obj->btf = bpfrt_btf_new(s->data, s->size, diag);
	if (!obj->btf)
		return loader_err(obj, errno ? -errno : -EINVAL, "section '.BTF': %s", diag->msg);
	const struct loader_sec *x = loader_elf_sec_by_name(&obj->elf, ".BTF.ext");
	if (x && x->data) {
		obj->btf_ext = bpfrt_btf_ext_new(x->data, x->size, obj->btf, diag);
		if (!obj->btf_ext)
			return loader_err(obj, errno ? -errno : -EINVAL, "section '.BTF.ext': %s", diag->msg);
	}
	return 0;
}

static int open_misc(struct bpfrt_object *obj)
{
	const struct loader_sec *s = loader_elf_sec_by_name(&obj->elf, "license");
	if (s && s->data && s->size) {
		size_t n = s->size < sizeof(obj->license) - 1 ? s->size : sizeof(obj->license) - 1;
		memcpy(obj->license, s->data, n);
		obj->license[n] = 0;
	}
	s = loader_elf_sec_by_name(&obj->elf, "version");
	if (s && s->data) {
		if (s->size != 4)
			return loader_err(obj, -EINVAL, "section 'version' (%u): size %llu, expected 4", s->idx,
					  (unsigned long long)s->size);
		memcpy(&obj->kern_version, s->data, 4);
	}
	return 0;
}

static struct bpfrt_object *object_open(struct bpfrt *rt, const void *buf, size_t size,
					const char *default_name,
					const struct bpfrt_object_open_opts *opts,
					struct bpfrt_diag *diag)
{
	struct bpfrt_diag local;
	if (!diag)
		diag = &local;
	memset(diag, 0, sizeof(*diag));
	diag->insn = -1;
	if (!rt || !buf) {
		errno = EINVAL;
		snprintf(diag->msg, sizeof(diag->msg), "no runtime or no object");
		return NULL;
	}
	const char *oname = opts && opts->sz >= offsetof(struct bpfrt_object_open_opts, object_name) +
							   sizeof(opts->object_name)
				    ? opts->object_name
				    : NULL;
	const char *pin_root = opts && opts->sz >= offsetof(struct bpfrt_object_open_opts, pin_root_path) +
							      sizeof(opts->pin_root_path)
				       ? opts->pin_root_path
				       : NULL;
	struct bpfrt_object *obj = calloc(1, sizeof(*obj));
	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	obj->rt = rt;
	obj->name = oname ? strdup(oname) : strdup(default_name);
	obj->pin_root = strdup(pin_root ? pin_root : bpfrt_pin_root(rt));
	int err = obj->name && obj->pin_root ? 0 : loader_err(obj, -ENOMEM, "out of memory");
	if (!err)
		err = loader_elf_open(&obj->elf, buf, size, diag);
	if (err && !obj->err[0])
		snprintf(obj->err, sizeof(obj->err), "%s", diag->msg);
	if (!err)
		err = open_btf(obj, diag);
	if (!err)
		err = open_misc(obj);
	if (!err)
		err = collect_funcs(obj);
	if (!err)
		err = collect_btf_maps(obj);
	if (!err)
		err = collect_legacy_maps(obj);
	if (!err)
		err = collect_data_maps(obj);
	if (!err)
		err = collect_kconfig(obj);
	if (!err)
		err = collect_map_slots(obj);
	if (!err)
		err = loader_collect_relocs(obj);
	if (err) {
		{
			size_t n_ = strnlen(obj->err, sizeof(diag->msg) - 1);
			memcpy(diag->msg, obj->err, n_);
			diag->msg[n_] = 0;
		}
		bpfrt_object_close(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

struct bpfrt_object *bpfrt_object_open_mem(struct bpfrt *rt, const void *buf, size_t size,
					   const struct bpfrt_object_open_opts *opts,
					   struct bpfrt_diag *diag)
{
	char name[64];
	snprintf(name, sizeof(name), "%lx-%zx", (unsigned long)(uintptr_t)buf, size);
	return object_open(rt, buf, size, name, opts, diag);
}

struct bpfrt_object *bpfrt_object_open_file(struct bpfrt *rt, const char *path,
					    const struct bpfrt_object_open_opts *opts,
					    struct bpfrt_diag *diag)
{
	struct bpfrt_diag local;
	if (!diag)
		diag = &local;
	memset(diag, 0, sizeof(*diag));
	diag->insn = -1;
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (!f) {
		int e = path ? errno : EINVAL;
		snprintf(diag->msg, sizeof(diag->msg), "can't open '%s': %s", path ? path : "(null)", strerror(e));
		errno = e;
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
		}
		buf = nb;
		cap *= 2;
	}
	bool ioerr = ferror(f);
	fclose(f);
	if (!buf || ioerr) {
		free(buf);
		snprintf(diag->msg, sizeof(diag->msg), "can't read '%s'", path);
		errno = buf ? EIO : ENOMEM;
		return NULL;
	}
	char *name = object_name_from_path(path);
	struct bpfrt_object *obj = name ? object_open(rt, buf, n, name, opts, diag) : NULL;
	int e = errno;
	if (!name) {
		e = ENOMEM;
	} else if (!obj) {
		/* Prefix the message with the file, keeping the place. */
		char msg[sizeof(diag->msg) + 4096];
		snprintf(msg, sizeof(msg), "%s: %s", path, diag->msg);
		{
			size_t n_ = strnlen(msg, sizeof(diag->msg) - 1);
			memcpy(diag->msg, msg, n_);
			diag->msg[n_] = 0;
		}
	}
	free(name);
	free(buf);
	errno = e;
	return obj;
}

/* ---- load ----------------------------------------------------------------- */

static int sys(struct bpfrt_object *obj, int cmd, union bpf_attr *a)
{
	return bpfrt_bpf(obj->rt, cmd, a, sizeof(*a));
}

static void close_fd(struct bpfrt_object *obj, int *fd)
{
	if (*fd >= 0)
		bpfrt_close(obj->rt, *fd);
	*fd = -1;
}

/* btf_fd >= 0: create with the map's key/value types (BPF_BTF_LOAD'ed
 * object BTF); if that fails, again without, as libbpf does. */
/* A kernel object name (map_name, prog_name: BPF_OBJ_NAME_LEN with the
 * NUL): the first 15 bytes of name, as libbpf passes longer names. */
static void set_obj_name(char dst[BPF_OBJ_NAME_LEN], const char *name)
{
	size_t n = strnlen(name, BPF_OBJ_NAME_LEN - 1);
	memcpy(dst, name, n);
	dst[n] = 0;
}

static int create_map(struct bpfrt_object *obj, const char *name, const struct loader_map_def *d,
		      int inner_fd, int btf_fd)
{
	union bpf_attr a;
	if (btf_fd >= 0 && d->btf_value_type_id) {
		memset(&a, 0, sizeof(a));
		a.map_type = d->type;
		a.key_size = d->key_size;
		a.value_size = d->value_size;
		a.max_entries = d->max_entries;
		a.map_flags = d->map_flags;
		a.numa_node = d->numa_node;
		a.map_extra = d->map_extra;
		a.inner_map_fd = inner_fd >= 0 ? (uint32_t)inner_fd : 0;
		a.btf_fd = (uint32_t)btf_fd;
		a.btf_key_type_id = d->btf_key_type_id;
		a.btf_value_type_id = d->btf_value_type_id;
		set_obj_name(a.map_name, name);
		int fd = sys(obj, BPF_MAP_CREATE, &a);
		if (fd >= 0)
			return fd;
	}
	memset(&a, 0, sizeof(a));
	a.map_type = d->type;
	a.key_size = d->key_size;
	a.value_size = d->value_size;
	a.max_entries = d->max_entries;
	a.map_flags = d->map_flags;
	a.numa_node = d->numa_node;
	a.map_extra = d->map_extra;
	a.inner_map_fd = inner_fd >= 0 ? (uint32_t)inner_fd : 0;
	set_obj_name(a.map_name, name);
	return sys(obj, BPF_MAP_CREATE, &a);
}

static int map_path(struct bpfrt_object *obj, const struct bpfrt_object_map *m, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/%s", obj->pin_root, m->name) >= len)
		return loader_err(obj, -ENAMETOOLONG, "map '%s': pin path too long", m->name);
	return 0;
}

/* LIBBPF_PIN_BY_NAME: reuse what is pinned at <pin root>/<name> if it has
 * the same shape, as libbpf does.  1 if reused, 0 if nothing is pinned. */
static int reuse_pinned(struct bpfrt_object *obj, struct bpfrt_object_map *m)
{
	char path[4096];
	int err = map_path(obj, m, path, sizeof(path));
	if (err)
		return err;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)path;
	int fd = sys(obj, BPF_OBJ_GET, &a);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return loader_err(obj, fd, "map '%s': can't open the pinned map '%s': %s", m->name, path,
				  strerror(-fd));
	struct bpf_map_info info;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info = (uintptr_t)&info;
	a.info.info_len = sizeof(info);
	err = sys(obj, BPF_OBJ_GET_INFO_BY_FD, &a);
	if (err) {
		bpfrt_close(obj->rt, fd);
		return loader_err(obj, err, "map '%s': '%s' is not a map: %s", m->name, path, strerror(-err));
	}
	const struct loader_map_def *d = &m->def;
	if (info.type != d->type || info.key_size != d->key_size || info.value_size != d->value_size ||
	    info.max_entries != d->max_entries || info.map_flags != d->map_flags ||
	    info.map_extra != d->map_extra) {
		bpfrt_close(obj->rt, fd);
		return loader_err(obj, -EINVAL,
				  "map '%s': the map pinned at '%s' doesn't match the definition (type %u/%u key %u/%u value %u/%u max_entries %u/%u flags 0x%x/0x%x, pinned/object)",
				  m->name, path, info.type, d->type, info.key_size, d->key_size, info.value_size,
				  d->value_size, info.max_entries, d->max_entries, info.map_flags, d->map_flags);
	}
	m->fd = fd;
	return 1;
}

static int map_update(struct bpfrt_object *obj, int fd, const void *key, const void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	return sys(obj, BPF_MAP_UPDATE_ELEM, &a);
}

/* The object's BTF as a BTF object, for maps' key/value types; -1 when
 * there is none or it doesn't load (maps are then made without BTF). */
static int load_btf(struct bpfrt_object *obj)
{
	size_t size;
	const void *raw = obj->btf ? bpfrt_btf_raw(obj->btf, &size) : NULL;
	if (!raw)
		return -1;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf = (uintptr_t)raw;
	a.btf_size = (uint32_t)size;
	int fd = sys(obj, BPF_BTF_LOAD, &a);
	return fd >= 0 ? fd : -1;
}

static int create_maps_btf(struct bpfrt_object *obj, bool *reused, int btf_fd);

static int create_maps(struct bpfrt_object *obj, bool *reused)
{
	int btf_fd = load_btf(obj);
	int err = create_maps_btf(obj, reused, btf_fd);
	close_fd(obj, &btf_fd); /* the maps hold their own references */
	return err;
}

static int create_maps_btf(struct bpfrt_object *obj, bool *reused, int btf_fd)
{
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		struct bpfrt_object_map *m = obj->maps[i];
		int err;
		if (m->def.pinning == LIBBPF_PIN_BY_NAME) {
			err = reuse_pinned(obj, m);
			if (err < 0)
				return err;
			if (err == 1) {
				reused[i] = true;
				continue;
			}
		}
		int inner = -1;
		if (m->has_inner) {
			char iname[BPF_OBJ_NAME_LEN + 8];
			snprintf(iname, sizeof(iname), "%s.inner", m->name);
			inner = create_map(obj, iname, &m->inner, -1, -1);
			if (inner < 0)
				return loader_err(obj, inner, "map '%s': can't create its inner map: %s", m->name,
						  strerror(-inner));
		}
		m->fd = create_map(obj, m->name, &m->def, inner, btf_fd);
		if (inner >= 0)
			bpfrt_close(obj->rt, inner);
		if (m->fd < 0) {
			err = m->fd;
			m->fd = -1;
			return loader_err(obj, err,
					  "map '%s': MAP_CREATE (type %u key %u value %u max_entries %u flags 0x%x) failed: %s",
					  m->name, m->def.type, m->def.key_size, m->def.value_size,
					  m->def.max_entries, m->def.map_flags, strerror(-err));
		}
		if (m->data) {
			uint32_t zero = 0;
			err = map_update(obj, m->fd, &zero, m->data);
			if (err)
				return loader_err(obj, err, "map '%s': can't write its initial value: %s", m->name,
						  strerror(-err));
		}
		if (m->freeze) {
			union bpf_attr a;
			memset(&a, 0, sizeof(a));
			a.map_fd = (uint32_t)m->fd;
			err = sys(obj, BPF_MAP_FREEZE, &a);
			if (err)
				return loader_err(obj, err, "map '%s': can't freeze it: %s", m->name, strerror(-err));
		}
	}
	/* Map-in-map slots, now that every map exists. */
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		struct bpfrt_object_map *m = obj->maps[i];
		for (uint32_t k = 0; k < m->nslots && !reused[i]; k++) {
			if (m->slots[k].is_prog)
				continue;
			int tfd = obj->maps[m->slots[k].target]->fd;
			int err = map_update(obj, m->fd, &m->slots[k].index, &tfd);
			if (err)
				return loader_err(obj, err, "map '%s': can't set slot %u to map '%s': %s", m->name,
						  m->slots[k].index, obj->maps[m->slots[k].target]->name,
						  strerror(-err));
		}
	}
	return 0;
}

static int pin_new_maps(struct bpfrt_object *obj, const bool *reused, bool *pinned)
{
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		struct bpfrt_object_map *m = obj->maps[i];
		if (m->def.pinning != LIBBPF_PIN_BY_NAME || reused[i])
			continue;
		char path[4096];
		int err = map_path(obj, m, path, sizeof(path));
		if (err)
			return err;
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.bpf_fd = (uint32_t)m->fd;
		a.pathname = (uintptr_t)path;
		err = sys(obj, BPF_OBJ_PIN, &a);
		if (err)
			return loader_err(obj, err, "map '%s': can't pin it at '%s': %s", m->name, path,
					  strerror(-err));
		pinned[i] = true;
	}
	return 0;
}

static int load_prog(struct bpfrt_object *obj, struct bpfrt_program *p, int btf_fd)
{
	if (!p->type)
		return loader_err(obj, -EINVAL, "prog '%s': section '%s' gives no program type (set one with bpfrt_program_set_type)",
				  p->name, p->sec_name);
	int err = loader_relocate_prog(obj, p);
	if (err)
		return err;
	char *logbuf = malloc(LOG_SIZE);
	if (!logbuf)
		return loader_err(obj, -ENOMEM, "out of memory");
	logbuf[0] = 0;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = p->type;
	a.expected_attach_type = p->attach_type;
	a.insns = (uintptr_t)p->insns;
	a.insn_cnt = p->insn_cnt;
	a.license = (uintptr_t)obj->license;
	a.kern_version = obj->kern_version;
	a.log_buf = (uintptr_t)logbuf;
	a.log_size = LOG_SIZE;
	a.log_level = 1;
	if (btf_fd >= 0 && p->nlinfo) {
		a.prog_btf_fd = (uint32_t)btf_fd;
		a.line_info = (uintptr_t)p->linfo;
		a.line_info_cnt = p->nlinfo;
		a.line_info_rec_size = sizeof(struct bpf_line_info);
	}
	struct loader_sec_def def;
	if (p->sec_known && loader_sec_def_find(p->sec_name, &def) && def.sleepable)
		a.prog_flags |= BPF_F_SLEEPABLE;
	if (has_pfx(p->sec_name, "xdp.frags"))
		a.prog_flags |= BPF_F_XDP_HAS_FRAGS;
	set_obj_name(a.prog_name, p->name);
	int fd = sys(obj, BPF_PROG_LOAD, &a);
	if (fd < 0) {
		size_t n = strlen(logbuf);
		while (n && logbuf[n - 1] == '\n')
			logbuf[--n] = 0;
		if (p->poison_note[0] && strstr(logbuf, "195896080")) /* BPFRT_CORE_POISON reached */
			err = loader_err(obj, fd, "%s: reachable, BPF_PROG_LOAD failed: %s", p->poison_note,
					 strerror(-fd));
		else {
			/* bpfrt's readable summary says it all; else the whole log. */
			const char *sum = strstr(logbuf, "bpfrt: insn ");
			err = loader_err(obj, fd, "prog '%s' (section '%s'): BPF_PROG_LOAD failed: %s%s%s", p->name,
					 p->sec_name, strerror(-fd), n ? (sum ? "\n" : ": ") : "", sum ? sum : logbuf);
		}
		free(logbuf);
		return err;
	}
	free(logbuf);
	p->fd = fd;
	return 0;
}

/* Prog-array slots from the initialiser, once the programs are loaded.
 * As libbpf (bpf_object_init_prog_arrays), this includes a prog array
 * reused from a pin: the slots get this object's programs.  (Map-in-map
 * slots of a reused map are left alone, in create_maps.) */
static int fill_prog_arrays(struct bpfrt_object *obj)
{
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		struct bpfrt_object_map *m = obj->maps[i];
		for (uint32_t k = 0; k < m->nslots; k++) {
			if (!m->slots[k].is_prog)
				continue;
			struct bpfrt_program *p = obj->funcs[m->slots[k].target].prog;
			if (p->fd < 0)
				return loader_err(obj, -EINVAL, "map '%s': slot %u holds program '%s', which is not loaded (autoload off)",
						  m->name, m->slots[k].index, p->name);
			int err = map_update(obj, m->fd, &m->slots[k].index, &p->fd);
			if (err)
				return loader_err(obj, err, "map '%s': can't set slot %u to program '%s': %s", m->name,
						  m->slots[k].index, p->name, strerror(-err));
		}
	}
	return 0;
}

static void unload(struct bpfrt_object *obj)
{
	for (uint32_t i = 0; i < obj->nprogs; i++) {
		close_fd(obj, &obj->progs[i]->fd);
		free(obj->progs[i]->insns);
		obj->progs[i]->insns = NULL;
		obj->progs[i]->insn_cnt = 0;
		free(obj->progs[i]->linfo);
		obj->progs[i]->linfo = NULL;
		obj->progs[i]->nlinfo = 0;
	}
	for (uint32_t i = 0; i < obj->nmaps; i++)
		close_fd(obj, &obj->maps[i]->fd);
}

int bpfrt_object_load(struct bpfrt_object *obj)
{
	if (!obj)
		return -(errno = EINVAL);
	if (obj->loaded)
		return loader_err(obj, -EBUSY, "object '%s' is already loaded", obj->name);
	obj->err[0] = 0;
	bool *reused = calloc(obj->nmaps + 1, sizeof(bool));
	bool *pinned = calloc(obj->nmaps + 1, sizeof(bool));
	int err = reused && pinned ? 0 : loader_err(obj, -ENOMEM, "out of memory");
	if (!err)
		err = create_maps(obj, reused);
	/* The programs get the object's BTF too, for their line info: the
	 * verifier names source lines in its messages. */
	int prog_btf_fd = err ? -1 : load_btf(obj);
	for (uint32_t i = 0; i < obj->nprogs && !err; i++)
		if (obj->progs[i]->autoload)
			err = load_prog(obj, obj->progs[i], prog_btf_fd);
	close_fd(obj, &prog_btf_fd);
	if (!err)
		err = fill_prog_arrays(obj);
	if (!err)
		err = pin_new_maps(obj, reused, pinned);
	if (err) {
		/* Undo: maps pinned by this load go away with it (libbpf's rule). */
		for (uint32_t i = 0; pinned && i < obj->nmaps; i++) {
			char path[4096];
			if (pinned[i] && !map_path(obj, obj->maps[i], path, sizeof(path)))
				unlink(path);
		}
		unload(obj);
	} else {
		obj->loaded = true;
	}
	free(reused);
	free(pinned);
	if (err)
		errno = -err;
	return err;
}

void bpfrt_object_close(struct bpfrt_object *obj)
{
	if (!obj)
		return;
	unload(obj);
	for (uint32_t i = 0; i < obj->nprogs; i++) {
		free(obj->progs[i]->name);
		free(obj->progs[i]->sec_name);
		free(obj->progs[i]);
	}
	free(obj->progs);
	for (uint32_t i = 0; i < obj->nfuncs; i++)
		free(obj->funcs[i].name);
	free(obj->funcs);
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		free(obj->maps[i]->data);
		free(obj->maps[i]->slots);
		free(obj->maps[i]->name);
		free(obj->maps[i]);
	}
	free(obj->maps);
	for (uint32_t i = 0; i < obj->npsecs; i++)
		free(obj->psecs[i].relocs);
	free(obj->psecs);
	bpfrt_btf_ext_free(obj->btf_ext);
	bpfrt_btf_free(obj->btf);
	loader_elf_close(&obj->elf);
	free(obj->name);
	free(obj->pin_root);
	free(obj);
}

/* ---- getters and setters ------------------------------------------------ */

const char *bpfrt_object_name(const struct bpfrt_object *obj)
{
	return obj->name;
}

const char *bpfrt_object_error(const struct bpfrt_object *obj)
{
	return obj ? obj->err : "";
}

const struct bpfrt_btf *bpfrt_object_btf(const struct bpfrt_object *obj)
{
	return obj->btf;
}

const struct bpfrt_btf_ext *bpfrt_object_btf_ext(const struct bpfrt_object *obj)
{
	return obj->btf_ext;
}

struct bpfrt_program *bpfrt_object_next_program(const struct bpfrt_object *obj,
						const struct bpfrt_program *prev)
{
	uint32_t i = 0;
	if (prev) {
		while (i < obj->nprogs && obj->progs[i] != prev)
			i++;
		i++;
	}
	return i < obj->nprogs ? obj->progs[i] : NULL;
}

struct bpfrt_program *bpfrt_object_find_program_by_name(const struct bpfrt_object *obj, const char *name)
{
	for (uint32_t i = 0; i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i]->name, name))
			return obj->progs[i];
	errno = ENOENT;
	return NULL;
}

const char *bpfrt_program_name(const struct bpfrt_program *prog)
{
	return prog->name;
}

const char *bpfrt_program_section_name(const struct bpfrt_program *prog)
{
	return prog->sec_name;
}

uint32_t bpfrt_program_type(const struct bpfrt_program *prog)
{
	return prog->type;
}

uint32_t bpfrt_program_expected_attach_type(const struct bpfrt_program *prog)
{
	return prog->attach_type;
}

int bpfrt_program_set_type(struct bpfrt_program *prog, uint32_t type)
{
	if (prog->obj->loaded)
		return -(errno = EBUSY);
	prog->type = type;
	return 0;
}

int bpfrt_program_set_expected_attach_type(struct bpfrt_program *prog, uint32_t type)
{
	if (prog->obj->loaded)
		return -(errno = EBUSY);
	prog->attach_type = type;
	return 0;
}

int bpfrt_program_set_autoload(struct bpfrt_program *prog, bool autoload)
{
	if (prog->obj->loaded)
		return -(errno = EBUSY);
	prog->autoload = autoload;
	return 0;
}

const char *bpfrt_program_attach_note(const struct bpfrt_program *prog)
{
	return prog->note;
}

int bpfrt_program_fd(const struct bpfrt_program *prog)
{
	return prog->fd;
}

const struct bpf_insn *bpfrt_program_insns(const struct bpfrt_program *prog, uint32_t *cnt)
{
	if (prog->insns) {
		*cnt = prog->insn_cnt;
		return prog->insns;
	}
	const struct loader_func *f = &prog->obj->funcs[prog->func];
	*cnt = f->cnt;
	return (const struct bpf_insn *)prog->obj->elf.secs[f->sec_idx].data + f->off;
}

const struct bpf_line_info *bpfrt_program_line_info(const struct bpfrt_program *prog, uint32_t *cnt)
{
	*cnt = prog->nlinfo;
	return prog->linfo;
}

struct bpfrt_object_map *bpfrt_object_next_map(const struct bpfrt_object *obj,
					       const struct bpfrt_object_map *prev)
{
	uint32_t i = 0;
	if (prev) {
		while (i < obj->nmaps && obj->maps[i] != prev)
			i++;
		i++;
	}
	return i < obj->nmaps ? obj->maps[i] : NULL;
}

struct bpfrt_object_map *bpfrt_object_find_map_by_name(const struct bpfrt_object *obj, const char *name)
{
	for (uint32_t i = 0; i < obj->nmaps; i++)
		if (!strcmp(obj->maps[i]->name, name))
			return obj->maps[i];
	/* libbpf also finds global data maps by their section name. */
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		const struct bpfrt_object_map *m = obj->maps[i];
		if (m->kind == MAP_KIND_DATA && !strcmp(obj->elf.secs[m->sec_idx].name, name))
			return obj->maps[i];
		if (m->kind == MAP_KIND_KCONFIG && !strcmp(name, ".kconfig"))
			return obj->maps[i];
	}
	errno = ENOENT;
	return NULL;
}

const char *bpfrt_object_map_name(const struct bpfrt_object_map *map)
{
	return map->name;
}

uint32_t bpfrt_object_map_type(const struct bpfrt_object_map *map)
{
	return map->def.type;
}

uint32_t bpfrt_object_map_key_size(const struct bpfrt_object_map *map)
{
	return map->def.key_size;
}

uint32_t bpfrt_object_map_value_size(const struct bpfrt_object_map *map)
{
	return map->def.value_size;
}

uint32_t bpfrt_object_map_max_entries(const struct bpfrt_object_map *map)
{
	return map->def.max_entries;
}

uint32_t bpfrt_object_map_btf_key_type_id(const struct bpfrt_object_map *map)
{
	return map->def.btf_key_type_id;
}

uint32_t bpfrt_object_map_btf_value_type_id(const struct bpfrt_object_map *map)
{
	return map->def.btf_value_type_id;
}

int bpfrt_object_map_fd(const struct bpfrt_object_map *map)
{
	return map->fd;
}

void *bpfrt_object_map_initial_value(struct bpfrt_object_map *map, size_t *size)
{
	if (map->kind != MAP_KIND_DATA && map->kind != MAP_KIND_KCONFIG)
		return NULL;
	if (size)
		*size = map->data_size;
	return map->data;
}

int bpfrt_object_map_set_initial_value(struct bpfrt_object_map *map, const void *data, size_t size)
{
	if (map->obj->loaded)
		return -(errno = EBUSY);
	if (map->kind != MAP_KIND_DATA || size != map->data_size)
		return -(errno = EINVAL);
	memcpy(map->data, data, size);
	return 0;
}

int bpfrt_object_map_set_max_entries(struct bpfrt_object_map *map, uint32_t n)
{
	if (map->obj->loaded)
		return -(errno = EBUSY);
	if (map->kind == MAP_KIND_DATA || map->kind == MAP_KIND_KCONFIG)
		return -(errno = EINVAL);
	map->def.max_entries = n;
	return 0;
}

static int pin_one(struct bpfrt_object *obj, int fd, const char *dir, const char *name)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return loader_err(obj, -ENAMETOOLONG, "pin path '%s/%s' too long", dir, name);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.bpf_fd = (uint32_t)fd;
	a.pathname = (uintptr_t)path;
	int err = sys(obj, BPF_OBJ_PIN, &a);
	if (err)
		return loader_err(obj, err, "can't pin '%s' at '%s': %s", name, path, strerror(-err));
	return 0;
}

int bpfrt_object_pin_maps(struct bpfrt_object *obj, const char *dir)
{
	if (!obj->loaded)
		return loader_err(obj, -ENXIO, "object '%s' is not loaded", obj->name);
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		int err = pin_one(obj, obj->maps[i]->fd, dir, obj->maps[i]->name);
		if (err)
			return err;
	}
	return 0;
}

int bpfrt_object_pin_programs(struct bpfrt_object *obj, const char *dir)
{
	if (!obj->loaded)
		return loader_err(obj, -ENXIO, "object '%s' is not loaded", obj->name);
	for (uint32_t i = 0; i < obj->nprogs; i++) {
		if (obj->progs[i]->fd < 0)
			continue;
		int err = pin_one(obj, obj->progs[i]->fd, dir, obj->progs[i]->name);
		if (err)
			return err;
	}
	return 0;
}
