# type: xdp
# expect: reject
# error: invalid bpf_context access
# why: egress_ifindex is only for devmap programs
r0 = *(u32 *)(r1 + 20)
exit
