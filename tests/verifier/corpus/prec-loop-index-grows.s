# type: xdp
# maps: array 4 48 4
# expect: reject
# unsafe: yes
# error: value is outside of the allowed memory range
# why: the index grows by 8 on one arm of the loop body's branch, by 1 on the other; after 8 iterations it may reach 64 > 47: every iteration's join must keep it precise
call 7
r6 = r0
r8 = 0
r9 = 0
loop:
if r6 & 1 goto one
r8 += 8
goto j
one:
r8 += 1
j:
r6 >>= 1
r9 += 1
if r9 < 8 goto loop
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r0 += r8
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
