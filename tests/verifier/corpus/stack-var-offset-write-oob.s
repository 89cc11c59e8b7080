# type: xdp
# expect: reject
# error: invalid variable-offset write to stack R1 var_off=(0x0; 0xf) off=-8 size=1
# why: a variable stack offset that may reach the frame pointer
call 7
r0 &= 15
r1 = r10
r1 += -8
r1 += r0
*(u8 *)(r1 + 0) = 1
r0 = 0
exit
