# type: xdp
# maps: hash 4 48 16
# expect: reject
# error: R0 pointer arithmetic on map_value_or_null prohibited, null-check it first
# why: arithmetic on a maybe-NULL map value
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
r0 += 4
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 0)
exit
out:
r0 = 0
exit
