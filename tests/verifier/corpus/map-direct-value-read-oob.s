# type: xdp
# maps: array 4 48 1
# expect: reject
# error: R1 min value is outside of the allowed memory range
# why: direct value address + 8-byte read past value_size
ld_pseudo r1, 6, 0, 44
r0 = *(u64 *)(r1 + 0)
exit
