# type: kprobe
# expect: accept
# why: bpf_get_current_comm into a 16-byte stack buffer
r1 = r10
r1 += -16
r2 = 16
call 16
r0 = 0
exit
