# type: xdp
# expect: reject
# error: R3 pointer arithmetic on pkt_end prohibited
# why: arithmetic on the data_end pointer is prohibited
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r3 += -1
r0 = 2
exit
