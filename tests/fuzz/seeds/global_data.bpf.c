/* global_data.bpf.c — fuzz seed: .data, .rodata, .bss and a named .data.*
 * section read and written by a syscall program, plus a kconfig extern. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter = 7;
const volatile int limit = 100;
long scratch[4];
int tagged SEC(".data.tagged") = 3;
const char greeting[] = "hello";
extern unsigned int LINUX_KERNEL_VERSION __kconfig;

struct point {
	int x, y;
	char tag;
} origin = {1, 2, 'o'};

SEC("syscall")
int bump(void *ctx)
{
	if (counter < limit)
		counter++;
	scratch[counter & 3] += tagged + origin.x + greeting[1];
	return counter + (LINUX_KERNEL_VERSION != 0);
}

char LICENSE[] SEC("license") = "GPL";
