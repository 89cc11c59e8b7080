/* pin.c — BPF_OBJ_PIN and BPF_OBJ_GET: objects at paths, across processes.
 *
 * A pinned map is a hard link to its storage file, so a process that opens
 * the path maps the very same bytes.  A pinned program is a small file
 * (header + instructions with map references as indexes) plus, beside it,
 * a hard link per map it uses (".NAME.mapN"); opening it loads the program
 * again with those maps.  Pins are created 0600; the pin must be on the
 * filesystem of the runtime's pin root (like bpffs, -EXDEV otherwise).
 */
#define _GNU_SOURCE
#include "core/prog.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define U64_PTR(x) ((void *)(uintptr_t)(x))
#define PROG_PIN_MAGIC 0x4752505452465042ull /* "BPFRTPRG" */

struct prog_pin_header {
	uint64_t magic;
	uint32_t version;
	uint32_t type;
	uint32_t expected_attach_type;
	uint32_t insn_cnt;
	uint32_t nr_maps;
	uint32_t gpl;
	char name[BPF_OBJ_NAME_LEN];
};

static int link_fd_at(int fd, const char *path)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	return errno == ENOENT && access(path, F_OK) != 0 ? -ENOENT : -errno;
}

/* ".NAME.mapN" beside path. */
static void map_link_path(const char *path, uint32_t i, char *out, size_t len)
{
	char a[PATH_MAX], b[PATH_MAX];
	snprintf(a, sizeof(a), "%s", path);
	snprintf(b, sizeof(b), "%s", path);
	snprintf(out, len, "%s/.%s.map%u", dirname(a), basename(b), i);
}

static int pin_map(struct bpfrt_map *map, const char *path)
{
	int err = link_fd_at(map->shm_fd, path);
	if (err == -EXDEV || err == -EPERM)
		return -EPERM; /* not on the pin root's filesystem (or memfd storage) */
	return err;
}

static int pin_prog(struct bpfrt_prog *p, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	struct prog_pin_header h = {.magic = PROG_PIN_MAGIC, .version = 1, .type = p->type,
				    .expected_attach_type = p->expected_attach_type, .insn_cnt = p->insn_cnt,
				    .nr_maps = p->nr_maps, .gpl = p->gpl};
	memcpy(h.name, p->name, sizeof(h.name));
	size_t bytes = (size_t)p->insn_cnt * sizeof(struct bpf_insn);
	int err = 0;
	if (write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) || write(fd, p->portable, bytes) != (ssize_t)bytes)
		err = -EIO;
	close(fd);
	for (uint32_t i = 0; !err && i < p->nr_maps; i++) {
		char mp[PATH_MAX];
		map_link_path(path, i, mp, sizeof(mp));
		unlink(mp); /* a stale link from an earlier pin at this path */
		err = link_fd_at(p->maps[i]->shm_fd, mp);
	}
	if (err)
		unlink(path);
	return err;
}

int bpfrt_cmd_obj_pin(struct bpfrt *rt, union bpf_attr *attr)
{
	if (attr->file_flags || !attr->pathname)
		return -EINVAL;
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, (int)attr->bpf_fd, BPFRT_OBJ_NONE, &err);
	if (!obj)
		return err;
	const char *path = U64_PTR(attr->pathname);
	if (obj->type == BPFRT_OBJ_MAP)
		err = pin_map(bpfrt_map_from_obj(obj), path);
	else if (obj->type == BPFRT_OBJ_PROG)
		err = pin_prog(bpfrt_prog_from_obj(obj), path);
	else
		err = -EPERM;
	bpfrt_obj_put(obj);
	return err;
}

static int get_map(struct bpfrt *rt, int file_fd)
{
	struct bpfrt_map *map;
	int err = bpfrt_map_open_fd(rt, file_fd, &map);
	if (err)
		return err;
	if (!map->obj.id) /* a map new to this runtime gets its id */
		err = bpfrt_obj_publish(&map->obj);
	int fd = err ? err : bpfrt_fd_install(rt, &map->obj);
	bpfrt_obj_put(&map->obj);
	return fd;
}

static int get_prog(struct bpfrt *rt, int file_fd, const char *path)
{
	struct prog_pin_header h;
	if (pread(file_fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || h.version != 1 ||
	    h.insn_cnt == 0 || h.insn_cnt > (1u << 20) || h.nr_maps > 64)
		return -EINVAL;
	size_t bytes = (size_t)h.insn_cnt * sizeof(struct bpf_insn);
	struct bpf_insn *insns = malloc(bytes);
	int fds[64], nfds = 0, err = 0;
	if (!insns)
		return -ENOMEM;
	if (pread(file_fd, insns, bytes, sizeof(h)) != (ssize_t)bytes)
		err = -EINVAL;
	for (uint32_t i = 0; !err && i < h.nr_maps; i++) {
		char mp[PATH_MAX];
		map_link_path(path, i, mp, sizeof(mp));
		int mfd = open(mp, O_RDWR | O_CLOEXEC);
		if (mfd < 0) {
			err = -errno;
			break;
		}
		int bfd = get_map(rt, mfd);
		close(mfd);
		if (bfd < 0)
			err = bfd;
		else
			fds[nfds++] = bfd;
	}
	int fd = err;
	if (!err) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.prog_type = h.type;
		a.expected_attach_type = h.expected_attach_type;
		a.insn_cnt = h.insn_cnt;
		a.insns = (uintptr_t)insns;
		a.license = (uintptr_t)(h.gpl ? "GPL" : "Proprietary");
		a.fd_array = (uintptr_t)fds;
		memcpy(a.prog_name, h.name, sizeof(a.prog_name));
		a.prog_name[sizeof(a.prog_name) - 1] = 0;
		fd = bpfrt_cmd_prog_load(rt, &a);
	}
	for (int i = 0; i < nfds; i++)
		bpfrt_fd_close(rt, fds[i]);
	free(insns);
	return fd;
}

int bpfrt_cmd_obj_get(struct bpfrt *rt, union bpf_attr *attr)
{
	if (attr->bpf_fd || !attr->pathname ||
	    (attr->file_flags & ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY)) ||
	    (attr->file_flags & BPF_F_RDONLY && attr->file_flags & BPF_F_WRONLY))
		return -EINVAL;
	const char *path = U64_PTR(attr->pathname);
	int file_fd = open(path, O_RDWR | O_CLOEXEC);
	if (file_fd < 0)
		return -errno;
	uint64_t magic = 0;
	int fd;
	if (pread(file_fd, &magic, sizeof(magic), 0) != (ssize_t)sizeof(magic))
		fd = -EINVAL;
	else if (magic == BPFRT_MAP_MAGIC)
		fd = get_map(rt, file_fd);
	else if (magic == PROG_PIN_MAGIC)
		fd = get_prog(rt, file_fd, path);
	else
		fd = -EINVAL;
	close(file_fd);
	return fd;
}
