/* cmd_btf.c — `bpfrt btf dump`: BTF as bpftool prints it, from an object
 * file, a map's BTF, or a BTF id of this process (ids as the pin-root scan
 * assigns them, see docs/cli.md).
 *
 *   btf dump { file OBJ | map MAP | id ID } [format { raw | c }]
 */
#include "tools/bpfrt/cli.h"

#include "bpfrt/btf.h"
#include "bpfrt/object.h"

#include <stdlib.h>
#include <string.h>

static int dump(const struct cli *cli, const struct bpfrt_btf *btf, bool c_format)
{
	if (!btf)
		return cli_error(cli, "no BTF found");
	int err = c_format ? bpfrt_btf_dump_c(btf, stdout) : bpfrt_btf_dump_raw(btf, stdout);
	return err ? cli_error(cli, "dumping BTF failed: %s", cli_strerror(err)) : 0;
}

/* The BTF of a map: bpf_map_info.btf_id -> the BTF object. */
static struct bpfrt_btf *map_btf(const struct cli *cli, struct bpfrt *rt, int *i, int argc, char **argv,
				 struct cli_objs *objs, int *rc)
{
	struct cli_obj **found = NULL;
	size_t n = 0;
	*rc = cli_objs_parse(objs, CLI_MAP, i, argc, argv, false, &found, &n);
	if (*rc)
		return NULL;
	int fd = cli_obj_fd(objs, found[0]);
	free(found);
	if (fd < 0) {
		*rc = cli_error(cli, "can't open the map: %s", cli_strerror(fd));
		return NULL;
	}
	struct bpf_map_info info;
	union bpf_attr a;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd, a.info.info = (uintptr_t)&info, a.info.info_len = sizeof(info);
	if (cli_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a) || !info.btf_id) {
		*rc = cli_error(cli, "the map has no BTF");
		return NULL;
	}
	return cli_btf_by_id(rt, info.btf_id);
}

int cmd_btf(struct cli *cli, int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "dump"))
		return argc < 1 ? cli_error(cli, "expected a command: dump")
				: cli_error(cli, "command '%s' is unknown, have you spelled it right?", argv[0]);
	if (argc < 3)
		return cli_error(cli, "expected 'file OBJ', 'map MAP' or 'id ID'");
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	int i = 1, rc = 0;
	bool c_format = false;
	struct bpfrt_btf *owned = NULL;
	const struct bpfrt_btf *btf = NULL;
	struct bpfrt_object *obj = NULL;
	struct cli_objs objs;
	cli_objs_init(&objs, cli, rt);
	const char *src = argv[i];
	if (!strcmp(src, "file")) {
		if (++i >= argc) {
			rc = cli_error(cli, "'file' needs an object file");
			goto out;
		}
		struct bpfrt_diag diag = {0};
		obj = bpfrt_object_open_file(rt, argv[i++], NULL, &diag);
		if (!obj) {
			rc = cli_error(cli, "can't open '%s': %s", argv[i - 1], diag.msg);
			goto out;
		}
		btf = bpfrt_object_btf(obj);
	} else if (!strcmp(src, "map")) {
		i++;
		btf = owned = map_btf(cli, rt, &i, argc, argv, &objs, &rc);
		if (rc)
			goto out;
	} else if (!strcmp(src, "id")) {
		uint64_t id;
		if (++i >= argc || cli_parse_u64(argv[i], &id) || id > UINT32_MAX) {
			rc = cli_error(cli, "'id' needs a number, got '%s'", i < argc ? argv[i] : "");
			goto out;
		}
		i++;
		cli_objs_scan(&objs); /* ids are those of the pin-root scan */
		btf = owned = cli_btf_by_id(rt, (uint32_t)id);
	} else {
		rc = cli_error(cli, "expected 'file', 'map' or 'id', got: '%s'", src);
		goto out;
	}
	if (i < argc) {
		if (strcmp(argv[i], "format") || i + 1 >= argc ||
		    (strcmp(argv[i + 1], "raw") && strcmp(argv[i + 1], "c"))) {
			rc = cli_error(cli, "unexpected '%s': expected 'format raw' or 'format c'", argv[i]);
			goto out;
		}
		c_format = !strcmp(argv[i + 1], "c");
		if (i + 2 < argc) {
			rc = cli_error(cli, "unexpected argument '%s'", argv[i + 2]);
			goto out;
		}
	}
	rc = dump(cli, btf, c_format);
out:
	bpfrt_btf_free(owned);
	if (obj)
		bpfrt_object_close(obj);
	cli_objs_free(&objs);
	bpfrt_free(rt);
	return rc;
}
