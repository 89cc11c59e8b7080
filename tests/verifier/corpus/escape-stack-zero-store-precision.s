# type: sched_act
# maps: array 4 48 4; hash 8 32 64; ringbuf 0 0 4096; array 4 8 1
# expect: reject
# unsafe: yes
# error: max value is outside of the allowed memory range
# why: verifier_soundness escape (seed 115 program 1030 mutant 1): r8 = 0 stored to fp-32 became zero bytes, not a spill, so the demand on the index filled back from fp-32 stopped at the slot; the wide path was pruned at insn 40 against the checkpoint where r8 = 0 was imprecise. Storing zero bytes from a register now makes the register precise, as the kernel
r6 = r1
*(u64 *)(r10 - 0x8) = 0x2
*(u64 *)(r10 - 0x10) = 0x40
*(u64 *)(r10 - 0x18) = 0x4cccde01
*(u64 *)(r10 - 0x20) = 0x7
*(u64 *)(r10 - 0x28) = 0x10
*(u64 *)(r10 - 0x30) = -0x45
*(u64 *)(r10 - 0x38) = 0x7
*(u64 *)(r10 - 0x40) = -0x3
r0 = 0x0
r8 = 0x4
r9 = 0x0
if r8 s> 0x5 goto +0x1
r8 &= 0x1f
if r8 == 0x9 goto +0x1
*(u64 *)(r10 - 0x10) = r8
r9 += 0x1
if r9 < 0x5 goto -0x6
r8 = *(u64 *)(r10 - 0x10)
*(u32 *)(r10 - 0x4) = 0x3
r2 = r10
r2 += -0x4
ld_pseudo r1, 0x5, 0x0
call 0x1
if r0 == 0x0 goto +0x2
r0 += r8
r9 = *(u64 *)(r0 + 0x2)
w9 += 0x3f
if w9 & 0xffff goto +0x0
if r9 & -0x39 goto +0x0
r8 = r9
*(u32 *)(r10 - 0x4) = 0x3
r2 = r10
r2 += -0x4
ld_pseudo r1, 0x5, 0x0
call 0x1
if r0 == 0x0 goto +0x9
if r8 > 0x5dc goto +0x3
r8 &= 0xfff
*(u64 *)(r10 - 0x20) = r8
goto +0x2
r8 &= 0x5dc
*(u64 *)(r10 - 0x20) = r8
r8 = *(u64 *)(r10 - 0x20)
r0 += r8
r9 = *(u64 *)(r0 + 0x2)
r0 = 0x0
exit
