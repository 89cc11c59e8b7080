# type: raw_tracepoint
# expect: accept
# why: raw tracepoint ctx: args[0]
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
