# type: xdp
# expect: reject
# error: invalid bpf_context access off=0 size=4
# why: xdp_md is read-only
*(u32 *)(r1 + 0) = 0
r0 = 0
exit
