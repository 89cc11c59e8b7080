/* usdt.c — USDT probe sites from .note.stapsdt and their argument specs in
 * libbpf's layout (usdt.h).  A note's descriptor is the site's address, the
 * link-time address of .stapsdt.base (the site moves by the difference
 * when a prelinker moved the file), the semaphore's address (0: none), then
 * "provider\0name\0args\0".  Addresses become file offsets through the
 * PT_LOAD segment holding them.
 */
#define _GNU_SOURCE
#include "hooks/usdt.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(sizeof(struct bpfrt_usdt_arg_spec) == 16, "libbpf's __bpf_usdt_arg_spec");
_Static_assert(sizeof(struct bpfrt_usdt_spec) == 208, "libbpf's __bpf_usdt_spec");

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

int bpfrt_usdt_parse_sec(const char *sec, char *path, size_t pathlen, char *provider, size_t provlen, char *name,
			 size_t namelen, char *err, size_t errlen)
{
	const char *rest;
	if (!strncmp(sec, "usdt.s", 6) && (sec[6] == 0 || sec[6] == '/'))
		rest = sec + 6;
	else if (!strncmp(sec, "usdt", 4) && (sec[4] == 0 || sec[4] == '/'))
		rest = sec + 4;
	else
		return fail(err, errlen, -ENOENT, "section '%s' is not a usdt section", sec);
	if (!*rest)
		return 1;
	rest++;
	/* PATH may hold ':' itself: NAME and PROVIDER are the last two parts */
	const char *c2 = strrchr(rest, ':');
	const char *c1 = NULL;
	for (const char *p = rest; p < c2; p++)
		if (*p == ':')
			c1 = p;
	if (!c1 || !c2 || c1 == rest || c2 == c1 + 1 || !c2[1])
		return fail(err, errlen, -EINVAL, "section '%s': expected usdt/PATH:PROVIDER:NAME", sec);
	size_t pl = (size_t)(c1 - rest), vl = (size_t)(c2 - c1 - 1), nl = strlen(c2 + 1);
	if (pl >= pathlen || vl >= provlen || nl >= namelen)
		return fail(err, errlen, -EINVAL, "section '%s': a part is too long", sec);
	memcpy(path, rest, pl);
	path[pl] = 0;
	memcpy(provider, c1 + 1, vl);
	provider[vl] = 0;
	memcpy(name, c2 + 1, nl + 1);
	return 0;
}

static int vaddr_off(Elf *elf, uint64_t vaddr, uint64_t *off)
{
	size_t n;
	if (elf_getphdrnum(elf, &n))
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr < ph.p_vaddr + ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

int bpfrt_usdt_sites(const char *path, const char *provider, const char *name, struct bpfrt_usdt_site *sites,
		     int max, char *err, size_t errlen)
{
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, -errno, "%s: can't open it: %s", path, strerror(errno));
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	if (!elf || elf_kind(elf) != ELF_K_ELF || gelf_getclass(elf) != ELFCLASS64 || elf_getshdrstrndx(elf, &shstrndx)) {
		if (elf)
			elf_end(elf);
		close(fd);
		return fail(err, errlen, -ENOEXEC, "%s: not a 64-bit ELF file", path);
	}
	uint64_t base_addr = 0;
	Elf_Scn *notes = NULL;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		const char *sn = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
		if (sn && !strcmp(sn, ".stapsdt.base"))
			base_addr = sh.sh_addr;
		else if (sn && !strcmp(sn, ".note.stapsdt") && sh.sh_type == SHT_NOTE)
			notes = scn;
	}
	int count = 0, r = 0;
	Elf_Data *d = notes ? elf_getdata(notes, NULL) : NULL;
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	while (d && !r && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const char *nname = (const char *)d->d_buf + name_off;
		const uint8_t *desc = (const uint8_t *)d->d_buf + desc_off;
		if (nh.n_type != 3 || nh.n_namesz != 8 || memcmp(nname, "stapsdt", 8) || nh.n_descsz < 24 + 3)
			continue;
		uint64_t pc, base, sema;
		memcpy(&pc, desc, 8);
		memcpy(&base, desc + 8, 8);
		memcpy(&sema, desc + 16, 8);
		const char *prov = (const char *)desc + 24, *end = (const char *)desc + nh.n_descsz;
		const char *nm = memchr(prov, 0, (size_t)(end - prov));
		const char *args = nm ? memchr(nm + 1, 0, (size_t)(end - nm - 1)) : NULL;
		if (!nm || !args || !memchr(args + 1, 0, (size_t)(end - args - 1))) {
			r = fail(err, errlen, -EINVAL, "%s: a malformed .note.stapsdt note", path);
			break;
		}
		nm++, args++;
		if (strcmp(prov, provider) || strcmp(nm, name))
			continue;
		if (base && base_addr)
			pc += base_addr - base;
		if (count == max) {
			r = fail(err, errlen, -E2BIG, "%s: more than %d sites of %s:%s", path, max, provider, name);
			break;
		}
		struct bpfrt_usdt_site *s = &sites[count];
		memset(s, 0, sizeof(*s));
		if (vaddr_off(elf, pc, &s->pc_off) || (sema && vaddr_off(elf, sema, &s->sema_off))) {
			r = fail(err, errlen, -EINVAL, "%s: USDT %s:%s at 0x%llx is in no loadable segment", path, provider,
				 name, (unsigned long long)pc);
			break;
		}
		s->pc_vaddr = pc;
		s->sema_vaddr = sema;
		snprintf(s->args, sizeof(s->args), "%s", args);
		count++;
	}
	elf_end(elf);
	close(fd);
	if (r)
		return r;
	return count;
}

/* struct pt_regs offset of a register by any of its names. */
static int reg_off(const char *reg)
{
	static const struct {
		const char *names[4];
		int slot;
	} regs[] = {
		{{"rax", "eax", "ax", "al"}, 10},   {{"rbx", "ebx", "bx", "bl"}, 5},   {{"rcx", "ecx", "cx", "cl"}, 11},
		{{"rdx", "edx", "dx", "dl"}, 12},   {{"rsi", "esi", "si", "sil"}, 13}, {{"rdi", "edi", "di", "dil"}, 14},
		{{"rbp", "ebp", "bp", "bpl"}, 4},   {{"rsp", "esp", "sp", "spl"}, 19}, {{"r8", "r8d", "r8w", "r8b"}, 9},
		{{"r9", "r9d", "r9w", "r9b"}, 8},   {{"r10", "r10d", "r10w", "r10b"}, 7}, {{"r11", "r11d", "r11w", "r11b"}, 6},
		{{"r12", "r12d", "r12w", "r12b"}, 3}, {{"r13", "r13d", "r13w", "r13b"}, 2}, {{"r14", "r14d", "r14w", "r14b"}, 1},
		{{"r15", "r15d", "r15w", "r15b"}, 0}, {{"rip", "eip", "ip", "ip"}, 16},
	};
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (int k = 0; k < 4; k++)
			if (!strcmp(reg, regs[i].names[k]))
				return regs[i].slot * 8;
	return -1;
}

static int parse_one(const char *a, struct bpfrt_usdt_arg_spec *s, char *err, size_t errlen)
{
	char *end;
	long size = strtol(a, &end, 10);
	if (*end != '@' || !(size == 1 || size == 2 || size == 4 || size == 8 || size == -1 || size == -2 ||
			     size == -4 || size == -8))
		return fail(err, errlen, -EINVAL, "USDT argument '%s': expected SIZE@LOCATION with SIZE +-1/2/4/8", a);
	const char *loc = end + 1;
	s->arg_signed = size < 0;
	s->arg_bitshift = (int8_t)(64 - (size < 0 ? -size : size) * 8);
	char reg[16];
	long long v;
	int n = 0;
	if (sscanf(loc, "$%lld%n", &v, &n) == 1 && !loc[n]) {
		s->arg_type = BPFRT_USDT_ARG_CONST;
		s->val_off = (uint64_t)v;
		return 0;
	}
	if (sscanf(loc, "%%%15[a-z0-9]%n", reg, &n) == 1 && !loc[n]) {
		s->arg_type = BPFRT_USDT_ARG_REG;
	} else if (sscanf(loc, "%lld(%%%15[a-z0-9])%n", &v, reg, &n) == 2 && !loc[n]) {
		s->arg_type = BPFRT_USDT_ARG_REG_DEREF;
		s->val_off = (uint64_t)v;
	} else if (sscanf(loc, "(%%%15[a-z0-9])%n", reg, &n) == 1 && !loc[n]) {
		s->arg_type = BPFRT_USDT_ARG_REG_DEREF;
		s->val_off = 0;
	} else {
		return fail(err, errlen, -EINVAL, "USDT argument '%s': location '%s' is not $CONST, %%REG, OFF(%%REG)", a,
			    loc);
	}
	int off = reg_off(reg);
	if (off < 0)
		return fail(err, errlen, -EINVAL, "USDT argument '%s': unknown register '%s'", a, reg);
	s->reg_off = (int16_t)off;
	return 0;
}

int bpfrt_usdt_parse_args(const char *args, struct bpfrt_usdt_spec *spec, char *err, size_t errlen)
{
	memset(spec, 0, sizeof(*spec));
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", args);
	char *save = NULL;
	for (char *a = strtok_r(buf, " ", &save); a; a = strtok_r(NULL, " ", &save)) {
		if (spec->arg_cnt == BPFRT_USDT_MAX_ARGS)
			return fail(err, errlen, -E2BIG, "USDT arguments '%s': more than %d", args, BPFRT_USDT_MAX_ARGS);
		int r = parse_one(a, &spec->args[spec->arg_cnt], err, errlen);
		if (r)
			return r;
		spec->arg_cnt++;
	}
	return 0;
}
