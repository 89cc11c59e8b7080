# type: xdp
# expect: reject
# error: R1 type=scalar expected=map_ptr
# why: a scalar where a map is expected
r1 = 0
r2 = r10
r2 += -8
*(u64 *)(r10 - 8) = 0
call 1
r0 = 0
exit
