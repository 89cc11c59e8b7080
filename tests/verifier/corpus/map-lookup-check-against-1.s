# type: xdp
# maps: hash 4 48 16
# expect: reject
# error: R0 invalid mem access 'map_value_or_null'
# why: comparing with 1 is not a NULL check
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 1 goto out
r0 = *(u32 *)(r0 + 0)
exit
out:
r0 = 0
exit
