/* cli_util.c — error printing, number and DATA parsing, file reading, hex
 * printing and the one place the CLI creates its runtime (cli_runtime). */
#include "tools/bpfrt/cli.h"

#include "bpfrt/btf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_error(const struct cli *cli, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli && cli->json) {
		struct cli_json w;
		cli_json_init(&w, cli);
		cli_json_start_object(&w);
		cli_json_name(&w, "error");
		cli_json_string(&w, msg);
		cli_json_end_object(&w);
		cli_json_end(&w);
	} else {
		fprintf(stderr, "Error: %s\n", msg);
	}
	return 255;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int cli_read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		uint8_t *nb = realloc(buf, cap * 2 + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (!buf)
		return -ENOMEM;
	if (err) {
		free(buf);
		return err;
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}

static int looks_textual(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] == 0 || (d[i] < 0x20 && d[i] != '\n' && d[i] != '\r' && d[i] != '\t'))
			return 0;
	return 1;
}

int cli_load_insns(const struct cli *cli, const char *path, struct bpf_insn **insns, uint32_t *cnt)
{
	uint8_t *data;
	size_t len;
	int err = cli_read_file(path, &data, &len);
	if (err) {
		cli_error(cli, "can't read '%s': %s", path, strerror(-err));
		return err;
	}
	if (len >= 4 && !memcmp(data, "\177ELF", 4)) {
		free(data);
		cli_error(cli, "'%s' is an ELF object: load it with the object loader (prog load / prog run file)", path);
		return -ENOTSUP;
	}
	if (looks_textual(data, len)) {
		struct bpfrt_diag diag = {0};
		err = bpfrt_asm((const char *)data, BPFRT_SYNTAX_AUTO, insns, cnt, &diag);
		free(data);
		if (err)
			cli_error(cli, "%s:%d: %s", path, diag.line, diag.msg);
		return err;
	}
	if (len == 0 || len % sizeof(struct bpf_insn)) {
		free(data);
		cli_error(cli, "'%s': raw program size %zu is not a multiple of 8", path, len);
		return -EINVAL;
	}
	*insns = (struct bpf_insn *)data;
	*cnt = (uint32_t)(len / sizeof(struct bpf_insn));
	return 0;
}

const char *cli_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err == 524)
		return "Operation not supported (ENOTSUPP)";
	return strerror(err);
}

struct bpfrt *cli_runtime(const struct cli *cli)
{
	struct bpfrt_opts o = {.sz = sizeof(o), .pin_root = cli->pin_root, .engine = (uint32_t)cli->engine};
	struct bpfrt *rt = bpfrt_new(&o);
	if (!rt && errno == EINVAL && !cli->engine)
		cli_error(cli, "can't create the runtime: $BPFRT_ENGINE must be jit, interp or checked");
	else if (!rt)
		cli_error(cli, "can't create the runtime: %s", strerror(errno));
	return rt;
}

int cli_bpf(struct bpfrt *rt, int cmd, union bpf_attr *attr)
{
	return bpfrt_bpf(rt, cmd, attr, sizeof(*attr));
}

uint32_t cli_possible_cpus(void)
{
	/* "0-3,5,7-8": every listed CPU counts (libbpf's rule, the runtime's). */
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

void cli_print_hex(FILE *f, const uint8_t *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : i % 16 == 0 ? "\n" : i % 8 == 0 ? "  " : " ";
		fprintf(f, "%s%02x", sep, data[i]);
	}
}

static bool all_hex(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

int cli_parse_data(const struct cli *cli, const char *what, int *i, int argc, char **argv,
		   uint8_t *out, uint32_t n)
{
	bool hex = *i < argc && !strcmp(argv[*i], "hex");
	if (hex)
		++*i;
	uint32_t got = 0;
	for (; *i < argc; ++*i) {
		const char *tok = argv[*i];
		unsigned long v;
		char *end;
		/* A byte starts with a digit (or is all hex digits after "hex");
		 * anything else ends DATA and is the next keyword. */
		if (hex ? !all_hex(tok) : !isdigit((unsigned char)tok[0]))
			break;
		errno = 0;
		v = strtoul(tok, &end, hex ? 16 : 0);
		if (errno || *end || v > 0xff)
			return cli_error(cli, "can't parse '%s' as byte", tok);
		if (got < n)
			out[got] = (uint8_t)v;
		got++;
	}
	if (got != n)
		return cli_error(cli, "%s expected %u bytes got %u", what, n, got);
	return 0;
}

struct bpfrt_btf *cli_btf_by_id(struct bpfrt *rt, uint32_t id)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf_id = id;
	int fd = cli_bpf(rt, BPF_BTF_GET_FD_BY_ID, &a);
	if (fd < 0)
		return NULL;
	struct bpfrt_btf *btf = NULL;
	struct bpf_btf_info bi;
	memset(&bi, 0, sizeof(bi));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd, a.info.info = (uintptr_t)&bi, a.info.info_len = sizeof(bi);
	void *raw = NULL;
	if (!cli_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a) && (raw = malloc(bi.btf_size ? bi.btf_size : 1))) {
		uint32_t size = bi.btf_size;
		memset(&bi, 0, sizeof(bi));
		bi.btf = (uintptr_t)raw, bi.btf_size = size;
		a.info.info_len = sizeof(bi);
		if (!cli_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a))
			btf = bpfrt_btf_new(raw, size, NULL);
	}
	free(raw);
	bpfrt_close(rt, fd);
	return btf;
}
