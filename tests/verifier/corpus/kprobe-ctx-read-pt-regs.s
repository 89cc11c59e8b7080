# type: kprobe
# expect: accept
# why: kprobe ctx (pt_regs): read a register field
r0 = *(u64 *)(r1 + 112)
r0 = 0
exit
