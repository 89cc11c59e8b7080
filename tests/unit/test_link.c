/* test_link.c — LINK_CREATE / LINK_UPDATE / LINK_DETACH for XDP links on
 * the loopback interface, with the kernel's errno values, and link info. */
#include "bpfrt/bpfrt.h"
#include "check.h"

#include <errno.h>
#include <string.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

static struct bpfrt *rt;

static int load(uint32_t type, int32_t ret)
{
	const struct bpf_insn prog[] = {INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, ret), INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type, a.insns = (uintptr_t)prog, a.insn_cnt = 2, a.license = (uintptr_t)"GPL";
	return bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}

static int link_create(int prog, uint32_t attach, uint32_t ifindex)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog, a.link_create.attach_type = attach;
	a.link_create.target_ifindex = ifindex;
	return bpfrt_bpf(rt, BPF_LINK_CREATE, &a, sizeof(a));
}

static int link_update(int link, int prog, uint32_t flags, int old)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.link_update.link_fd = (uint32_t)link, a.link_update.new_prog_fd = (uint32_t)prog;
	a.link_update.flags = flags, a.link_update.old_prog_fd = (uint32_t)old;
	return bpfrt_bpf(rt, BPF_LINK_UPDATE, &a, sizeof(a));
}

static struct bpf_link_info info_of(int fd)
{
	struct bpf_link_info info;
	union bpf_attr a;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd, a.info.info = (uintptr_t)&info, a.info.info_len = sizeof(info);
	bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
	return info;
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd, a.info.info = (uintptr_t)&info, a.info.info_len = sizeof(info);
	bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
	return info.id;
}

int main(void)
{
	rt = bpfrt_new(NULL);
	int p1 = load(BPF_PROG_TYPE_XDP, 2), p2 = load(BPF_PROG_TYPE_XDP, 1), sf = load(BPF_PROG_TYPE_SOCKET_FILTER, 0);
	CHECK(link_create(sf, BPF_XDP, 1) == -EINVAL, "socket filter as XDP");
	CHECK(link_create(p1, BPF_XDP, 0) == -ENODEV, "ifindex 0");
	CHECK(link_create(p1, BPF_XDP, 999999) == -ENODEV, "no such interface");
	CHECK(link_create(99, BPF_XDP, 1) == -EBADF, "bad prog fd");
	int l = link_create(p1, BPF_XDP, 1);
	CHECK(l >= 0, "link on lo: %d", l);
	CHECK(link_create(p2, BPF_XDP, 1) == -EBUSY, "second link on lo");
	struct bpf_link_info li = info_of(l);
	CHECK(li.type == BPF_LINK_TYPE_XDP && li.id > 0 && li.prog_id == prog_id(p1) && li.xdp.ifindex == 1, "info");
	/* The link holds its program: closing the fd keeps it attached. */
	bpfrt_close(rt, p1);
	CHECK(info_of(l).prog_id == li.prog_id, "program held by the link");
	CHECK(link_update(l, sf, 0, 0) == -EINVAL, "update to another program type");
	CHECK(link_update(l, p2, BPF_F_REPLACE, p2) == -EPERM, "replace with the wrong old program");
	CHECK(link_update(l, p2, 0, 0) == 0 && info_of(l).prog_id == prog_id(p2), "update");
	CHECK(link_update(l, p2, 0x80, 0) == -EINVAL, "unknown flags");
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.link_detach.link_fd = (uint32_t)l;
	CHECK(bpfrt_bpf(rt, BPF_LINK_DETACH, &a, sizeof(a)) == 0, "detach");
	CHECK(info_of(l).prog_id == 0, "detached link has no program");
	CHECK(link_update(l, p2, 0, 0) == -ENOLINK, "update after detach");
	CHECK(bpfrt_bpf(rt, BPF_LINK_DETACH, &a, sizeof(a)) == 0, "detach twice");
	int l2 = link_create(p2, BPF_XDP, 1);
	CHECK(l2 >= 0, "interface free again after detach: %d", l2);
	a.link_detach.link_fd = (uint32_t)p2;
	CHECK(bpfrt_bpf(rt, BPF_LINK_DETACH, &a, sizeof(a)) == -EINVAL, "detach a prog fd");
	memset(&a, 0, sizeof(a));
	CHECK(bpfrt_bpf(rt, BPF_LINK_GET_NEXT_ID, &a, sizeof(a)) == 0 && a.next_id == li.id, "link ids");
	bpfrt_free(rt);
	return CHECK_DONE();
}
