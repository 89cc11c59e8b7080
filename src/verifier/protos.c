/* protos.c — the verifier's helper prototypes (protos.h): one row per helper
 * bpfrt implements (src/helpers/ register them; bpf_tail_call is the
 * interpreter's own, src/vm/prog.c), transcribed from the kernel's
 * bpf_func_proto of the same helper, plus the map-type/helper
 * compatibility rules of the kernel's check_map_func_compatibility.
 *
 * Invariants:
 *  - a row exists (name != NULL) exactly for the helpers bpfrt can call;
 *    every other id has no prototype and the engine rejects the call;
 *  - kernel arg types map to ours as: ARG_PTR_TO_MEM|MEM_RDONLY ->
 *    ARG_PTR_TO_MEM, ARG_PTR_TO_MEM|PTR_MAYBE_NULL(|MEM_RDONLY) ->
 *    ARG_PTR_TO_MEM_OR_NULL, ARG_PTR_TO_UNINIT_MEM -> ARG_PTR_TO_UNINIT_MEM,
 *    ARG_PTR_TO_MAP_VALUE|MEM_UNINIT -> ARG_PTR_TO_UNINIT_MAP_VALUE,
 *    ARG_PTR_TO_RINGBUF_MEM|OBJ_RELEASE -> ARG_PTR_TO_ALLOC_MEM (+VF_RELEASE),
 *    ARG_PTR_TO_FIXED_SIZE_MEM|MEM_UNINIT|MEM_ALIGNED of 8 bytes (strtol's
 *    result) -> ARG_PTR_TO_LONG with arg_size 8;
 *  - prog_types was measured on the host kernel (6.18, as root) by
 *    tests/verifier/test_ctx_table.c, which checks it on every run; the one
 *    deliberate difference is VF_PRIVILEGED_READ: bpf_probe_read_user/
 *    kernel(_str) are restricted to the tracing types, where the kernel also
 *    has bpf_probe_read(_str) (docs/verifier-helpers.md);
 *  - VF_PKT_ACCESS is the kernel's pkt_access: map lookup/update/delete,
 *    push (not pop or peek) and csum_diff;
 *  - RET_INTEGER ranges are the full range (ret_min > ret_max) unless the
 *    kernel refines them (do_refine_retval_range).
 */
#include "verifier/protos.h"

#include <linux/bpf.h>
#include <stddef.h>

#define PT(t) (1ull << BPF_PROG_TYPE_##t)
#define MT(t) (1ull << BPF_MAP_TYPE_##t)

/* Program type groups, as the kernel's get_func_proto functions offer them. */
#define PT_TRACING (PT(KPROBE) | PT(TRACEPOINT) | PT(PERF_EVENT) | PT(RAW_TRACEPOINT) | PT(SYSCALL))
#define PT_SKB (PT(SOCKET_FILTER) | PT(SCHED_CLS) | PT(SCHED_ACT))
#define PT_TC (PT(SCHED_CLS) | PT(SCHED_ACT))
#define PT_NET (PT_SKB | PT(XDP))

#define MT_FOR_EACH (MT(HASH) | MT(PERCPU_HASH) | MT(LRU_HASH) | MT(LRU_PERCPU_HASH) | MT(ARRAY) | MT(PERCPU_ARRAY))

/* The full range: the kernel knows nothing of the value. */
#define ANY .ret_min = 1, .ret_max = 0
#define A(...) .args = {__VA_ARGS__}

static const struct vf_helper_proto protos[] = {
	[BPF_FUNC_map_lookup_elem] = {"bpf_map_lookup_elem", RET_PTR_TO_MAP_VALUE_OR_NULL,
				      A(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY), ANY, .flags = VF_PKT_ACCESS},
	[BPF_FUNC_map_update_elem] = {"bpf_map_update_elem", RET_INTEGER,
				      A(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING), ANY,
				      .flags = VF_PKT_ACCESS},
	[BPF_FUNC_map_delete_elem] = {"bpf_map_delete_elem", RET_INTEGER,
				      A(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY), ANY, .flags = VF_PKT_ACCESS},
	[BPF_FUNC_map_push_elem] = {"bpf_map_push_elem", RET_INTEGER,
				    A(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING), ANY, .flags = VF_PKT_ACCESS,
				    .map_types = MT(QUEUE) | MT(STACK) | MT(BLOOM_FILTER)},
	[BPF_FUNC_map_pop_elem] = {"bpf_map_pop_elem", RET_INTEGER, A(ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE),
				   ANY, .map_types = MT(QUEUE) | MT(STACK)},
	[BPF_FUNC_map_peek_elem] = {"bpf_map_peek_elem", RET_INTEGER, A(ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE),
				    ANY,
				    .map_types = MT(QUEUE) | MT(STACK) | MT(BLOOM_FILTER)},
	[BPF_FUNC_tail_call] = {"bpf_tail_call", RET_VOID, A(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING), ANY,
				.flags = VF_TAIL_CALL, .map_types = MT(PROG_ARRAY)},
	[BPF_FUNC_for_each_map_elem] = {"bpf_for_each_map_elem", RET_INTEGER,
					A(ARG_CONST_MAP_PTR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING), ANY,
					.flags = VF_CALLBACK, .callback = VF_CB_FOR_EACH_MAP, .map_types = MT_FOR_EACH},
	[BPF_FUNC_loop] = {"bpf_loop", RET_INTEGER, A(ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING),
			   ANY, .flags = VF_CALLBACK, .callback = VF_CB_LOOP},

	/* Ring buffers and perf event output. */
	[BPF_FUNC_ringbuf_output] = {"bpf_ringbuf_output", RET_INTEGER,
				     A(ARG_CONST_MAP_PTR, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), ANY,
				     .map_types = MT(RINGBUF)},
	[BPF_FUNC_ringbuf_reserve] = {"bpf_ringbuf_reserve", RET_PTR_TO_ALLOC_MEM_OR_NULL,
				      A(ARG_CONST_MAP_PTR, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING), ANY,
				      .flags = VF_ACQUIRE, .map_types = MT(RINGBUF)},
	[BPF_FUNC_ringbuf_submit] = {"bpf_ringbuf_submit", RET_VOID, A(ARG_PTR_TO_ALLOC_MEM, ARG_ANYTHING), ANY,
				     .flags = VF_RELEASE},
	[BPF_FUNC_ringbuf_discard] = {"bpf_ringbuf_discard", RET_VOID, A(ARG_PTR_TO_ALLOC_MEM, ARG_ANYTHING), ANY,
				      .flags = VF_RELEASE},
	[BPF_FUNC_ringbuf_query] = {"bpf_ringbuf_query", RET_INTEGER, A(ARG_CONST_MAP_PTR, ARG_ANYTHING), ANY,
				    .map_types = MT(RINGBUF)},
	[BPF_FUNC_perf_event_output] = {"bpf_perf_event_output", RET_INTEGER,
					A(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_PTR_TO_MEM,
					  ARG_CONST_SIZE_OR_ZERO),
					ANY, .flags = VF_GPL_ONLY, .map_types = MT(PERF_EVENT_ARRAY)},

	/* Spin locks in map values. */
	[BPF_FUNC_spin_lock] = {"bpf_spin_lock", RET_VOID, A(ARG_PTR_TO_SPIN_LOCK), ANY, .flags = VF_SPIN_LOCK},
	[BPF_FUNC_spin_unlock] = {"bpf_spin_unlock", RET_VOID, A(ARG_PTR_TO_SPIN_LOCK), ANY, .flags = VF_SPIN_UNLOCK},

	/* Time, random numbers, the current task. */
	[BPF_FUNC_ktime_get_ns] = {"bpf_ktime_get_ns", RET_INTEGER, A(0), ANY},
	[BPF_FUNC_ktime_get_boot_ns] = {"bpf_ktime_get_boot_ns", RET_INTEGER, A(0), ANY},
	[BPF_FUNC_ktime_get_coarse_ns] = {"bpf_ktime_get_coarse_ns", RET_INTEGER, A(0), ANY,
					  .prog_types = PT_NET}, /* the kernel keeps it from tracing programs */
	[BPF_FUNC_jiffies64] = {"bpf_jiffies64", RET_INTEGER, A(0), ANY},
	[BPF_FUNC_get_prandom_u32] = {"bpf_get_prandom_u32", RET_INTEGER, A(0), ANY},
	/* The kernel refines to [0, nr_cpu_ids - 1]; bpfrt's value is sched_getcpu(). */
	[BPF_FUNC_get_smp_processor_id] = {"bpf_get_smp_processor_id", RET_INTEGER, A(0), .ret_min = 0,
					   .ret_max = INT32_MAX},
	[BPF_FUNC_get_numa_node_id] = {"bpf_get_numa_node_id", RET_INTEGER, A(0), ANY},
	[BPF_FUNC_get_current_pid_tgid] = {"bpf_get_current_pid_tgid", RET_INTEGER, A(0), ANY},
	[BPF_FUNC_get_current_uid_gid] = {"bpf_get_current_uid_gid", RET_INTEGER, A(0), ANY},
	[BPF_FUNC_get_current_comm] = {"bpf_get_current_comm", RET_INTEGER, A(ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE),
				       ANY},

	/* Output and strings. */
	[BPF_FUNC_trace_printk] = {"bpf_trace_printk", RET_INTEGER, A(ARG_PTR_TO_MEM, ARG_CONST_SIZE), ANY,
				   .flags = VF_GPL_ONLY},
	[BPF_FUNC_trace_vprintk] = {"bpf_trace_vprintk", RET_INTEGER,
				    A(ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO), ANY,
				    .flags = VF_GPL_ONLY},
	[BPF_FUNC_snprintf] = {"bpf_snprintf", RET_INTEGER,
			       A(ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_CONST_STR,
				 ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO),
			       ANY, .flags = VF_GPL_ONLY},
	[BPF_FUNC_strncmp] = {"bpf_strncmp", RET_INTEGER, A(ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_PTR_TO_CONST_STR), ANY},
	[BPF_FUNC_strtol] = {"bpf_strtol", RET_INTEGER, A(ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_PTR_TO_LONG),
			     .arg_size = {0, 0, 0, 8}, ANY},
	[BPF_FUNC_strtoul] = {"bpf_strtoul", RET_INTEGER, A(ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_PTR_TO_LONG),
			      .arg_size = {0, 0, 0, 8}, ANY},

	/* Reads of process memory: tracing programs only (bpfrt's rule). */
	[BPF_FUNC_probe_read] = {"bpf_probe_read", RET_INTEGER,
				 A(ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), ANY,
				 .flags = VF_GPL_ONLY | VF_PRIVILEGED_READ, .prog_types = PT_TRACING},
	[BPF_FUNC_probe_read_str] = {"bpf_probe_read_str", RET_INTEGER,
				     A(ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), ANY,
				     .flags = VF_GPL_ONLY | VF_PRIVILEGED_READ, .prog_types = PT_TRACING},
	[BPF_FUNC_probe_read_user] = {"bpf_probe_read_user", RET_INTEGER,
				      A(ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), ANY,
				      .flags = VF_GPL_ONLY | VF_PRIVILEGED_READ, .prog_types = PT_TRACING},
	[BPF_FUNC_probe_read_kernel] = {"bpf_probe_read_kernel", RET_INTEGER,
					A(ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), ANY,
					.flags = VF_GPL_ONLY | VF_PRIVILEGED_READ, .prog_types = PT_TRACING},
	[BPF_FUNC_probe_read_user_str] = {"bpf_probe_read_user_str", RET_INTEGER,
					  A(ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), ANY,
					  .flags = VF_GPL_ONLY | VF_PRIVILEGED_READ, .prog_types = PT_TRACING},
	[BPF_FUNC_probe_read_kernel_str] = {"bpf_probe_read_kernel_str", RET_INTEGER,
					    A(ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), ANY,
					    .flags = VF_GPL_ONLY | VF_PRIVILEGED_READ, .prog_types = PT_TRACING},

	/* Acting on the traced task (src/helpers/task_control.c).  bpfrt also
	 * gives bpf_override_return to syscall tracepoints, where it denies a
	 * call (sys_enter) or replaces its result (sys_exit); the kernel only
	 * to kprobes (with CONFIG_BPF_KPROBE_OVERRIDE).  Signals: every type,
	 * as the kernel's base set (no task outside tracing: -EPERM). */
	[BPF_FUNC_override_return] = {"bpf_override_return", RET_INTEGER, A(ARG_PTR_TO_CTX, ARG_ANYTHING), ANY,
				      .flags = VF_GPL_ONLY,
				      .prog_types = PT(KPROBE) | PT(TRACEPOINT) | PT(RAW_TRACEPOINT)},
	[BPF_FUNC_send_signal] = {"bpf_send_signal", RET_INTEGER, A(ARG_ANYTHING), ANY},
	[BPF_FUNC_send_signal_thread] = {"bpf_send_signal_thread", RET_INTEGER, A(ARG_ANYTHING), ANY},

	/* The current task beyond its ids, its stack, the attachment
	 * (src/helpers/task.c, stack.c). */
	[BPF_FUNC_get_current_task] = {"bpf_get_current_task", RET_INTEGER, A(0), ANY, .flags = VF_GPL_ONLY},
	[BPF_FUNC_get_stack] = {"bpf_get_stack", RET_INTEGER,
				A(ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), ANY,
				.flags = VF_GPL_ONLY, .prog_types = PT_TRACING},
	[BPF_FUNC_get_stackid] = {"bpf_get_stackid", RET_INTEGER, A(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING), ANY,
				  .flags = VF_GPL_ONLY, .prog_types = PT_TRACING, .map_types = MT(STACK_TRACE)},
	[BPF_FUNC_get_ns_current_pid_tgid] = {"bpf_get_ns_current_pid_tgid", RET_INTEGER,
					      A(ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE), ANY},
	[BPF_FUNC_get_attach_cookie] = {"bpf_get_attach_cookie", RET_INTEGER, A(ARG_PTR_TO_CTX), ANY,
					.prog_types = PT_TRACING & ~PT(SYSCALL)},

	/* Packets. */
	[BPF_FUNC_skb_load_bytes] = {"bpf_skb_load_bytes", RET_INTEGER,
				     A(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE), ANY,
				     .prog_types = PT_SKB},
	[BPF_FUNC_csum_diff] = {"bpf_csum_diff", RET_INTEGER,
				A(ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_MEM_OR_NULL,
				  ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
				ANY, .flags = VF_PKT_ACCESS, .prog_types = PT_TC | PT(XDP)},
	[BPF_FUNC_xdp_adjust_head] = {"bpf_xdp_adjust_head", RET_INTEGER, A(ARG_PTR_TO_CTX, ARG_ANYTHING), ANY,
				      .flags = VF_PKT_CHANGED, .prog_types = PT(XDP)},
	[BPF_FUNC_xdp_adjust_meta] = {"bpf_xdp_adjust_meta", RET_INTEGER, A(ARG_PTR_TO_CTX, ARG_ANYTHING), ANY,
				      .flags = VF_PKT_CHANGED, .prog_types = PT(XDP)},
	[BPF_FUNC_xdp_adjust_tail] = {"bpf_xdp_adjust_tail", RET_INTEGER, A(ARG_PTR_TO_CTX, ARG_ANYTHING), ANY,
				      .flags = VF_PKT_CHANGED, .prog_types = PT(XDP)},
	/* The target goes to the run's redirect info (core/pkt_ctx.h); tc's and
	 * XDP's versions differ in flags and verdicts (helpers/packet.c). */
	[BPF_FUNC_redirect] = {"bpf_redirect", RET_INTEGER, A(ARG_ANYTHING, ARG_ANYTHING), ANY,
			       .prog_types = PT_TC | PT(XDP)},
	[BPF_FUNC_redirect_map] = {"bpf_redirect_map", RET_INTEGER, A(ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING),
				   ANY, .prog_types = PT(XDP),
				   .map_types = MT(DEVMAP) | MT(DEVMAP_HASH) | MT(CPUMAP) | MT(XSKMAP)},
	/* tc packet writes (helpers/packet.c): they move or may move the data. */
	[BPF_FUNC_skb_store_bytes] = {"bpf_skb_store_bytes", RET_INTEGER,
				      A(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING), ANY,
				      .flags = VF_PKT_CHANGED, .prog_types = PT_TC},
	[BPF_FUNC_l3_csum_replace] = {"bpf_l3_csum_replace", RET_INTEGER,
				      A(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING), ANY,
				      .flags = VF_PKT_CHANGED, .prog_types = PT_TC},
	[BPF_FUNC_l4_csum_replace] = {"bpf_l4_csum_replace", RET_INTEGER,
				      A(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING), ANY,
				      .flags = VF_PKT_CHANGED, .prog_types = PT_TC},
};

const struct vf_helper_proto *vf_helper_proto(uint32_t id)
{
	if (id >= sizeof(protos) / sizeof(protos[0]) || !protos[id].name)
		return NULL;
	return &protos[id];
}

/* The kernel's check_map_func_compatibility, first direction: maps of these
 * types go only to the helpers listed (0-terminated).  The second direction
 * (a helper that takes only some map types) is the rows' map_types. */
static const struct {
	uint32_t map_type;
	uint32_t helpers[8];
} map_only[] = {
	{BPF_MAP_TYPE_PROG_ARRAY, {BPF_FUNC_tail_call}},
	{BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	 {BPF_FUNC_perf_event_read, BPF_FUNC_perf_event_output, BPF_FUNC_perf_event_read_value,
	  BPF_FUNC_skb_output, BPF_FUNC_xdp_output}},
	{BPF_MAP_TYPE_RINGBUF,
	 {BPF_FUNC_ringbuf_output, BPF_FUNC_ringbuf_reserve, BPF_FUNC_ringbuf_query, BPF_FUNC_ringbuf_reserve_dynptr,
	  BPF_FUNC_ringbuf_submit_dynptr, BPF_FUNC_ringbuf_discard_dynptr}},
	{BPF_MAP_TYPE_USER_RINGBUF, {BPF_FUNC_user_ringbuf_drain}},
	{BPF_MAP_TYPE_STACK_TRACE, {BPF_FUNC_get_stackid}},
	{BPF_MAP_TYPE_CGROUP_ARRAY, {BPF_FUNC_skb_under_cgroup, BPF_FUNC_current_task_under_cgroup}},
	{BPF_MAP_TYPE_CGROUP_STORAGE, {BPF_FUNC_get_local_storage}},
	{BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, {BPF_FUNC_get_local_storage}},
	{BPF_MAP_TYPE_DEVMAP, {BPF_FUNC_redirect_map, BPF_FUNC_map_lookup_elem}},
	{BPF_MAP_TYPE_DEVMAP_HASH, {BPF_FUNC_redirect_map, BPF_FUNC_map_lookup_elem}},
	{BPF_MAP_TYPE_CPUMAP, {BPF_FUNC_redirect_map}},
	{BPF_MAP_TYPE_XSKMAP, {BPF_FUNC_redirect_map, BPF_FUNC_map_lookup_elem}},
	{BPF_MAP_TYPE_ARRAY_OF_MAPS, {BPF_FUNC_map_lookup_elem}},
	{BPF_MAP_TYPE_HASH_OF_MAPS, {BPF_FUNC_map_lookup_elem}},
	{BPF_MAP_TYPE_QUEUE, {BPF_FUNC_map_peek_elem, BPF_FUNC_map_pop_elem, BPF_FUNC_map_push_elem}},
	{BPF_MAP_TYPE_STACK, {BPF_FUNC_map_peek_elem, BPF_FUNC_map_pop_elem, BPF_FUNC_map_push_elem}},
	{BPF_MAP_TYPE_BLOOM_FILTER, {BPF_FUNC_map_peek_elem, BPF_FUNC_map_push_elem}},
};

bool vf_map_helper_ok(uint32_t map_type, uint32_t helper_id)
{
	const struct vf_helper_proto *p = vf_helper_proto(helper_id);
	if (p && p->map_types && (map_type >= 64 || !(p->map_types & (1ull << map_type))))
		return false;
	for (size_t i = 0; i < sizeof(map_only) / sizeof(map_only[0]); i++) {
		if (map_only[i].map_type != map_type)
			continue;
		for (size_t j = 0; j < 8 && map_only[i].helpers[j]; j++)
			if (map_only[i].helpers[j] == helper_id)
				return true;
		return false;
	}
	return true;
}
