# type: xdp
# expect: reject
# error: variable ctx access var_off=(0x0; 0x4) disallowed
# why: ctx + variable offset cannot be dereferenced
r6 = r1
call 7
r0 &= 4
r6 += r0
r0 = *(u32 *)(r6 + 0)
exit
