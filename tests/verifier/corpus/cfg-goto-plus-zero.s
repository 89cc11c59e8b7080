# type: xdp
# expect: accept
# why: goto +0 jumps to the next instruction
r0 = 0
goto +0
goto +0
exit
