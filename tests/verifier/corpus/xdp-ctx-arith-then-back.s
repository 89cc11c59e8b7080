# type: xdp
# expect: accept
# why: ctx moved by +4 then -4 is back at offset 0 and may be dereferenced
r1 += 4
r1 += -4
r0 = *(u32 *)(r1 + 0)
r0 = 0
exit
