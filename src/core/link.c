/* link.c — BPF_LINK_CREATE, BPF_LINK_UPDATE, BPF_LINK_DETACH: the objects
 * that tie a program to an attach point and keep it there.
 *
 * A link holds its program; the attach point is a (attach_type, target)
 * pair in the runtime's link registry, which the hooks (packet sources,
 * tracers) consult to find what to run.  XDP links attach to an ifindex,
 * one per interface (-EBUSY for a second, as the kernel).  Updating swaps
 * the program atomically; a detached link keeps its fd but no program.
 */
#include "core/prog.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#define U64_PTR(x) ((void *)(uintptr_t)(x))

struct bpfrt_link {
	struct bpfrt_obj obj;
	uint32_t link_type;   /* enum bpf_link_type */
	uint32_t attach_type; /* enum bpf_attach_type */
	uint32_t target;      /* ifindex for XDP */
	struct bpfrt_prog *prog; /* one reference; NULL once detached */
	struct bpfrt_link *next; /* registry list, under rt->lock */
};

static void link_unregister(struct bpfrt_link *l)
{
	struct bpfrt *rt = l->obj.rt;
	pthread_mutex_lock(&rt->lock);
	for (struct bpfrt_link **p = (struct bpfrt_link **)&rt->links; *p; p = &(*p)->next) {
		if (*p == l) {
			*p = l->next;
			break;
		}
	}
	pthread_mutex_unlock(&rt->lock);
}

static void link_release(struct bpfrt_obj *obj)
{
	struct bpfrt_link *l = (struct bpfrt_link *)obj;
	link_unregister(l);
	if (l->prog)
		bpfrt_obj_put(&l->prog->obj);
	free(l);
}

/* The program attached at (attach_type, target), with a new reference, or
 * NULL.  For the hooks. */
struct bpfrt_prog *bpfrt_link_prog_at(struct bpfrt *rt, uint32_t attach_type, uint32_t target)
{
	struct bpfrt_prog *p = NULL;
	pthread_mutex_lock(&rt->lock);
	for (struct bpfrt_link *l = rt->links; l && !p; l = l->next) {
		if (l->attach_type == attach_type && l->target == target && l->prog) {
			p = l->prog;
			bpfrt_obj_get(&p->obj);
		}
	}
	pthread_mutex_unlock(&rt->lock);
	return p;
}

int bpfrt_cmd_link_create(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	struct bpfrt_obj *po = bpfrt_fd_get(rt, (int)attr->link_create.prog_fd, BPFRT_OBJ_PROG, &err);
	if (!po)
		return err;
	struct bpfrt_prog *prog = bpfrt_prog_from_obj(po);
	uint32_t type = attr->link_create.attach_type, target = attr->link_create.target_ifindex;
	if (type != BPF_XDP || prog->type != BPF_PROG_TYPE_XDP) {
		bpfrt_obj_put(po);
		return -EINVAL; /* the attach points bpfrt has today: XDP on an interface */
	}
	char name[IF_NAMESIZE];
	if (!target || !if_indextoname(target, name)) {
		bpfrt_obj_put(po);
		return -ENODEV;
	}
	struct bpfrt_link *l = bpfrt_zalloc(rt, sizeof(*l));
	if (!l) {
		bpfrt_obj_put(po);
		return -ENOMEM;
	}
	bpfrt_obj_init(&l->obj, rt, BPFRT_OBJ_LINK, link_release);
	l->link_type = BPF_LINK_TYPE_XDP, l->attach_type = type, l->target = target, l->prog = prog;
	pthread_mutex_lock(&rt->lock);
	for (struct bpfrt_link *o = rt->links; o; o = o->next)
		if (o->attach_type == type && o->target == target && o->prog)
			err = -EBUSY;
	if (!err) {
		l->next = rt->links;
		rt->links = l;
	}
	pthread_mutex_unlock(&rt->lock);
	if (!err)
		err = bpfrt_obj_publish(&l->obj);
	int fd = err ? err : bpfrt_fd_install(rt, &l->obj);
	bpfrt_obj_put(&l->obj); /* the fd holds it now, or it goes */
	return fd;
}

static struct bpfrt_link *link_get(struct bpfrt *rt, uint32_t fd, int *err)
{
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, (int)fd, BPFRT_OBJ_LINK, err);
	return (struct bpfrt_link *)obj;
}

int bpfrt_cmd_link_update(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	if (attr->link_update.flags & ~(uint32_t)BPF_F_REPLACE)
		return -EINVAL;
	if (!(attr->link_update.flags & BPF_F_REPLACE) && attr->link_update.old_prog_fd)
		return -EINVAL;
	struct bpfrt_link *l = link_get(rt, attr->link_update.link_fd, &err);
	if (!l)
		return err;
	struct bpfrt_obj *po = bpfrt_fd_get(rt, (int)attr->link_update.new_prog_fd, BPFRT_OBJ_PROG, &err);
	struct bpfrt_obj *old = NULL;
	if (po && (attr->link_update.flags & BPF_F_REPLACE))
		old = bpfrt_fd_get(rt, (int)attr->link_update.old_prog_fd, BPFRT_OBJ_PROG, &err);
	if (po && (!(attr->link_update.flags & BPF_F_REPLACE) || old)) {
		struct bpfrt_prog *np = bpfrt_prog_from_obj(po);
		pthread_mutex_lock(&rt->lock);
		if (!l->prog)
			err = -ENOLINK;
		else if (np->type != l->prog->type)
			err = -EINVAL;
		else if (old && bpfrt_prog_from_obj(old) != l->prog)
			err = -EPERM;
		struct bpfrt_prog *prev = err ? NULL : l->prog;
		if (!err) {
			l->prog = np;
			po = NULL; /* the link keeps this reference */
		}
		pthread_mutex_unlock(&rt->lock);
		if (prev)
			bpfrt_obj_put(&prev->obj);
	}
	bpfrt_obj_put(po);
	bpfrt_obj_put(old);
	bpfrt_obj_put(&l->obj);
	return err;
}

int bpfrt_cmd_link_detach(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	struct bpfrt_link *l = link_get(rt, attr->link_detach.link_fd, &err);
	if (!l)
		return err;
	pthread_mutex_lock(&rt->lock);
	struct bpfrt_prog *prev = l->prog;
	l->prog = NULL;
	pthread_mutex_unlock(&rt->lock);
	if (prev) /* detaching twice is not an error, as with the kernel's XDP links */
		bpfrt_obj_put(&prev->obj);
	bpfrt_obj_put(&l->obj);
	return 0;
}

int bpfrt_link_info(struct bpfrt_obj *obj, union bpf_attr *attr)
{
	struct bpfrt_link *l = (struct bpfrt_link *)obj;
	struct bpf_link_info info;
	const uint8_t *u = U64_PTR(attr->info.info);
	for (size_t i = sizeof(info); i < attr->info.info_len; i++)
		if (u[i])
			return -E2BIG;
	uint32_t len = attr->info.info_len < sizeof(info) ? attr->info.info_len : (uint32_t)sizeof(info);
	memset(&info, 0, sizeof(info));
	info.type = l->link_type;
	info.id = l->obj.id;
	pthread_mutex_lock(&obj->rt->lock);
	info.prog_id = l->prog ? l->prog->obj.id : 0;
	pthread_mutex_unlock(&obj->rt->lock);
	info.xdp.ifindex = l->target;
	memcpy(U64_PTR(attr->info.info), &info, len);
	attr->info.info_len = len;
	return 0;
}
