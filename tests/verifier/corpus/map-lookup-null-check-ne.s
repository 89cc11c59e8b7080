# type: xdp
# maps: array 4 48 1
# expect: accept
# why: NULL check written as != 0 with the access in the taken branch
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 != 0 goto ok
r0 = 0
exit
ok:
r0 = *(u32 *)(r0 + 0)
exit
