# type: xdp
# expect: accept
# why: xdp_md.rx_queue_index is readable
r0 = *(u32 *)(r1 + 16)
exit
