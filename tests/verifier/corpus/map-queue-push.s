# type: xdp
# maps: queue 0 8 16
# expect: accept
# why: map_push_elem on a queue
*(u64 *)(r10 - 8) = 1
r2 = r10
r2 += -8
r3 = 0
ld_pseudo r1, 5, 0
call 87
r0 = 0
exit
