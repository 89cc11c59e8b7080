# type: xdp
# maps: hash 4 48 16
# expect: reject
# error: R0 invalid mem access 'map_value_or_null'
# why: map value read without checking lookup's NULL
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
r0 = *(u32 *)(r0 + 0)
exit
