# type: xdp
# maps: array 4 48 1
# expect: reject
# error: math between map_value pointer and register with unbounded min value is not allowed
# why: the kernel does not bound a division result (BPF_DIV yields unknown)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r6 = r0
call 7
w0 /= 0x10000000
r6 += r0
r0 = *(u8 *)(r6 + 0)
exit
out:
r0 = 0
exit
