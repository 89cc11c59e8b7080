# type: xdp
# expect: reject
# error: jump out of range from insn 1 to 4
# why: a jump from one function into another
call f
if r0 == 0 goto g
exit
f:
r0 = 0
g:
exit
