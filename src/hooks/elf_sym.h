/* elf_sym.h — where a function lives in an executable or shared library
 * file, for uprobes: the file offset of a symbol (what the kernel's uprobes
 * and libbpf's attach_uprobe work with), independent of where the file is
 * mapped.  A process's address for it is then found in /proc/PID/maps.
 */
#ifndef BPFRT_HOOKS_ELF_SYM_H
#define BPFRT_HOOKS_ELF_SYM_H

#include <stddef.h>
#include <stdint.h>

/* File offset of function `func` in the ELF file at path: .symtab first,
 * then .dynsym; STT_FUNC and STT_GNU_IFUNC symbols with a definition; a
 * versioned dynamic name "func@VER"/"func@@VER" matches func.  When several
 * definitions differ, a GLOBAL one wins over WEAK over LOCAL, and two of the
 * same binding at different addresses are ambiguous (-ENOENT with a
 * message).  0 or a negative errno with a sentence in err naming the file
 * and the function. */
int bpfrt_elf_func_offset(const char *path, const char *func, uint64_t *off, char *err, size_t errlen);

/* The same, with the symbol's size in bytes (0 when the symbol has none)
 * in *size if size is not NULL. */
int bpfrt_elf_func_find(const char *path, const char *func, uint64_t *off, uint64_t *size, char *err, size_t errlen);

/* File offset of the ELF entry point (e_entry), -ENOEXEC when the file has
 * none in a loadable segment. */
int bpfrt_elf_entry_offset(const char *path, uint64_t *off, char *err, size_t errlen);

/* Translate a virtual address of the file (as in its symbols) to its file
 * offset through the PT_LOAD segment that holds it; -ENOENT when none. */
int bpfrt_elf_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *off, char *err, size_t errlen);

#endif
