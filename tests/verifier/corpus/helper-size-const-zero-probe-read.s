# type: kprobe
# expect: accept
# why: probe_read_kernel's size is ARG_CONST_SIZE_OR_ZERO: 0 is fine
r1 = r10
r1 += -8
r2 = 0
r3 = 0
call 113
r0 = 0
exit
