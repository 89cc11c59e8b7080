# type: kprobe
# maps: perf_event_array 4 4 4
# expect: accept
# why: bpf_perf_event_output with ctx, a perf event array and stack data
r6 = r1
*(u64 *)(r10 - 8) = 0
r1 = r6
ld_pseudo r2, 5, 0
r3 = 0xffffffff ll
r4 = r10
r4 += -8
r5 = 8
call 25
r0 = 0
exit
