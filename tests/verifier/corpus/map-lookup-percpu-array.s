# type: xdp
# maps: percpu_array 4 8 4
# expect: accept
# why: lookup in a per-CPU array
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 0
exit
