# type: xdp
# maps: array 4 48 1
# expect: accept
# why: atomic fetch-add on a map value
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r1 = 1
r1 = atomic_fetch_add((u64 *)(r0 + 0), r1)
out:
r0 = 0
exit
