# type: xdp
# maps: array 4 48 1
# expect: accept
# why: a map value may be the key of another lookup
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r2 = r0
ld_pseudo r1, 5, 0
call 1
out:
r0 = 0
exit
