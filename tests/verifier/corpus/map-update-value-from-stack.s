# type: xdp
# maps: hash 4 16 8
# expect: accept
# why: map_update_elem with key and value on the stack
*(u32 *)(r10 - 4) = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 24) = 0
r2 = r10
r2 += -4
r3 = r10
r3 += -24
r4 = 0
ld_pseudo r1, 5, 0
call 2
r0 = 0
exit
