# type: xdp
# expect: reject
# error: invalid bpf_context access off=12 size=4
# why: xdp_md is read-only (register store)
r2 = 1
*(u32 *)(r1 + 12) = r2
r0 = 0
exit
