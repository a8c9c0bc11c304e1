// SPDX-License-Identifier: MIT
/*
 * subnet.c - choosing network subnets that collide with nothing on the host
 *
 * The host's view comes from two rtnetlink dumps of the netns mvmd runs in:
 * every IPv4 address (with its prefix length: the on-link subnet) and every
 * IPv4 route of every table (main, local and policy-routing tables, so a VPN
 * that installs its routes in a table of its own is seen too). Default
 * routes are left out: they cover everything and would leave no choice.
 * Reading these dumps needs no privilege.
 */
#include "mvmd/subnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/util.h"

/* libnl reports its own NLE_* codes; map the ones that matter to errno */
static int nl_to_errno(int e)
{
	switch (e < 0 ? -e : e) {
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_BUSY:		return -EBUSY;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_INTR:		return -EINTR;
	default:		return -EIO;
	}
}

/**
 * struct prefix_list - growing array of host prefixes
 * @v:		the entries
 * @n:		entries used
 * @cap:	entries allocated
 * @err:	first error (-ENOMEM) hit while adding
 */
struct prefix_list {
	struct cidr4 *v;
	size_t n, cap;
	int err;
};

/* Add @a (network order, 4 bytes) / @prefix, masked, unless it is a default */
static void prefix_add(struct prefix_list *l, const struct nl_addr *a,
		       unsigned prefix)
{
	struct cidr4 c;
	uint32_t be;
	size_t i;

	if (!a || nl_addr_get_family(a) != AF_INET || prefix == 0 ||
	    prefix > 32 || nl_addr_get_len(a) != 4)
		return;
	memcpy(&be, nl_addr_get_binary_addr(a), 4);
	c.prefix = (uint8_t)prefix;
	c.addr = ntohl(be) & cidr4_mask(c.prefix);
	for (i = 0; i < l->n; i++)
		if (l->v[i].addr == c.addr && l->v[i].prefix == c.prefix)
			return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct cidr4 *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->err = -ENOMEM;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = c;
}

static void addr_cb(struct nl_object *o, void *arg)
{
	struct rtnl_addr *a = (struct rtnl_addr *)o;

	if (rtnl_addr_get_family(a) != AF_INET)
		return;
	prefix_add(arg, rtnl_addr_get_local(a),
		   (unsigned)rtnl_addr_get_prefixlen(a));
}

static void route_cb(struct nl_object *o, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)o;
	struct nl_addr *dst = rtnl_route_get_dst(r);

	if (rtnl_route_get_family(r) != AF_INET || !dst)
		return;
	prefix_add(arg, dst, nl_addr_get_prefixlen(dst));
}

int subnet_host_prefixes(struct cidr4 **out, size_t *n)
{
	struct prefix_list l = { 0 };
	struct nl_cache *addrs = NULL, *routes = NULL;
	struct nl_sock *sk;
	int ret;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (ret < 0)
		goto out;
	ret = rtnl_addr_alloc_cache(sk, &addrs);
	if (ret < 0)
		goto out;
	/* flags 0: a plain dump, which the kernel answers with every table */
	ret = rtnl_route_alloc_cache(sk, AF_INET, 0, &routes);
	if (ret < 0)
		goto out;
	nl_cache_foreach(addrs, addr_cb, &l);
	nl_cache_foreach(routes, route_cb, &l);
	ret = l.err;
out:
	if (routes)
		nl_cache_free(routes);
	if (addrs)
		nl_cache_free(addrs);
	nl_socket_free(sk);
	if (ret < 0) {
		free(l.v);
		return ret == -ENOMEM ? ret : nl_to_errno(ret);
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int subnet_find_conflict(const struct cidr4 *c, const struct cidr4 *used,
			 size_t n_used)
{
	size_t i;

	for (i = 0; i < n_used; i++)
		if (cidr4_overlap(c, &used[i]))
			return (int)i;
	return -1;
}

/* Candidate pools, split into /24s in this order (see subnet.h) */
static const struct cidr4 subnet_pools[] = {
	{ 0x0a590000, 16 },	/* 10.89.0.0/16 */
	{ 0x0a5a0000, 15 },	/* 10.90.0.0/15 */
	{ 0xac1e0000, 16 },	/* 172.30.0.0/16 */
	{ 0xc0a88000, 17 },	/* 192.168.128.0/17 */
};

int subnet_choose(const struct cidr4 *used, size_t n_used, struct cidr4 *out)
{
	size_t p;

	for (p = 0; p < ARRAY_SIZE(subnet_pools); p++) {
		const struct cidr4 *pool = &subnet_pools[p];
		/* 64 bits: skipping past a /1 must not wrap around to 0 */
		uint64_t a = pool->addr, end = (uint64_t)cidr4_broadcast(pool) + 1;

		while (a < end) {
			struct cidr4 c = { (uint32_t)a, 24 };
			int i = subnet_find_conflict(&c, used, n_used);
			uint64_t next;

			if (i < 0) {
				*out = c;
				return 0;
			}
			/* jump past the conflicting prefix (at least one /24) */
			next = ((uint64_t)used[i].addr | ~cidr4_mask(used[i].prefix)) + 1;
			next &= ~(uint64_t)0xff;
			a = MAX(next, a + 256);
		}
	}
	return -ENOSPC;
}
