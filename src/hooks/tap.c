/* tap.c — TAP devices for frames an XDP program passes (see tap.h).  The
 * device lives as long as its fd unless someone made it persistent
 * (ip tuntap add ...), in which case bpfrt attaches to it.
 */
#define _GNU_SOURCE
#include "hooks/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char **what, const char *step)
{
	int err = -errno;
	if (what)
		*what = step;
	return err;
}

/* IFF_UP through a throwaway socket, as `ip link set NAME up`. */
static int bring_up(const char *name, const char **what)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return fail(what, "socket for SIOCSIFFLAGS");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	int err = 0;
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		err = fail(what, "SIOCGIFFLAGS");
	else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			err = fail(what, "SIOCSIFFLAGS");
	}
	close(s);
	return err;
}

int bpfrt_tap_open(const char *name, char out_name[IFNAMSIZ], const char **what)
{
	if (!name || !name[0] || strlen(name) >= IFNAMSIZ) {
		if (what)
			*what = "device name";
		return -EINVAL;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(what, "open /dev/net/tun");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	int err = 0;
	if (ioctl(fd, TUNSETIFF, &ifr))
		err = fail(what, "TUNSETIFF");
	if (!err)
		err = bring_up(ifr.ifr_name, what);
	if (err) {
		close(fd);
		return err;
	}
	memcpy(out_name, ifr.ifr_name, IFNAMSIZ);
	out_name[IFNAMSIZ - 1] = 0;
	return fd;
}
