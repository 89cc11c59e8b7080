/* format.c — the kernel's restricted printf for BPF programs, in two passes
 * like the kernel: prepare() accepts exactly the formats the kernel's
 * bpf_bprintf_prepare() accepts and captures the arguments (strings and IP
 * addresses are read fault-safely into a 512-byte area, with the kernel's
 * truncation and -ENOSPC), render() then prints them as bstr_printf() does.
 * Users: trace.c (trace_printk, trace_vprintk) and strings.c (snprintf).
 */
#include "helpers/helpers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ASCII classes as the kernel's ctype (no locale). */
static bool k_isdigit(int c) { return c >= '0' && c <= '9'; }
static bool k_isalnum(int c) { return k_isdigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool k_isprint(int c) { return c >= 0x20 && c < 0x7f; }
/* The kernel's ctype is Latin-1: 0xa0 is a space; 0xa1-0xbf, 0xd7 and 0xf7
 * are punctuation.  That matters for the character after %s and %p. */
static bool k_isspace(int c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0; }
static bool k_ispunct(int c)
{
	if (c > 0x7f)
		return (c >= 0xa1 && c <= 0xbf) || c == 0xd7 || c == 0xf7;
	return k_isprint(c) && !k_isalnum(c) && c != ' ';
}

/* A captured argument: a number, or text in the argument area. */
struct barg {
	uint64_t v;
	const char *text;
};

struct bin_area {
	char buf[BPFRT_BPRINTF_BIN_ARGS + 1];
	size_t used; /* as the kernel's tmp_buf - bin_args, alignment included */
};

static void format_ip(char *dst, size_t n, const uint8_t *ip, char kind, char ver)
{
	if (ver == '4') {
		snprintf(dst, n, kind == 'I' ? "%u.%u.%u.%u" : "%03u.%03u.%03u.%03u", ip[0], ip[1], ip[2], ip[3]);
		return;
	}
	size_t o = 0;
	dst[0] = 0;
	for (int k = 0; k < 16 && o < n; k += 2) {
		int w = snprintf(dst + o, n - o, kind == 'I' && k ? ":%02x%02x" : "%02x%02x", ip[k], ip[k + 1]);
		o += (size_t)w;
	}
}

/* Store preformatted text (IP address, %pB) the way the kernel does:
 * snprintf into what is left, then advance by the full length + 1. */
static int put_text(struct bin_area *b, const char *text, struct barg *a)
{
	size_t left = BPFRT_BPRINTF_BIN_ARGS - b->used, len = strlen(text);
	if (!left)
		return -ENOSPC;
	snprintf(b->buf + b->used, left, "%s", text);
	a->text = b->buf + b->used;
	b->used += len + 1;
	/* The kernel would run past its area here; bpfrt stops instead. */
	return b->used > BPFRT_BPRINTF_BIN_ARGS ? -ENOSPC : 0;
}

static int prepare(const char *fmt, size_t len, const uint64_t *raw, uint32_t nargs, struct barg *out,
		   struct bin_area *b)
{
	uint32_t n = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)fmt[i];
		/* ASCII control characters are refused; bytes >= 0x80 pass, so
		 * UTF-8 text goes through (Linux 6.18; older kernels refused them). */
		if (c <= 0x7f && !k_isprint(c) && !k_isspace(c))
			return -EINVAL;
		if (c != '%')
			continue;
		if (fmt[i + 1] == '%') {
			i++;
			continue;
		}
		if (n >= nargs)
			return -EINVAL;
		i++;
		/* optional flags "0+- " and a width; no precision */
		while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ')
			i++;
		if (fmt[i] >= '1' && fmt[i] <= '9')
			while (k_isdigit(fmt[i]))
				i++;
		size_t argsz = 4;
		const char *str = NULL; /* set for string conversions */
		if (fmt[i] == 'p') {
			int n1 = (unsigned char)fmt[i + 1];
			if ((n1 == 'k' || n1 == 'u') && fmt[i + 2] == 's') {
				i += 2;
				str = fmt + i;
			} else if (n1 == 0 || k_isspace(n1) || k_ispunct(n1) || n1 == 'K' || n1 == 'x' ||
				   n1 == 's' || n1 == 'S') {
				i++;
				argsz = 8;
			} else if (n1 == 'B') {
				char t[32];
				snprintf(t, sizeof(t), "0x%llx", (unsigned long long)raw[n]);
				int err = put_text(b, t, &out[n]);
				if (err)
					return err;
				i++;
				n++;
				continue;
			} else {
				/* only %pI4, %pi4, %pI6, %pi6 */
				if ((n1 != 'i' && n1 != 'I') || (fmt[i + 2] != '4' && fmt[i + 2] != '6'))
					return -EINVAL;
				i += 2;
				size_t ipsz = fmt[i] == '4' ? 4 : 16;
				if (BPFRT_BPRINTF_BIN_ARGS - b->used < ipsz)
					return -ENOSPC;
				uint8_t ip[16];
				char t[48];
				bpfrt_read_nofault(ip, (const void *)(uintptr_t)raw[n], ipsz);
				format_ip(t, sizeof(t), ip, (char)n1, fmt[i]);
				int err = put_text(b, t, &out[n]);
				if (err)
					return err;
				n++;
				continue;
			}
		} else if (fmt[i] == 's') {
			str = fmt + i;
		} else if (fmt[i] == 'c') {
			if (b->used == BPFRT_BPRINTF_BIN_ARGS)
				return -ENOSPC;
			b->used++;
			out[n].v = (uint8_t)raw[n];
			n++;
			continue;
		} else {
			if (fmt[i] == 'l')
				argsz = 8, i++;
			if (fmt[i] == 'l')
				i++;
			if (fmt[i] != 'i' && fmt[i] != 'd' && fmt[i] != 'u' && fmt[i] != 'x' && fmt[i] != 'X')
				return -EINVAL;
		}
		if (str) {
			int nx = (unsigned char)str[1];
			if (nx != 0 && !k_isspace(nx) && !k_ispunct(nx))
				return -EINVAL;
			if (b->used == BPFRT_BPRINTF_BIN_ARGS)
				return -ENOSPC;
			char *dst = b->buf + b->used;
			long r = bpfrt_read_str_nofault(dst, (const void *)(uintptr_t)raw[n],
							BPFRT_BPRINTF_BIN_ARGS - b->used);
			if (r <= 0) {
				dst[0] = 0;
				r = 1;
			}
			out[n++].text = dst;
			b->used += (size_t)r;
			continue;
		}
		b->used = (b->used + 3) & ~(size_t)3;
		if (BPFRT_BPRINTF_BIN_ARGS - b->used < argsz || b->used > BPFRT_BPRINTF_BIN_ARGS)
			return -ENOSPC;
		b->used += argsz;
		out[n].v = raw[n];
		n++;
	}
	return 0;
}

/* Output with vsnprintf's contract: count everything, store what fits. */
struct out {
	char *buf;
	size_t size, len;
};

static void emit(struct out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void emit_n(struct out *o, char c, long n)
{
	while (n-- > 0)
		emit(o, c);
}

enum { F_LEFT = 1, F_PLUS = 2, F_SPACE = 4, F_ZERO = 8 };

/* The kernel's number(): sign, padding, digits (no precision in BPF). */
static void put_number(struct out *o, uint64_t mag, char sign, int flags, long width, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int nd = 0;
	do {
		tmp[nd++] = digits[mag % base];
		mag /= base;
	} while (mag);
	if (flags & F_LEFT)
		flags &= ~F_ZERO;
	width -= nd + (sign != 0);
	if (!(flags & (F_ZERO | F_LEFT)))
		emit_n(o, ' ', width), width = 0;
	if (sign)
		emit(o, sign);
	if (!(flags & F_LEFT))
		emit_n(o, flags & F_ZERO ? '0' : ' ', width), width = 0;
	while (nd)
		emit(o, tmp[--nd]);
	emit_n(o, ' ', width);
}

static void put_string(struct out *o, const char *s, int flags, long width)
{
	long len = (long)strlen(s);
	if (!(flags & F_LEFT))
		emit_n(o, ' ', width - len);
	while (*s)
		emit(o, *s++);
	if (flags & F_LEFT)
		emit_n(o, ' ', width - len);
}

#define FIELD_WIDTH_MAX ((1L << 23) - 1) /* the kernel clamps wider fields */

static void render(const char *fmt, const struct barg *args, struct out *o)
{
	uint32_t n = 0;
	for (const char *p = fmt; *p;) {
		if (*p != '%') {
			emit(o, *p++);
			continue;
		}
		if (p[1] == '%') {
			emit(o, '%');
			p += 2;
			continue;
		}
		p++;
		int flags = 0;
		for (;; p++) {
			if (*p == '-')
				flags |= F_LEFT;
			else if (*p == '+')
				flags |= F_PLUS;
			else if (*p == ' ')
				flags |= F_SPACE;
			else if (*p == '0')
				flags |= F_ZERO;
			else
				break;
		}
		long width = -1;
		if (k_isdigit(*p)) {
			width = 0;
			while (k_isdigit(*p)) {
				if (width <= FIELD_WIDTH_MAX)
					width = width * 10 + (*p - '0');
				p++;
			}
			if (width > FIELD_WIDTH_MAX)
				width = FIELD_WIDTH_MAX;
		}
		const struct barg *a = &args[n++];
		if (*p == 'c') {
			if (!(flags & F_LEFT))
				emit_n(o, ' ', width - 1);
			emit(o, (char)a->v);
			if (flags & F_LEFT)
				emit_n(o, ' ', width - 1);
			p++;
		} else if (*p == 's') {
			put_string(o, a->text, flags, width);
			p++;
		} else if (*p == 'p') {
			p++;
			if (*p == 's' || *p == 'S') {
				/* no symbols in user space: the kernel's fallback "0x%lx" */
				char t[24];
				snprintf(t, sizeof(t), "0x%llx", (unsigned long long)a->v);
				put_string(o, t, flags, width);
			} else if (*p == 'x' || *p == 'K' || !k_isalnum(*p)) {
				/* pointer_string(): 16 zero-padded hex digits unless a width is given */
				if (width == -1)
					width = 16, flags |= F_ZERO;
				put_number(o, a->v, 0, flags, width, 16, false);
			} else {
				/* preformatted: %pks, %pus, %pI4..., %pB — copied as is */
				for (const char *t = a->text; *t; t++)
					emit(o, *t);
			}
			while (k_isalnum(*p))
				p++;
		} else {
			bool wide = false;
			if (*p == 'l')
				wide = true, p++;
			if (*p == 'l')
				p++;
			char conv = *p++;
			if (conv == 'd' || conv == 'i') {
				int64_t v = wide ? (int64_t)a->v : (int64_t)(int32_t)a->v;
				char sign = v < 0 ? '-' : flags & F_PLUS ? '+' : flags & F_SPACE ? ' ' : 0;
				uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
				put_number(o, mag, sign, flags, width, 10, false);
			} else {
				uint64_t v = wide ? a->v : (uint32_t)a->v;
				put_number(o, v, 0, flags, width, conv == 'u' ? 10 : 16, conv == 'X');
			}
		}
	}
}

int bpfrt_bprintf(const char *fmt, size_t fmt_size, const uint64_t *args, uint32_t nargs, char *out,
		  size_t out_size)
{
	const char *end = memchr(fmt, 0, fmt_size);
	if (!end || nargs > BPFRT_BPRINTF_MAX_ARGS)
		return -EINVAL;
	struct barg captured[BPFRT_BPRINTF_MAX_ARGS];
	struct bin_area bin;
	bin.used = 0;
	int err = prepare(fmt, (size_t)(end - fmt), args, nargs, captured, &bin);
	if (err)
		return err;
	struct out o = {.buf = out, .size = out_size ? out_size - 1 : 0};
	render(fmt, captured, &o);
	if (out_size)
		out[o.len < o.size ? o.len : o.size] = 0;
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

bool bpfrt_helper_cstr_ok(const struct bpfrt_run *run, const char *s, size_t *len)
{
	if (!bpfrt_run_checked(run)) {
		*len = strlen(s);
		return true;
	}
	for (size_t i = 0;; i++) {
		if (!bpfrt_run_access_ok(run, s + i, 1, false))
			return false;
		if (!s[i]) {
			*len = i;
			return true;
		}
	}
}
