# type: xdp
# expect: reject
# error: same insn cannot be used with different pointers
# why: one load reached with a context pointer on one path and a stack pointer on the other; context loads are rewritten per instruction, so the kernel (and bpfrt) refuse it
r6 = r1
r7 = r10
r7 += -8
*(u64 *)(r7 + 0) = 0
call 7
r2 = r6
if r0 > 5 goto l1
r2 = r7
l1:
r0 = *(u32 *)(r2 + 0)
r0 = 0
exit
