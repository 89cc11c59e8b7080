/* live_csum.h — finishing the TCP/UDP checksum of a frame the kernel
 * marks TP_STATUS_CSUMNOTREADY: a frame sent by a local stack (a veth
 * peer) with checksum offload carries only the pseudo-header sum, the
 * rest being the NIC's job.  bpfrt forwards such frames out of another
 * interface as plain bytes, so it does that job before the program sees
 * the frame, as the hardware would have done before anyone saw it.
 */
#ifndef BPFRT_HOOKS_LIVE_CSUM_H
#define BPFRT_HOOKS_LIVE_CSUM_H

#include <stdint.h>

/* Compute and store the L4 checksum of the Ethernet frame (len bytes):
 * Ethernet with at most one 802.1Q/802.1ad tag, then IPv4 (not a
 * fragment) or IPv6 (TCP/UDP right after the fixed header), then TCP or
 * UDP.  Returns 0 when stored, -1 when the frame is none of these or is
 * cut short (left unchanged). */
int bpfrt_live_csum_complete(uint8_t *frame, uint32_t len);

#endif
