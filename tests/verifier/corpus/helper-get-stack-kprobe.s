# type: kprobe
# maps: array 4 48 1
# expect: accept
# why: bpf_get_stack into a map value
r6 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r1 = r6
r2 = r0
r3 = 48
r4 = 0
call 67
out:
r0 = 0
exit
