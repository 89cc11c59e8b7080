# type: xdp
# expect: reject
# error: unreachable insn 2
# why: an instruction no path reaches
r0 = 0
exit
r0 = 1
exit
