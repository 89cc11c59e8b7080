# type: xdp
# expect: reject
# error: invalid bpf_context access off=12 size=2
# why: xdp_md allows no narrow loads
r0 = *(u16 *)(r1 + 12)
exit
