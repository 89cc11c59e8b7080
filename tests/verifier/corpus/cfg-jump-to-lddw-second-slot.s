# type: xdp
# expect: reject
# error: jump into the middle of ldimm64 insn 2
# why: a jump into the middle of a 16-byte lddw
r0 = 0
if r1 == 0 goto +1
r0 = 1 ll
exit
