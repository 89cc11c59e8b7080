# type: xdp
# expect: accept
# why: xdp_md.ingress_ifindex is readable
r0 = *(u32 *)(r1 + 12)
exit
