# type: xdp
# expect: reject
# error: invalid bpf_context access off=24 size=4
# why: offset 24 is past struct xdp_md
r0 = *(u32 *)(r1 + 24)
exit
