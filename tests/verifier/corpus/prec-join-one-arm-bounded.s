# type: xdp
# maps: array 4 48 4
# expect: reject
# unsafe: yes
# error: unbounded min value
# why: an index bounded on the arm explored first only: pruning the other arm at the join would need the index imprecise, but the map access after the join relies on it
call 7
r8 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
if r8 > 100 goto wide
r8 &= 7
goto join
wide:
r3 = 1
join:
r0 += r8
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
