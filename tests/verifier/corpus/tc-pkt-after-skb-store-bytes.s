# type: sched_cls
# expect: reject
# error: R7 invalid mem access 'scalar'
# why: bpf_skb_store_bytes invalidates packet pointers
r6 = r1
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r7 = r2
r4 = r2
r4 += 4
if r4 > r3 goto out
*(u32 *)(r10 - 4) = 0
r1 = r6
r2 = 0
r3 = r10
r3 += -4
r4 = 4
r5 = 0
call 9
r0 = *(u32 *)(r7 + 0)
out:
r0 = 0
exit
