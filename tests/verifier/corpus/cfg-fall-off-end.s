# type: xdp
# expect: reject
# error: last insn is not an exit or jmp
# why: the last instruction is not an exit or jump
r0 = 0
if r1 == 0 goto +1
exit
r0 = 1
