# type: xdp
# maps: array 4 48 4
# expect: reject
# unsafe: yes
# error: max value is outside of the allowed memory range
# why: the index travels through a stack slot: spilled masked on one arm, spilled wide on the other, filled after the join and used as a map-value offset; precision must follow the fill back to the slot
call 7
r8 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r6 = r0
call 7
if r0 > 100 goto wide
r8 &= 7
*(u64 *)(r10 - 16) = r8
goto join
wide:
r8 &= 255
*(u64 *)(r10 - 16) = r8
join:
r9 = 0
r3 = *(u64 *)(r10 - 16)
r6 += r3
r0 = *(u8 *)(r6 + 0)
out:
r0 = 2
exit
