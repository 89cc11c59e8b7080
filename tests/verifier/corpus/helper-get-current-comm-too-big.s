# type: kprobe
# expect: reject
# error: invalid write to stack R1 off=-16 size=32
# why: bpf_get_current_comm with size larger than the stack buffer
r1 = r10
r1 += -16
r2 = 32
call 16
r0 = 0
exit
