# type: xdp
# maps: queue 0 8 16
# expect: reject
# error: invalid zero-sized read
# why: a queue has key_size 0: lookup with it is a zero-sized key read
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
r0 = 0
exit
