# type: tracepoint
# expect: accept
# why: tracepoint ctx: read a u64 of the record
r0 = *(u64 *)(r1 + 8)
r0 = 0
exit
