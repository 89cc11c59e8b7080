# type: xdp
# maps: array 4 48 1
# expect: reject
# error: R6 min value is negative, either use unsigned index or do a if (index >=0) check.
# why: u64 overflow makes a bounded scalar unbounded
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r6 = r0
call 7
r0 &= 7
r0 += -8
r6 += r0
r0 = *(u8 *)(r6 + 0)
exit
out:
r0 = 0
exit
