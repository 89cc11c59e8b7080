# type: tracepoint
# expect: reject
# error: invalid bpf_context access off=8 size=8
# why: tracepoint ctx is read-only
*(u64 *)(r1 + 8) = 0
r0 = 0
exit
