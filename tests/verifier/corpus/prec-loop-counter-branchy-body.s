# type: xdp
# expect: accept
# why: a 100-iteration loop whose body branches twice on unknown bits and joins again: the counter decides the loop (precise), the body's accumulators decide nothing, so each join prunes the other arm (4^100 paths otherwise)
call 7
r6 = r0
r7 = 0
r8 = 0
r9 = 0
loop:
r1 = r6
r1 >>= 3
r6 ^= r1
if r6 & 0x10 goto odd
r8 += 3
goto j1
odd:
r8 ^= 0x55
j1:
if r6 & 0x20 goto down
r7 += 1
goto j2
down:
r7 -= 1
j2:
r9 += 1
if r9 < 100 goto loop
r0 = 2
exit
