# fib.s — the 90th Fibonacci number by iteration (bpfrt demo).
# r0 = fib(n) with n = 90; fits in 64 bits (2880067194370816120).
mov %r1, 90
mov %r2, 0          # fib(i)
mov %r3, 1          # fib(i+1)
loop:
jeq %r1, 0, done
mov %r4, %r2
add %r4, %r3
mov %r2, %r3
mov %r3, %r4
sub %r1, 1
ja loop
done:
mov %r0, %r2
exit
