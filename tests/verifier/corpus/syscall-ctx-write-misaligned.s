# type: syscall
# expect: reject
# error: invalid bpf_context access
# why: a syscall program's context is the caller's buffer, but reads and writes of it must be naturally aligned (found by verdict_diff seed 3 program 4502)
r6 = r1
r0 = 0
*(u32 *)(r6 + 3) = r0
exit
