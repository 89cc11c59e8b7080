# type: xdp
# maps: array 4 48 4
# expect: accept
# why: as prec-loop-index-grows but 5 iterations: the index stays within 0..40 of the 48-byte value on every path; pruning may merge the body's arms only where the index ranges are covered
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
if r9 < 5 goto loop
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
