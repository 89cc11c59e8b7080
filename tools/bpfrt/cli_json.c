/* cli_json.c — JSON output with bpftool's layout, so scripts written for
 * `bpftool -j`/`-p` parse bpfrt's output unchanged.  Compact mode has no
 * spaces; pretty mode puts each member name on a new line indented 4 spaces
 * per level, keeps array items on one line and puts the closing bracket of
 * a non-empty container on its own line.  One writer per output document.
 */
#include "tools/bpfrt/cli.h"

#include <inttypes.h>

void cli_json_init(struct cli_json *w, const struct cli *cli)
{
	w->f = stdout;
	w->pretty = cli->pretty;
	w->depth = 0;
	w->sep = 0;
}

void cli_json_end(struct cli_json *w)
{
	fputc('\n', w->f);
}

static void newline(struct cli_json *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("    ", w->f);
}

/* Before a value: the comma that separates it from the previous one. */
static void separate(struct cli_json *w)
{
	if (w->sep)
		fputc(w->sep, w->f);
	w->sep = ',';
}

static void open_with(struct cli_json *w, char c)
{
	separate(w);
	fputc(c, w->f);
	w->depth++;
	w->sep = 0;
}

static void close_with(struct cli_json *w, char c)
{
	w->depth--;
	if (w->sep)
		newline(w);
	fputc(c, w->f);
	w->sep = ',';
}

void cli_json_start_object(struct cli_json *w)
{
	open_with(w, '{');
}
void cli_json_end_object(struct cli_json *w)
{
	close_with(w, '}');
}
void cli_json_start_array(struct cli_json *w)
{
	open_with(w, '[');
}
void cli_json_end_array(struct cli_json *w)
{
	close_with(w, ']');
}

void cli_json_string_to(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void cli_json_name(struct cli_json *w, const char *name)
{
	separate(w);
	newline(w);
	w->sep = 0;
	cli_json_string_to(w->f, name);
	fputs(w->pretty ? ": " : ":", w->f);
}

void cli_json_value_begin(struct cli_json *w)
{
	separate(w);
}

void cli_json_uint(struct cli_json *w, uint64_t v)
{
	separate(w);
	fprintf(w->f, "%" PRIu64, v);
}

void cli_json_int(struct cli_json *w, int64_t v)
{
	separate(w);
	fprintf(w->f, "%" PRId64, v);
}

void cli_json_bool(struct cli_json *w, bool v)
{
	separate(w);
	fputs(v ? "true" : "false", w->f);
}

void cli_json_null(struct cli_json *w)
{
	separate(w);
	fputs("null", w->f);
}

void cli_json_string(struct cli_json *w, const char *s)
{
	separate(w);
	cli_json_string_to(w->f, s);
}

void cli_json_hex(struct cli_json *w, const uint8_t *data, size_t n)
{
	cli_json_start_array(w);
	for (size_t i = 0; i < n; i++) {
		separate(w);
		fprintf(w->f, "\"0x%02x\"", data[i]);
	}
	cli_json_end_array(w);
}
