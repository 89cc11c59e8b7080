# type: sched_cls
# expect: accept
# why: narrow (1-byte) loads of __sk_buff fields are allowed
r0 = *(u8 *)(r1 + 8)
exit
