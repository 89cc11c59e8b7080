# type: xdp
# expect: reject
# error: jump out of range from insn 1 to 7
# why: a jump past the end of the program
r0 = 0
if r0 == 0 goto +5
exit
