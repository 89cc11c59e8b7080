/* corpus.h — shared by the verifier corpus's C programs (tests/verifier/c). */
#ifndef VERIFIER_CORPUS_H
#define VERIFIER_CORPUS_H
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Keep the compiler from knowing a value (so a check it would fold stays). */
#define opaque(x) ({ __typeof__(x) __v = (x); asm volatile("" : "+r"(__v)); __v; })
#endif
