# type: xdp
# maps: hash 8 8 4
# expect: accept
# why: a pointer on the stack used as key bytes (a leak, allowed as root)
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
ld_pseudo r1, 5, 0
call 1
r0 = 0
exit
