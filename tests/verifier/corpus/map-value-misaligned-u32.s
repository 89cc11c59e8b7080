# type: xdp
# maps: array 4 48 1
# expect: accept
# why: misaligned map value access is fine on x86 (no strict alignment)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 3)
exit
out:
r0 = 0
exit
