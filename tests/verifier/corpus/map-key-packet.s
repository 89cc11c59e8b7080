# type: xdp
# maps: array 4 48 1
# expect: accept
# why: a checked packet pointer may be the key
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto out
ld_pseudo r1, 5, 0
call 1
out:
r0 = 2
exit
