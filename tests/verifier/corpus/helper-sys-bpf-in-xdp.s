# type: xdp
# expect: reject
# error: program of this type cannot use helper bpf_sys_bpf#166
# why: bpf_sys_bpf is only for syscall programs
r1 = 0
r2 = 0
r3 = 0
call 166
r0 = 0
exit
