// SPDX-License-Identifier: MIT
/*
 * netns.c - the namespace guest: user ns mapping, taps, addresses, routes,
 * resolv.conf and host name
 *
 * Theory of operation
 *
 * `mvm run --netns` forks a child that calls netns_setup(), then forks the
 * guest's init and through it the command (guest_init.c, supervise.c). No
 * privilege is needed at any step:
 *
 * 1. unshare(CLONE_NEWUSER) gives the child every capability inside a new
 *    user namespace, in which it maps itself to root ("0 UID 1", after
 *    writing "deny" to setgroups as the kernel requires for unprivileged
 *    gid maps). The command thus runs as root inside and as the invoking
 *    user outside, like `unshare -r`.
 * 2. unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID): the
 *    new network, mount, UTS and PID namespaces are owned by that user
 *    namespace, so the child holds CAP_NET_ADMIN and CAP_SYS_ADMIN over them
 *    (and nothing else). The child itself stays in the host's PID
 *    namespace; its next fork() is PID 1 of the new one, which mounts the
 *    guest's /proc (only a process inside can: procfs shows the PID
 *    namespace of whoever mounts it).
 * 3. For each interface, in order, /dev/net/tun (mode 0666 on desktops) is
 *    opened and TUNSETIFF creates tap "ethN" inside the new network
 *    namespace, with IFF_VNET_HDR so that frames carry a 12-byte
 *    virtio_net_hdr: mvmd's switch passes that header through, so with
 *    TUNSETOFFLOAD (checksum, TSO) large GSO frames go from tap to tap
 *    unsegmented. The tap lives as long as a descriptor to it does; the
 *    descriptors go to the parent, which gives them to mvmd (SCM_RIGHTS).
 * 4. Over rtnetlink (libnl-route-3, not `ip`): lo up; each tap gets its MAC
 *    and MTU, then goes up, then gets its address with the broadcast; only
 *    the interface mvmd marked default_route gets the default route.
 * 5. resolv.conf: mounts are made private (nothing leaks to the host), a
 *    tmpfs is mounted for a moment on a directory of ours, the file is
 *    written there and bind-mounted over /etc/resolv.conf (over its target
 *    when it is a symlink); the tmpfs is then detached, and lives on only
 *    through that bind mount, which goes away with the namespace.
 * 6. sethostname(guest name).
 *
 * Nothing here prints; errors come back as sentences.
 */
#include "cli/netns.h"
#include "common/addr.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#define VNET_HDR_LEN 12		/* struct virtio_net_hdr_mrg_rxbuf */

static int seterr(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int seterr(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

int netns_iface_from_json(struct json_object *o, struct netns_iface *out,
			  char *err, size_t errlen)
{
	const char *s, *key;
	int64_t v;
	int b;

	memset(out, 0, sizeof(*out));
	key = "ifname";
	if (proto_get_str(o, key, &s) || str_copy(out->ifname, sizeof(out->ifname), s))
		goto bad;
	key = "mac";
	if (proto_get_str(o, key, &s) || mac_parse(s, out->mac))
		goto bad;
	key = "ip";
	if (proto_get_str(o, key, &s) || ip4_parse(s, &out->ip))
		goto bad;
	key = "prefix";
	if (proto_get_int(o, key, &v) || v < 1 || v > 32)
		goto bad;
	out->prefix = (uint8_t)v;
	key = "gateway";
	if (proto_get_str(o, key, &s) || ip4_parse(s, &out->gateway))
		goto bad;
	key = "mtu";
	if (proto_get_int(o, key, &v) || v < 68 || v > 65535)
		goto bad;
	out->mtu = (unsigned int)v;
	key = "default_route";
	if (proto_get_bool(o, key, &b))
		b = 0;
	out->default_route = b;
	key = "dns";
	if (!proto_get_str(o, key, &s) && ip4_parse(s, &out->dns))
		goto bad;
	key = "domain";
	if (!proto_get_str(o, key, &s) && str_copy(out->domain, sizeof(out->domain), s))
		goto bad;
	return 0;
bad:
	return seterr(err, errlen, -EINVAL,
		      "mvmd sent a guest interface with a missing or bad '%s'", key);
}

static int write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	size_t len = strlen(data);

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

static int read_sysctl(const char *path, long *out)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*out = strtol(buf, NULL, 10);
	return 0;
}

/* Say which knob forbids user namespaces when unshare() fails with @e */
static int userns_error(int e, char *err, size_t errlen)
{
	long v;

	if (!read_sysctl("/proc/sys/kernel/unprivileged_userns_clone", &v) && !v)
		return seterr(err, errlen, -e,
			      "unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone = 0); enable them with: sudo sysctl -w kernel.unprivileged_userns_clone=1");
	if (!read_sysctl("/proc/sys/user/max_user_namespaces", &v) && !v)
		return seterr(err, errlen, -e,
			      "user namespaces are disabled (sysctl user.max_user_namespaces = 0); enable them with: sudo sysctl -w user.max_user_namespaces=15000");
	if (!read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) && v)
		return seterr(err, errlen, -e,
			      "AppArmor restricts unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns = 1): %s",
			      strerror(e));
	if (e == ENOSPC)
		return seterr(err, errlen, -e,
			      "cannot create a user namespace: the limit user.max_user_namespaces is reached");
	if (e == EINVAL)
		return seterr(err, errlen, -e,
			      "cannot create a user namespace: this kernel lacks CONFIG_USER_NS");
	return seterr(err, errlen, -e,
		      "cannot create a user namespace: %s (is mvm running inside a container or a seccomp sandbox that forbids unshare?)",
		      strerror(e));
}

/* Steps 1 and 2: user namespace with us as root, then net, mount, uts, pid */
static int enter_namespaces(const struct netns_config *cfg, char *err, size_t errlen)
{
	char map[64];
	int ret;

	if (unshare(CLONE_NEWUSER) < 0)
		return userns_error(errno, err, errlen);
	ret = write_file("/proc/self/setgroups", "deny");
	if (ret && ret != -ENOENT)	/* absent before Linux 3.19 */
		return seterr(err, errlen, ret, "cannot write /proc/self/setgroups: %s",
			      strerror(-ret));
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)cfg->uid);
	ret = write_file("/proc/self/uid_map", map);
	if (ret)
		return ret == -EPERM ? userns_error(EPERM, err, errlen) :
		       seterr(err, errlen, ret, "cannot write uid_map: %s", strerror(-ret));
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)cfg->gid);
	ret = write_file("/proc/self/gid_map", map);
	if (ret)
		return seterr(err, errlen, ret, "cannot write gid_map: %s", strerror(-ret));
	if (unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID) < 0)
		return seterr(err, errlen, -errno,
			      "cannot create network, mount, UTS and PID namespaces: %s",
			      strerror(errno));
	return 0;
}

/* Step 3: one tap, "ethN", with a virtio_net_hdr and offloads if we can */
static int open_tap(const struct netns_iface *ifc, int *out, char *err, size_t errlen)
{
	struct ifreq ifr = { 0 };
	int fd, hdr = VNET_HDR_LEN, ret;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (errno == EACCES || errno == EPERM)
			return seterr(err, errlen, ret,
				      "cannot open /dev/net/tun: %s; /dev/net/tun must be mode 0666 (udev does this on desktops): sudo chmod 0666 /dev/net/tun",
				      strerror(errno));
		if (errno == ENOENT || errno == ENODEV)
			return seterr(err, errlen, ret,
				      "cannot open /dev/net/tun: %s (load the tun module: sudo modprobe tun)",
				      strerror(errno));
		return seterr(err, errlen, ret, "cannot open /dev/net/tun: %s",
			      strerror(errno));
	}
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	str_copy(ifr.ifr_name, sizeof(ifr.ifr_name), ifc->ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		close(fd);
		return seterr(err, errlen, ret, "cannot create tap %s: %s",
			      ifc->ifname, strerror(-ret));
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		ret = -errno;
		close(fd);
		return seterr(err, errlen, ret, "cannot set the vnet header size on %s: %s",
			      ifc->ifname, strerror(-ret));
	}
	/* without offloads the kernel segments and checksums for us: fine */
	(void)ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
	*out = fd;
	return 0;
}

static struct nl_addr *ip4_nl(uint32_t host_order, int prefix)
{
	uint32_t be = htonl(host_order);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof(be));

	if (a)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

static int link_change(struct nl_sock *sk, const char *ifname,
		       struct rtnl_link *change, int *ifindex)
{
	struct rtnl_link *link;
	int ret;

	ret = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (ret < 0)
		return ret;
	if (ifindex)
		*ifindex = rtnl_link_get_ifindex(link);
	ret = rtnl_link_change(sk, link, change, 0);
	rtnl_link_put(link);
	return ret;
}

static int link_up(struct nl_sock *sk, const char *ifname)
{
	struct rtnl_link *ch = rtnl_link_alloc();
	int ret;

	if (!ch)
		return -NLE_NOMEM;
	rtnl_link_set_flags(ch, IFF_UP);
	ret = link_change(sk, ifname, ch, NULL);
	rtnl_link_put(ch);
	return ret;
}

/* Step 4 for one interface: MAC + MTU, up, address, maybe default route */
static int config_iface(struct nl_sock *sk, const struct netns_iface *ifc,
			char *err, size_t errlen)
{
	struct rtnl_link *ch = rtnl_link_alloc();
	struct nl_addr *mac = nl_addr_build(AF_LLC, ifc->mac, 6), *a;
	struct rtnl_addr *addr;
	const char *what;
	int ifindex = 0, ret;

	what = "set the MAC address and MTU of";
	ret = -NLE_NOMEM;
	if (ch && mac) {
		rtnl_link_set_addr(ch, mac);
		rtnl_link_set_mtu(ch, ifc->mtu);
		ret = link_change(sk, ifc->ifname, ch, &ifindex);
	}
	if (ch)
		rtnl_link_put(ch);
	nl_addr_put(mac);
	if (ret < 0)
		goto fail;
	what = "bring up";
	ret = link_up(sk, ifc->ifname);
	if (ret < 0)
		goto fail;

	what = "add the address to";
	addr = rtnl_addr_alloc();
	a = ip4_nl(ifc->ip, ifc->prefix);
	ret = -NLE_NOMEM;
	if (addr && a) {
		struct nl_addr *bc = ip4_nl(ifc->ip | ~cidr4_mask(ifc->prefix), 32);

		rtnl_addr_set_ifindex(addr, ifindex);
		rtnl_addr_set_family(addr, AF_INET);
		rtnl_addr_set_local(addr, a);
		rtnl_addr_set_prefixlen(addr, ifc->prefix);
		if (bc)
			rtnl_addr_set_broadcast(addr, bc);
		nl_addr_put(bc);
		ret = rtnl_addr_add(sk, addr, 0);
	}
	nl_addr_put(a);
	if (addr)
		rtnl_addr_put(addr);
	if (ret < 0)
		goto fail;

	if (ifc->default_route) {
		struct rtnl_route *rt = rtnl_route_alloc();
		struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
		struct nl_addr *dst = ip4_nl(0, 0), *gw = ip4_nl(ifc->gateway, 32);

		what = "add the default route through";
		ret = -NLE_NOMEM;
		if (rt && nh && dst && gw) {
			rtnl_route_set_family(rt, AF_INET);
			rtnl_route_set_dst(rt, dst);
			rtnl_route_set_table(rt, RT_TABLE_MAIN);
			rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
			rtnl_route_set_protocol(rt, RTPROT_STATIC);
			rtnl_route_nh_set_ifindex(nh, ifindex);
			rtnl_route_nh_set_gateway(nh, gw);
			rtnl_route_add_nexthop(rt, nh);
			nh = NULL;	/* the route owns it now */
			ret = rtnl_route_add(sk, rt, NLM_F_CREATE | NLM_F_EXCL);
		}
		if (nh)
			rtnl_route_nh_free(nh);
		if (rt)
			rtnl_route_put(rt);
		nl_addr_put(dst);
		nl_addr_put(gw);
		if (ret < 0)
			goto fail;
	}
	return 0;
fail:
	return seterr(err, errlen, -EIO, "cannot %s %s: %s", what, ifc->ifname,
		      nl_geterror(ret));
}

static int config_links(const struct netns_config *cfg, char *err, size_t errlen)
{
	struct nl_sock *sk = nl_socket_alloc();
	size_t i;
	int ret;

	if (!sk)
		return seterr(err, errlen, -ENOMEM, "out of memory");
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (ret < 0) {
		nl_socket_free(sk);
		return seterr(err, errlen, -EIO, "cannot open a netlink socket: %s",
			      nl_geterror(ret));
	}
	ret = link_up(sk, "lo");
	if (ret < 0) {
		ret = seterr(err, errlen, -EIO, "cannot bring up lo: %s",
			     nl_geterror(ret));
		goto out;
	}
	for (i = 0; i < cfg->n_ifaces; i++) {
		ret = config_iface(sk, &cfg->ifaces[i], err, errlen);
		if (ret)
			goto out;
	}
	ret = 0;
out:
	nl_socket_free(sk);
	return ret;
}

/* resolv.conf text: the default-route interface's resolver and domain first */
static void resolv_text(const struct netns_config *cfg, char *buf, size_t size)
{
	size_t order[NETNS_MAX_IFACES], n = 0, i, j, len = 0;
	char ip[IP4_STRLEN];
	int w, ns = 0;

	for (i = 0; i < cfg->n_ifaces; i++)
		if (cfg->ifaces[i].default_route)
			order[n++] = i;
	for (i = 0; i < cfg->n_ifaces; i++)
		if (!cfg->ifaces[i].default_route)
			order[n++] = i;
	buf[0] = '\0';
	for (i = 0; i < n && ns < 3; i++) {	/* glibc reads three at most */
		const struct netns_iface *f = &cfg->ifaces[order[i]];
		int dup = 0;

		for (j = 0; j < i; j++)
			dup |= cfg->ifaces[order[j]].dns == f->dns;
		if (!f->dns || dup)
			continue;
		w = snprintf(buf + len, size - len, "nameserver %s\n",
			     ip4_format(f->dns, ip));
		if (w < 0 || (size_t)w >= size - len)
			return;
		len += (size_t)w;
		ns++;
	}
	for (i = 0; i < n; i++) {
		const struct netns_iface *f = &cfg->ifaces[order[i]];
		int dup = 0;

		for (j = 0; j < i; j++)
			dup |= !strcmp(cfg->ifaces[order[j]].domain, f->domain);
		if (!f->domain[0] || dup)
			continue;
		w = snprintf(buf + len, size - len, "%s%s", strstr(buf, "search ") ?
			     " " : "search ", f->domain);
		if (w < 0 || (size_t)w >= size - len)
			return;
		len += (size_t)w;
	}
	if (strstr(buf, "search ") && len + 1 < size)
		strcpy(buf + len, "\n");
}

/*
 * Step 5a: private mounts and a sysfs of the guest's own network namespace.
 * sysfs shows the devices of the namespace that mounted it, so without a
 * fresh mount /sys/class/net would list the host's interfaces, not eth0..N.
 * A sysfs that cannot be mounted (a nested sandbox) is a warning, not a
 * failure: networking works without it.
 */
static int config_mounts(char *err, size_t errlen, char *warn, size_t warnlen)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return seterr(err, errlen, -errno, "cannot make mounts private: %s",
			      strerror(errno));
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		snprintf(warn, warnlen,
			 "cannot mount the guest's own sysfs on /sys (%s); /sys/class/net shows the host's interfaces",
			 strerror(errno));
	return 0;
}

/* Step 5b: a private /etc/resolv.conf */
static int config_resolv(const struct netns_config *cfg, char *err, size_t errlen,
			 char *warn, size_t warnlen)
{
	char text[1024], file[4200];
	int fd, ret;

	resolv_text(cfg, text, sizeof(text));
	if (!text[0])
		return 0;
	if (access("/etc/resolv.conf", F_OK) < 0) {
		snprintf(warn, warnlen,
			 "/etc/resolv.conf does not exist (or is a dangling symlink); the guest gets no DNS configuration");
		return 0;
	}
	if (mount("tmpfs", cfg->scratch_dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=16k,mode=0755") < 0)
		return seterr(err, errlen, -errno, "cannot mount a tmpfs on %s: %s",
			      cfg->scratch_dir, strerror(errno));
	snprintf(file, sizeof(file), "%s/resolv.conf", cfg->scratch_dir);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ret = fd < 0 ? -errno : 0;
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
			ret = -EIO;
		close(fd);
	}
	if (!ret && mount(file, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
		ret = -errno;
	if (ret)
		seterr(err, errlen, ret, "cannot put a private /etc/resolv.conf in place: %s",
		       strerror(-ret));
	umount2(cfg->scratch_dir, MNT_DETACH);
	return ret;
}

int netns_setup(const struct netns_config *cfg, int *tap_fds,
		char *err, size_t errlen, char *warn, size_t warnlen)
{
	size_t i, n = 0;
	int ret;

	warn[0] = '\0';
	if (cfg->n_ifaces > NETNS_MAX_IFACES)
		return seterr(err, errlen, -E2BIG, "too many interfaces (%zu, limit %d)",
			      cfg->n_ifaces, NETNS_MAX_IFACES);
	ret = enter_namespaces(cfg, err, errlen);
	if (ret)
		return ret;
	for (n = 0; n < cfg->n_ifaces; n++) {
		ret = open_tap(&cfg->ifaces[n], &tap_fds[n], err, errlen);
		if (ret)
			goto fail;
	}
	ret = config_links(cfg, err, errlen);
	if (ret)
		goto fail;
	ret = config_mounts(err, errlen, warn, warnlen);
	if (ret)
		goto fail;
	ret = config_resolv(cfg, err, errlen, warn, warnlen);
	if (ret)
		goto fail;
	if (cfg->hostname[0] && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0) {
		ret = seterr(err, errlen, -errno, "cannot set the host name: %s",
			     strerror(errno));
		goto fail;
	}
	return 0;
fail:
	for (i = 0; i < n; i++)
		close(tap_fds[i]);
	return ret;
}
