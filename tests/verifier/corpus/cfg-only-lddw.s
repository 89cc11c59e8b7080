# type: xdp
# expect: reject
# error: last insn is not an exit or jmp
# why: a program without exit
r0 = 1 ll
