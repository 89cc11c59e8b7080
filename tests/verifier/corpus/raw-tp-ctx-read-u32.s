# type: raw_tracepoint
# expect: accept
# why: raw tracepoint ctx allows 4-byte reads of args (only alignment is checked)
r0 = *(u32 *)(r1 + 0)
r0 = 0
exit
