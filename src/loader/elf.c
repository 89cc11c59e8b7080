/* elf.c — reading an eBPF ELF object with libelf: the section table, the
 * symbol table and their strings, every offset and index checked once here
 * against the image so the rest of the loader can trust them.
 *
 * Only 64-bit little-endian (host order) relocatable objects for EM_BPF are
 * accepted, which is what `clang -target bpf` produces on x86-64 and arm64.
 * Errors name the section (by index and name when it has one).
 */
#include "loader/loader.h"

#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif

static int fail(struct bpfrt_diag *diag, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct bpfrt_diag *diag, int err, const char *fmt, ...)
{
	if (diag) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
		diag->insn = -1;
	}
	return err;
}

/* Is [off, off+len) inside a buffer of size bytes? */
static bool in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* A NUL-terminated string at off of a string section, or NULL. */
static const char *sec_str(const struct loader_elf *e, uint32_t strsec, uint64_t off)
{
	if (!strsec || strsec >= e->nsecs)
		return NULL;
	const struct loader_sec *s = &e->secs[strsec];
	if (!s->data || off >= s->size || !memchr(s->data + off, 0, s->size - off))
		return NULL;
	return (const char *)s->data + off;
}

int loader_elf_open(struct loader_elf *e, const void *buf, size_t size, struct bpfrt_diag *diag)
{
	memset(e, 0, sizeof(*e));
	if (size < sizeof(Elf64_Ehdr) || memcmp(buf, ELFMAG, SELFMAG))
		return fail(diag, -EINVAL, "not an ELF file (%zu bytes, no ELF header)", size);
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(diag, -EINVAL, "libelf: %s", elf_errmsg(-1));
	e->image = malloc(size);
	if (!e->image)
		return -ENOMEM;
	memcpy(e->image, buf, size);
	e->size = size;

	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)e->image;
	int err;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
		err = fail(diag, -EINVAL, "ELF class %u: only 64-bit objects are eBPF objects",
			   eh->e_ident[EI_CLASS]);
		goto out;
	}
	if (eh->e_ident[EI_DATA] != (__BYTE_ORDER == __LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB)) {
		err = fail(diag, -ENOTSUP, "ELF object byte order differs from the host's");
		goto out;
	}
	if (eh->e_type != ET_REL || (eh->e_machine != EM_BPF && eh->e_machine != EM_NONE)) {
		err = fail(diag, -EINVAL, "not an eBPF relocatable object (e_type %u, e_machine %u)",
			   eh->e_type, eh->e_machine);
		goto out;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum == 0 ||
	    !in_bounds(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), size)) {
		err = fail(diag, -EINVAL, "section header table (offset %llu, %u entries) is outside the file (%zu bytes)",
			   (unsigned long long)eh->e_shoff, eh->e_shnum, size);
		goto out;
	}
	e->elf = elf_memory((char *)e->image, size);
	if (!e->elf) {
		err = fail(diag, -EINVAL, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	size_t nsecs, shstrndx;
	if (elf_getshdrnum(e->elf, &nsecs) || elf_getshdrstrndx(e->elf, &shstrndx) ||
	    nsecs > 0xffff || shstrndx >= nsecs) {
		err = fail(diag, -EINVAL, "bad section count or section name table index");
		goto out;
	}
	e->nsecs = (uint32_t)nsecs;
	e->secs = calloc(nsecs, sizeof(*e->secs));
	if (!e->secs) {
		err = -ENOMEM;
		goto out;
	}
	/* First pass: headers and data bounds. */
	for (uint32_t i = 1; i < e->nsecs; i++) {
		Elf_Scn *scn = elf_getscn(e->elf, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh)) {
			err = fail(diag, -EINVAL, "section %u: can't read its header: %s", i, elf_errmsg(-1));
			goto out;
		}
		struct loader_sec *s = &e->secs[i];
		s->idx = i;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->size = sh.sh_size;
		s->link = sh.sh_link;
		s->info = sh.sh_info;
		s->entsize = sh.sh_entsize;
		s->name = (const char *)(uintptr_t)sh.sh_name; /* resolved below */
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL) {
			if (!in_bounds(sh.sh_offset, sh.sh_size, size)) {
				err = fail(diag, -EINVAL,
					   "section %u: data at offset %llu size %llu is outside the file (%zu bytes)",
					   i, (unsigned long long)sh.sh_offset, (unsigned long long)sh.sh_size, size);
				goto out;
			}
			/* Code is read as struct bpf_insn in place (and handed out by
			 * bpfrt_program_insns), so it must be aligned like one; the
			 * image is malloc'ed, so the file offset decides. */
			if ((sh.sh_flags & SHF_EXECINSTR) && sh.sh_offset % _Alignof(struct bpf_insn)) {
				err = fail(diag, -EINVAL, "section %u: code at offset %llu is not %zu-byte aligned", i,
					   (unsigned long long)sh.sh_offset, _Alignof(struct bpf_insn));
				goto out;
			}
			s->data = e->image + sh.sh_offset;
		}
	}
	for (uint32_t i = 1; i < e->nsecs; i++) {
		uint64_t off = (uintptr_t)e->secs[i].name;
		const char *name = sec_str(e, (uint32_t)shstrndx, off);
		if (!name) {
			err = fail(diag, -EINVAL, "section %u: name offset %llu is outside the section name table", i,
				   (unsigned long long)off);
			goto out;
		}
		e->secs[i].name = name;
	}
	e->secs[0].name = "";
	/* The symbol table: exactly one, with whole entries and a string table. */
	for (uint32_t i = 1; i < e->nsecs; i++) {
		const struct loader_sec *s = &e->secs[i];
		if (s->type != SHT_SYMTAB)
			continue;
		if (e->syms) {
			err = fail(diag, -EINVAL, "section %u '%s': a second symbol table", i, s->name);
			goto out;
		}
		if (s->size % sizeof(Elf64_Sym) || ((uintptr_t)s->data % _Alignof(Elf64_Sym))) {
			err = fail(diag, -EINVAL, "section %u '%s': size %llu is not a whole number of symbols", i,
				   s->name, (unsigned long long)s->size);
			goto out;
		}
		if (!s->link || s->link >= e->nsecs || e->secs[s->link].type != SHT_STRTAB) {
			err = fail(diag, -EINVAL, "section %u '%s': its string table (section %u) is missing", i,
				   s->name, s->link);
			goto out;
		}
		e->syms = (const Elf64_Sym *)s->data;
		e->nsyms = (uint32_t)(s->size / sizeof(Elf64_Sym));
		e->symtab_idx = i;
		e->strtab_idx = s->link;
	}
	for (uint32_t i = 0; i < e->nsyms; i++) {
		const Elf64_Sym *sym = &e->syms[i];
		if (!sec_str(e, e->strtab_idx, sym->st_name)) {
			err = fail(diag, -EINVAL, "symbol %u: name offset %u is outside the string table", i,
				   sym->st_name);
			goto out;
		}
		if (sym->st_shndx >= e->nsecs && sym->st_shndx < SHN_LORESERVE) {
			err = fail(diag, -EINVAL, "symbol %u '%s': section index %u does not exist (%u sections)", i,
				   loader_elf_sym_name(e, i), sym->st_shndx, e->nsecs);
			goto out;
		}
	}
	/* Relocation sections: whole entries, a known target, our symbol table. */
	for (uint32_t i = 1; i < e->nsecs; i++) {
		const struct loader_sec *s = &e->secs[i];
		if (s->type == SHT_RELA) {
			err = fail(diag, -EINVAL, "section %u '%s': RELA relocations are not used by eBPF objects", i,
				   s->name);
			goto out;
		}
		if (s->type != SHT_REL)
			continue;
		if (s->size % sizeof(Elf64_Rel) || ((uintptr_t)s->data % _Alignof(Elf64_Rel))) {
			err = fail(diag, -EINVAL, "section %u '%s': size %llu is not a whole number of relocations",
				   i, s->name, (unsigned long long)s->size);
			goto out;
		}
		if (s->info == 0 || s->info >= e->nsecs) {
			err = fail(diag, -EINVAL, "section %u '%s': target section %u does not exist", i, s->name,
				   s->info);
			goto out;
		}
		if (s->size && s->link != e->symtab_idx) {
			err = fail(diag, -EINVAL, "section %u '%s': symbol table section %u is not the symbol table",
				   i, s->name, s->link);
			goto out;
		}
	}
	return 0;
out:
	loader_elf_close(e);
	return err;
}

void loader_elf_close(struct loader_elf *e)
{
	if (e->elf)
		elf_end(e->elf);
	free(e->secs);
	free(e->image);
	memset(e, 0, sizeof(*e));
}

const char *loader_elf_sym_name(const struct loader_elf *e, uint32_t i)
{
	const char *s = sec_str(e, e->strtab_idx, e->syms[i].st_name);
	return s ? s : "";
}

const struct loader_sec *loader_elf_sec_by_name(const struct loader_elf *e, const char *name)
{
	for (uint32_t i = 1; i < e->nsecs; i++)
		if (!strcmp(e->secs[i].name, name))
			return &e->secs[i];
	return NULL;
}
