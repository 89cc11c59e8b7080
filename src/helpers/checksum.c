/* checksum.c — bpf_csum_diff: the Internet checksum difference between two
 * buffers, as net/core/filter.c computes it on x86-64 in current kernels
 * (checked against Linux 6.18 by tests/kernel/test_helpers_diff.c): sizes
 * need not be multiples of 4 nor stay under 512 bytes, and the result is
 * folded to 16 bits.  Ones'-complement sums here are canonical (0 only when
 * every input is 0), which is what x86's csum_partial() gives.
 */
#include "helpers/helpers.h"

#include <errno.h>
#include <string.h>

/* csum_partial(): seed plus the 32-bit words as loaded on a little-endian
 * CPU, end-around carry. */
static uint32_t csum_partial(const uint8_t *p, uint32_t len, uint32_t seed)
{
	uint64_t sum = seed;
	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t w = 0; /* a 1-3 byte tail counts as a zero-padded word */
		memcpy(&w, p + i, len - i < 4 ? len - i : 4);
		sum += w;
	}
	while (sum >> 32)
		sum = (sum & 0xffffffffu) + (sum >> 32);
	return (uint32_t)sum;
}

static uint32_t csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;
	return r + (r < b);
}

static uint16_t csum_fold16(uint32_t x)
{
	x = (x & 0xffff) + (x >> 16);
	x = (x & 0xffff) + (x >> 16);
	return (uint16_t)x;
}

static uint64_t h_csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size, uint64_t seed,
			    struct bpfrt_run *run)
{
	uint32_t fs = (uint32_t)from_size, ts = (uint32_t)to_size, s = (uint32_t)seed;
	if ((fs && (!from || !bpfrt_run_access_ok(run, (const void *)(uintptr_t)from, fs, false))) ||
	    (ts && (!to || !bpfrt_run_access_ok(run, (const void *)(uintptr_t)to, ts, false))))
		return (uint64_t)-EFAULT;
	const uint8_t *f = (const uint8_t *)(uintptr_t)from, *t = (const uint8_t *)(uintptr_t)to;
	uint32_t r = s;
	if (fs && ts)
		r = csum_add(csum_partial(t, ts, s), ~csum_partial(f, fs, 0));
	else if (ts)
		r = csum_partial(t, ts, s);
	else if (fs)
		r = ~csum_partial(f, fs, ~s);
	return csum_fold16(r);
}

void bpfrt_helpers_register_checksum(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_csum_diff, "csum_diff", h_csum_diff);
}
