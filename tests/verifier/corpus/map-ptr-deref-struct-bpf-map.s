# type: xdp
# maps: array 4 48 1
# expect: accept
# why: privileged programs may read struct bpf_map fields through the map pointer (BTF)
ld_pseudo r1, 5, 0
r0 = *(u32 *)(r1 + 24)
r0 = 0
exit
