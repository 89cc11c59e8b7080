# type: sched_cls
# expect: reject
# error: subtraction from stack pointer prohibited
# why: the kernel forbids subtracting from a stack pointer (add a negative instead)
r0 = 0
r2 = r10
r2 -= r0
r0 = 0
exit
