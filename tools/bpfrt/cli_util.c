/* cli_util.c — error printing, number parsing and file reading for the CLI. */
#include "tools/bpfrt/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

int cli_error(const struct cli *cli, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli && cli->json) {
		fputs("{\"error\":", stdout);
		json_string(stdout, msg);
		fputs("}\n", stdout);
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
		cli_error(cli, "'%s' is an ELF object; ELF loading is not implemented yet", path);
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
