# type: xdp
# expect: reject
# error: R7 invalid mem access 'scalar'
# why: bpf_xdp_adjust_tail invalidates earlier packet pointers
r6 = r1
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r7 = r2
r4 = r2
r4 += 4
if r4 > r3 goto out
r1 = r6
r2 = 0
call 65
r0 = *(u32 *)(r7 + 0)
out:
r0 = 2
exit
