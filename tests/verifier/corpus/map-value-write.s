# type: xdp
# maps: array 4 48 1
# expect: accept
# why: map values are writable
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
*(u64 *)(r0 + 8) = 7
out:
r0 = 0
exit
