/* elf_sym.c — symbol lookup in executables and shared libraries for uprobes
 * (elf_sym.h).  A symbol's value is a virtual address of the file; the
 * PT_LOAD segment holding it turns it into a file offset, which is what stays
 * the same wherever (and in however many processes) the file is mapped.
 * Files are read with libelf, read-only; nothing is cached.
 */
#define _GNU_SOURCE
#include "hooks/elf_sym.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

struct elf_file {
	int fd;
	Elf *elf;
};

static int elf_file_open(struct elf_file *f, const char *path, char *err, size_t errlen)
{
	f->elf = NULL;
	elf_version(EV_CURRENT);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return fail(err, errlen, -errno, "%s: can't open it: %s", path, strerror(errno));
	f->elf = elf_begin(f->fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF || !gelf_getehdr(f->elf, &eh)) {
		if (f->elf)
			elf_end(f->elf);
		close(f->fd);
		return fail(err, errlen, -ENOEXEC, "%s: not an ELF file", path);
	}
	return 0;
}

static void elf_file_close(struct elf_file *f)
{
	elf_end(f->elf);
	close(f->fd);
}

static int vaddr_to_off(Elf *elf, uint64_t vaddr, uint64_t *off)
{
	size_t n;
	if (elf_getphdrnum(elf, &n))
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_memsz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

int bpfrt_elf_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *off, char *err, size_t errlen)
{
	struct elf_file f;
	int r = elf_file_open(&f, path, err, errlen);
	if (r)
		return r;
	r = vaddr_to_off(f.elf, vaddr, off);
	elf_file_close(&f);
	if (r)
		return fail(err, errlen, r, "%s: address 0x%llx is in no executable segment", path,
			    (unsigned long long)vaddr);
	return 0;
}

int bpfrt_elf_entry_offset(const char *path, uint64_t *off, char *err, size_t errlen)
{
	struct elf_file f;
	int r = elf_file_open(&f, path, err, errlen);
	if (r)
		return r;
	GElf_Ehdr eh;
	gelf_getehdr(f.elf, &eh);
	r = eh.e_entry ? vaddr_to_off(f.elf, eh.e_entry, off) : -ENOEXEC;
	elf_file_close(&f);
	if (r)
		return fail(err, errlen, -ENOEXEC, "%s: no entry point in an executable segment", path);
	return 0;
}

/* "name", "name@VER" and "name@@VER" all name `func`. */
static bool name_matches(const char *name, const char *func)
{
	size_t n = strlen(func);
	return !strncmp(name, func, n) && (name[n] == 0 || name[n] == '@');
}

static int binding_rank(int bind)
{
	switch (bind) {
	case STB_GLOBAL:
		return 3;
	case STB_GNU_UNIQUE:
		return 3;
	case STB_WEAK:
		return 2;
	default:
		return 1;
	}
}

struct sym_match {
	uint64_t vaddr, size;
	int rank;      /* 0: none found */
	bool ambiguous; /* two of this rank at different addresses */
	uint64_t other;
};

static void scan_symtab(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *func, struct sym_match *m)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || !sh->sh_entsize)
		return;
	size_t cnt = sh->sh_size / sh->sh_entsize;
	for (size_t i = 1; i < cnt; i++) {
		GElf_Sym s;
		if (!gelf_getsym(d, (int)i, &s))
			break;
		int type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		const char *name = elf_strptr(elf, sh->sh_link, s.st_name);
		if (!name || !name_matches(name, func))
			continue;
		int rank = binding_rank(GELF_ST_BIND(s.st_info));
		if (rank > m->rank) {
			m->rank = rank;
			m->vaddr = s.st_value;
			m->size = s.st_size;
			m->ambiguous = false;
		} else if (rank == m->rank && s.st_value != m->vaddr) {
			m->ambiguous = true;
			m->other = s.st_value;
		}
	}
}

int bpfrt_elf_func_offset(const char *path, const char *func, uint64_t *off, char *err, size_t errlen)
{
	return bpfrt_elf_func_find(path, func, off, NULL, err, errlen);
}

int bpfrt_elf_func_find(const char *path, const char *func, uint64_t *off, uint64_t *size, char *err, size_t errlen)
{
	if (!func || !*func)
		return fail(err, errlen, -EINVAL, "%s: no function name given", path);
	struct elf_file f;
	int r = elf_file_open(&f, path, err, errlen);
	if (r)
		return r;
	struct sym_match m = {0};
	/* .symtab (complete, when not stripped) first; .dynsym only if it has
	 * nothing, as libbpf does. */
	static const uint32_t kinds[] = {SHT_SYMTAB, SHT_DYNSYM};
	for (size_t k = 0; k < 2 && !m.rank; k++) {
		for (Elf_Scn *scn = elf_nextscn(f.elf, NULL); scn; scn = elf_nextscn(f.elf, scn)) {
			GElf_Shdr sh;
			if (gelf_getshdr(scn, &sh) && sh.sh_type == kinds[k])
				scan_symtab(f.elf, scn, &sh, func, &m);
		}
	}
	if (!m.rank) {
		elf_file_close(&f);
		return fail(err, errlen, -ENOENT, "%s: no function '%s' in its symbol tables", path, func);
	}
	if (m.ambiguous) {
		elf_file_close(&f);
		return fail(err, errlen, -ENOENT, "%s: function '%s' is ambiguous (defined at 0x%llx and 0x%llx)", path,
			    func, (unsigned long long)m.vaddr, (unsigned long long)m.other);
	}
	r = vaddr_to_off(f.elf, m.vaddr, off);
	elf_file_close(&f);
	if (size)
		*size = m.size;
	if (r)
		return fail(err, errlen, r, "%s: function '%s' at 0x%llx is in no executable segment", path, func,
			    (unsigned long long)m.vaddr);
	return 0;
}
