# type: xdp
# maps: array 4 48 1
# expect: accept
# why: BPF_PSEUDO_MAP_IDX_VALUE: the address of an array value, read in bounds
ld_pseudo r1, 6, 0, 8
r0 = *(u64 *)(r1 + 0)
exit
