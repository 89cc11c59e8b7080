/* sample.bpf.c — BTF test input (tests/btf): one of each shape the dumpers
 * must get right: bitfields, padding, a packed struct, nested anonymous
 * unions, function pointers, enums, typedef chains and a map value. */

/* Self-contained: no system headers, so any clang -target bpf builds it. */
#define SEC(name) __attribute__((section(name), used))
#define BPF_MAP_TYPE_ARRAY 2
#define XDP_DROP 1
#define XDP_PASS 2

struct xdp_md {
	unsigned int data;
	unsigned int data_end;
	unsigned int data_meta;
	unsigned int ingress_ifindex;
	unsigned int rx_queue_index;
	unsigned int egress_ifindex;
};

typedef unsigned int u32;
typedef unsigned long long u64;

enum color { RED, GREEN = 5, BLUE = -1 };

struct flags {
	u32 lo: 3;
	u32 mid: 7;
	u32 hi: 22;
};

struct __attribute__((packed)) packed {
	char c;
	u64 v;
};

struct sample_value {
	int count;
	char name[12];
	struct flags f;
	enum color color;
	union {
		u64 raw;
		struct {
			u32 a;
			u32 b;
		};
	};
	struct packed pk;
	_Bool on;
	__int128 big;
	int (*cb)(struct sample_value *, const char *);
	struct sample_value *next;
};

typedef struct sample_value sample_value_t;
typedef const sample_value_t csv_t;

struct {
	int (*type)[BPF_MAP_TYPE_ARRAY];
	int (*max_entries)[4];
	u32 *key;
	sample_value_t *value;
} values SEC(".maps");

int counter = 0;

static __attribute__((noinline)) int touch(csv_t *v)
{
	return v->count + v->f.mid; /* LINE:touch */
}

SEC("xdp")
int sample_prog(struct xdp_md *ctx)
{
	struct sample_value v = {0};
	v.count = ctx->ingress_ifindex; /* LINE:count */
	counter += 1; /* LINE:counter */
	return touch(&v) > 3 ? XDP_PASS : XDP_DROP; /* LINE:return */
}

char _license[] SEC("license") = "GPL";
