# type: xdp
# expect: reject
# error: invalid bpf_context access
# why: xdp_md is read-only (register store)
r2 = 1
*(u32 *)(r1 + 12) = r2
r0 = 0
exit
