/* checksum.c — the Internet checksum (RFC 1071) over the whole 2 KiB
 * packet, 16 bits at a time, folded to 16 bits at the end.  Measures a
 * load-add loop over packet memory. */
#include "bench_prog.h"

BENCH_PROG(checksum)
{
	BENCH_PACKET(data);
	u32 sum = 0;
	for (u32 i = 0; i < BENCH_PKT_LEN; i += 2)
		sum += *(const u16 *)(data + i);
	/* Two folds suffice for 1024 16-bit words (and keep the verifier's
	 * view of the program loop-free here). */
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (int)(u16)~sum;
}
