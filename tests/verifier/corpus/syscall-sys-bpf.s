# type: syscall
# expect: accept
# why: bpf_sys_bpf is available to syscall programs
*(u64 *)(r10 - 8) = 0
r1 = 99
r2 = r10
r2 += -8
r3 = 8
call 166
r0 = 0
exit
