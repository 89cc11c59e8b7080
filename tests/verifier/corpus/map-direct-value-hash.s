# type: xdp
# maps: hash 4 8 16
# expect: reject
# error: no direct value access support for this map type
# why: direct value addresses exist only for array maps
ld_pseudo r1, 6, 0, 0
r0 = *(u64 *)(r1 + 0)
exit
