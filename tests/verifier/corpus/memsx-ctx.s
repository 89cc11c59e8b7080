# type: sched_cls
# expect: accept
# why: a sign-extending narrow load from __sk_buff
r0 = *(s8 *)(r1 + 8)
exit
