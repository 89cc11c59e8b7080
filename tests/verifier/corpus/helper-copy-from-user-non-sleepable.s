# type: kprobe
# expect: reject
# error: helper call might sleep in a non-sleepable prog
# why: bpf_copy_from_user is only for sleepable programs
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call 148
r0 = 0
exit
