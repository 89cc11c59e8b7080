# type: xdp
# expect: reject
# error: invalid bpf_context access
# why: xdp_md allows no narrow loads
r0 = *(u16 *)(r1 + 12)
exit
