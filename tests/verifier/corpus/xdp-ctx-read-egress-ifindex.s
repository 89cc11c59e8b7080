# type: xdp
# expect: reject
# error: invalid bpf_context access off=20 size=4
# why: egress_ifindex is only for devmap programs
r0 = *(u32 *)(r1 + 20)
exit
