# type: xdp
# expect: reject
# error: invalid bpf_context access
# why: xdp_md is read-only
*(u32 *)(r1 + 0) = 0
r0 = 0
exit
