# type: xdp
# expect: reject
# error: invalid bpf_context access off=2 size=4
# why: a 4-byte ctx load at offset 2
r0 = *(u32 *)(r1 + 2)
exit
