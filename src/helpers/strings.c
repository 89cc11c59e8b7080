/* strings.c — bpf_snprintf, bpf_strncmp, bpf_strtol, bpf_strtoul with the
 * kernel's exact results (kernel/bpf/helpers.c): strtol/strtoul accept
 * leading whitespace and '-' only, bases 0/8/10/16 (0: "0x" -> 16, "0" ->
 * 8), look at no more than 63 characters after the sign, and return the
 * number of characters consumed; snprintf returns the full length + 1.
 */
#include "helpers/helpers.h"

#include <errno.h>
#include <string.h>

#define STRTOX_BASE_MASK 0x1f

static bool mem_ok(struct bpfrt_run *run, uint64_t p, uint64_t n, bool write)
{
	return bpfrt_run_access_ok(run, (const void *)(uintptr_t)p, (size_t)n, write);
}

static uint64_t h_snprintf(uint64_t str, uint64_t str_size, uint64_t fmt, uint64_t data, uint64_t data_len,
			   struct bpfrt_run *run)
{
	uint32_t size = (uint32_t)str_size, len = (uint32_t)data_len;
	size_t flen;
	if (len % 8 || len > BPFRT_BPRINTF_MAX_ARGS * 8 || (len && !data))
		return (uint64_t)-EINVAL;
	if (!fmt || !bpfrt_helper_cstr_ok(run, (const char *)(uintptr_t)fmt, &flen) ||
	    !mem_ok(run, data, len, false) || (size && (!str || !mem_ok(run, str, size, true))))
		return (uint64_t)-EFAULT;
	uint64_t args[BPFRT_BPRINTF_MAX_ARGS];
	memcpy(args, (const void *)(uintptr_t)data, len);
	int n = bpfrt_bprintf((const char *)(uintptr_t)fmt, flen + 1, args, len / 8,
			      size ? (char *)(uintptr_t)str : NULL, size);
	return n < 0 ? (uint64_t)(int64_t)n : (uint64_t)n + 1;
}

/* The kernel's strncmp: -1, 0 or 1, comparing unsigned chars. */
static uint64_t h_strncmp(uint64_t s1, uint64_t s1_sz, uint64_t s2, uint64_t r4, uint64_t r5,
			  struct bpfrt_run *run)
{
	(void)r4, (void)r5;
	uint32_t n = (uint32_t)s1_sz;
	size_t len2;
	if (!mem_ok(run, s1, n, false) || !bpfrt_helper_cstr_ok(run, (const char *)(uintptr_t)s2, &len2))
		return (uint64_t)-EFAULT;
	const unsigned char *a = (const unsigned char *)(uintptr_t)s1, *b = (const unsigned char *)(uintptr_t)s2;
	for (uint32_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? (uint64_t)-1 : 1;
		if (!a[i])
			break;
	}
	return 0;
}

/* The kernel's isspace() includes 0xa0 (Latin-1 no-break space). */
static bool k_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : 99;
}

/* Parse an unsigned number as the kernel's __bpf_strtoull: >= 0 consumed
 * characters, -EINVAL or -ERANGE. */
static int parse_ull(const char *buf, uint32_t buf_len, uint64_t flags, uint64_t *res, bool *neg)
{
	unsigned base = (unsigned)(flags & STRTOX_BASE_MASK);
	if (!buf || !buf_len)
		return -EINVAL;
	if ((base != 0 && base != 8 && base != 10 && base != 16) || (flags & ~(uint64_t)STRTOX_BASE_MASK))
		return -EINVAL;
	uint32_t i = 0;
	while (i < buf_len && k_isspace((unsigned char)buf[i]))
		i++;
	*neg = i < buf_len && buf[i] == '-';
	if (*neg)
		i++;
	if (i == buf_len)
		return -EINVAL;
	/* The kernel works on a NUL-terminated copy of at most 63 characters. */
	char s[64];
	uint32_t n = buf_len - i < 63 ? buf_len - i : 63;
	memcpy(s, buf + i, n);
	s[n] = 0;
	const char *p = s;
	if (base == 0)
		base = p[0] != '0' ? 10 : ((p[1] | 0x20) == 'x' && digit_value(p[2]) < 16) ? 16 : 8;
	if (base == 16 && p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	uint64_t v = 0;
	bool overflow = false;
	const char *d = p;
	for (int dv; (dv = digit_value(*d)) < (int)base; d++) {
		if (v > (UINT64_MAX - (uint64_t)dv) / base)
			overflow = true;
		v = v * base + (uint64_t)dv;
	}
	if (overflow)
		return -ERANGE;
	if (d == p)
		return -EINVAL;
	*res = v;
	return (int)(i + (uint32_t)(d - s));
}

static uint64_t h_strtol(uint64_t buf, uint64_t buf_len, uint64_t flags, uint64_t res, uint64_t r5,
			 struct bpfrt_run *run)
{
	(void)r5;
	uint32_t len = (uint32_t)buf_len;
	if (!mem_ok(run, buf, len, false) || !res || !mem_ok(run, res, 8, true))
		return (uint64_t)-EFAULT;
	int64_t *out = (int64_t *)(uintptr_t)res;
	*out = 0;
	uint64_t v = 0;
	bool neg;
	int err = parse_ull((const char *)(uintptr_t)buf, len, flags, &v, &neg);
	if (err < 0)
		return (uint64_t)(int64_t)err;
	if (neg ? (int64_t)(0 - v) > 0 : (int64_t)v < 0)
		return (uint64_t)-ERANGE;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return (uint64_t)err;
}

static uint64_t h_strtoul(uint64_t buf, uint64_t buf_len, uint64_t flags, uint64_t res, uint64_t r5,
			  struct bpfrt_run *run)
{
	(void)r5;
	uint32_t len = (uint32_t)buf_len;
	if (!mem_ok(run, buf, len, false) || !res || !mem_ok(run, res, 8, true))
		return (uint64_t)-EFAULT;
	uint64_t *out = (uint64_t *)(uintptr_t)res;
	*out = 0;
	uint64_t v = 0;
	bool neg;
	int err = parse_ull((const char *)(uintptr_t)buf, len, flags, &v, &neg);
	if (err < 0)
		return (uint64_t)(int64_t)err;
	if (neg)
		return (uint64_t)-EINVAL;
	*out = v;
	return (uint64_t)err;
}

void bpfrt_helpers_register_strings(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_snprintf, "snprintf", h_snprintf);
	bpfrt_register_helper(rt, BPF_FUNC_strncmp, "strncmp", h_strncmp);
	bpfrt_register_helper(rt, BPF_FUNC_strtol, "strtol", h_strtol);
	bpfrt_register_helper(rt, BPF_FUNC_strtoul, "strtoul", h_strtoul);
}
