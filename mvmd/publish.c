// SPDX-License-Identifier: MIT
/*
 * publish.c - published ports: host sockets that mvmd forwards to a guest
 *
 * Theory of operation
 * -------------------
 * mvmd binds every published socket itself (it holds no privilege, so a
 * port below net.ipv4.ip_unprivileged_port_start fails with EACCES, which
 * the error says) and gives it to the switch of the network the
 * publication targets; the switch owns it from then on and opens the
 * connections toward the guest's address on that network (the guest's
 * first network for `--publish`, the declaring network for the config's
 * `publish`).
 *
 * Conflicts are checked against mvmd's own table first, so that two
 * guests asking for the same host port get a sentence naming the holder
 * rather than the kernel's EADDRINUSE: two publications clash when they
 * share protocol and port and their addresses are equal or one is
 * 0.0.0.0. Anything else on the host that holds the port shows up as the
 * bind() error.
 *
 * pub_guest_up() is all or nothing when a guest is created: on the first
 * failure every socket it already handed to a switch is taken back with
 * gw_publish_remove(owner) and the sockets it still holds are closed.
 * After a daemon restart (state.c) it is best effort: the guest already
 * runs, so each publication that cannot be restored is marked with its
 * error and logged. Everything runs on mvmd's main thread.
 */
#include "mvmd/publish.h"
#include "mvmd/config.h"
#include "mvmd/guest.h"
#include "mvmd/network.h"
#include "common/addr.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/util.h"
#include "gateway/gateway.h"
#include "vswitch/vsw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PUB_BACKLOG 128
#define PUB_LOOPBACK 0x7f000001u	/* 127.0.0.1, the default host address */

const char *pub_proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

char *pub_format(const struct pub *p, char *buf, size_t size)
{
	char ip[IP4_STRLEN];

	snprintf(buf, size, "%s:%u/%s", ip4_format(p->host_ip, ip),
		 p->host_port, pub_proto_name(p->proto));
	return buf;
}

/* the integer @key of @e as a port (1..65535); 0 or -EINVAL */
static int port_get(struct json_object *e, const char *key, uint16_t *out)
{
	int64_t v;

	if (proto_get_int(e, key, &v) || v < 1 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int pub_from_json(struct json_object *e, struct pub *p, char *err,
		  size_t errlen)
{
	const char *ip = NULL, *proto = NULL, *net = NULL;

	memset(p, 0, sizeof(*p));
	p->host_ip = PUB_LOOPBACK;
	p->proto = IPPROTO_TCP;
	if (!json_object_is_type(e, json_type_object)) {
		snprintf(err, errlen, "a publication must be an object");
		return -EINVAL;
	}
	if (proto_get_str(e, "host_ip", &ip) == -EINVAL ||
	    (ip && ip4_parse(ip, &p->host_ip))) {
		snprintf(err, errlen, "publish: host_ip must be an IPv4 address");
		return -EINVAL;
	}
	if (port_get(e, "host_port", &p->host_port) ||
	    port_get(e, "guest_port", &p->guest_port)) {
		snprintf(err, errlen,
			 "publish: host_port and guest_port must be integers from 1 to 65535");
		return -EINVAL;
	}
	if (proto_get_str(e, "proto", &proto) == -EINVAL ||
	    (proto && strcmp(proto, "tcp") && strcmp(proto, "udp"))) {
		snprintf(err, errlen, "publish: proto must be \"tcp\" or \"udp\"");
		return -EINVAL;
	}
	if (proto && !strcmp(proto, "udp"))
		p->proto = IPPROTO_UDP;
	if (proto_get_str(e, "network", &net) == -EINVAL ||
	    (net && *net && !name_valid(net))) {
		snprintf(err, errlen, "publish: network must be a network name");
		return -EINVAL;
	}
	if (net)
		str_copy(p->network, sizeof(p->network), net);
	return 0;
}

struct json_object *pub_to_json(const struct pub *p, uint32_t guest_ip)
{
	struct json_object *o = json_object_new_object();
	char ip[IP4_STRLEN];

	json_object_object_add(o, "host_ip",
			       json_object_new_string(ip4_format(p->host_ip, ip)));
	json_object_object_add(o, "host_port", json_object_new_int(p->host_port));
	json_object_object_add(o, "guest_port", json_object_new_int(p->guest_port));
	json_object_object_add(o, "proto",
			       json_object_new_string(pub_proto_name(p->proto)));
	json_object_object_add(o, "network", json_object_new_string(p->network));
	if (guest_ip)
		json_object_object_add(o, "guest_ip", json_object_new_string(
			ip4_format(guest_ip, ip)));
	json_object_object_add(o, "source", json_object_new_string(
		p->from_config ? "config" : "cli"));
	if (p->from_config)
		json_object_object_add(o, "origin", json_object_new_string(p->origin));
	json_object_object_add(o, "active", json_object_new_boolean(p->active));
	if (p->error[0])
		json_object_object_add(o, "error", json_object_new_string(p->error));
	return o;
}

int pub_config_collect(struct mvmd *d, struct guest *g, char *err,
		       size_t errlen)
{
	size_t i, k;

	for (i = 0; i < g->n_if; i++) {
		struct network *n = net_find(d, g->ifs[i].network);

		for (k = 0; n && n->cfg && k < n->cfg->n_publish; k++) {
			const struct cfg_publish *c = &n->cfg->publish[k];
			struct pub *p;

			if (strcmp(c->guest, g->name))
				continue;
			if (g->n_pubs >= PUB_MAX) {
				snprintf(err, errlen,
					 "guest '%s' has more than %d published ports",
					 g->name, PUB_MAX);
				return -ENOSPC;
			}
			p = &g->pubs[g->n_pubs++];
			memset(p, 0, sizeof(*p));
			str_copy(p->network, sizeof(p->network), n->name);
			p->proto = c->proto;
			p->host_ip = c->host_ip;
			p->host_port = c->host_port;
			p->guest_port = c->port;
			p->from_config = 1;
			if (snprintf(p->origin, sizeof(p->origin), "%.200s:%d",
				     n->config_file, c->line) < 0)
				p->origin[0] = '\0';
		}
	}
	return 0;
}

static int pub_clash(const struct pub *a, const struct pub *b)
{
	return a->proto == b->proto && a->host_port == b->host_port &&
	       (a->host_ip == b->host_ip || !a->host_ip || !b->host_ip);
}

struct guest *pub_holder(struct mvmd *d, const struct pub *p,
			 const struct guest *except)
{
	size_t i, k;

	for (i = 0; i < d->n_guests; i++) {
		struct guest *g = d->guests[i];

		if (g == except)
			continue;
		for (k = 0; k < g->n_pubs; k++)
			if (g->pubs[k].active && pub_clash(&g->pubs[k], p))
				return g;
	}
	return NULL;
}

/* the guest's address on network @net, 0 if it has none */
static uint32_t guest_addr(const struct guest *g, const char *net)
{
	size_t i;

	for (i = 0; i < g->n_if; i++)
		if (!strcmp(g->ifs[i].network, net))
			return g->ifs[i].ip;
	return 0;
}

/* a bound (and for TCP listening) non-blocking socket, or -errno */
static int pub_socket(const struct pub *p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int tcp = p->proto == IPPROTO_TCP, one = 1, fd, ret;

	fd = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (tcp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	sa.sin_addr.s_addr = htonl(p->host_ip);
	sa.sin_port = htons(p->host_port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	if (tcp && listen(fd, PUB_BACKLOG))
		goto fail;
	return fd;
fail:
	ret = -errno;
	close(fd);
	return ret;
}

/* bind @p and give it to its switch; 0 or -errno with the reason in @err */
static int pub_one_up(struct mvmd *d, struct guest *g, struct pub *p,
		      char *err, size_t errlen)
{
	struct gw_publish vp = { 0 };
	struct network *n = net_find(d, p->network);
	struct guest *h;
	char what[48];
	int fd, ret;

	pub_format(p, what, sizeof(what));
	h = pub_holder(d, p, g);
	if (h) {
		snprintf(err, errlen,
			 "host port %s is already published by guest '%s'",
			 what, h->name);
		return -EADDRINUSE;
	}
	vp.guest_ip = guest_addr(g, p->network);
	if (!n || !vp.guest_ip) {
		snprintf(err, errlen,
			 "cannot publish %s: guest '%s' has no address on network '%s'",
			 what, g->name, p->network);
		return -EINVAL;
	}
	fd = pub_socket(p);
	if (fd < 0) {
		snprintf(err, errlen, "cannot bind %s: %s%s", what,
			 strerror(-fd), fd == -EACCES ?
			 " (ports below net.ipv4.ip_unprivileged_port_start need privileges)" :
			 "");
		return fd;
	}
	vp.proto = p->proto;
	vp.fd = fd;
	vp.host_ip = p->host_ip;
	vp.host_port = p->host_port;
	vp.guest_port = p->guest_port;
	vp.owner = g->id;
	ret = gw_publish_add(n->gateway, &vp);
	if (ret) {
		close(fd);	/* still ours: the switch took nothing */
		if (ret == -ENOSPC)
			snprintf(err, errlen,
				 "cannot publish %s: network '%s' has reached its limit of %d published ports",
				 what, n->name, GW_PUBLISH_MAX);
		else
			snprintf(err, errlen, "cannot publish %s on network '%s': %s",
				 what, n->name, strerror(-ret));
		return ret;
	}
	p->active = 1;
	p->error[0] = '\0';
	return 0;
}

int pub_guest_up(struct mvmd *d, struct guest *g, int strict, char *err,
		 size_t errlen)
{
	char why[512], what[48];
	size_t i, k;
	int ret;

	for (i = 0; i < g->n_pubs; i++) {
		struct pub *p = &g->pubs[i];

		if (p->active)
			continue;
		for (k = 0; k < i && !pub_clash(&g->pubs[k], p); k++)
			;
		if (k < i) {
			snprintf(why, sizeof(why), "host port %s is published twice",
				 pub_format(p, what, sizeof(what)));
			ret = -EINVAL;
		} else {
			ret = pub_one_up(d, g, p, why, sizeof(why));
		}
		if (!ret)
			continue;
		if (strict) {
			pub_guest_down(d, g);
			snprintf(err, errlen, "%s", why);
			return ret;
		}
		str_copy(p->error, sizeof(p->error), why);
		warn("guest '%s': %s", g->name, why);
	}
	return 0;
}

void pub_guest_down(struct mvmd *d, struct guest *g)
{
	size_t i, k;

	for (i = 0; i < g->n_pubs; i++) {
		struct network *n;

		if (!g->pubs[i].active)
			continue;
		/* once per network: the first active pub on it does it */
		for (k = 0; k < i; k++)
			if (g->pubs[k].active &&
			    !strcmp(g->pubs[k].network, g->pubs[i].network))
				break;
		n = net_find(d, g->pubs[i].network);
		if (k == i && n)
			gw_publish_remove(n->gateway, g->id);
	}
	for (i = 0; i < g->n_pubs; i++)
		g->pubs[i].active = 0;
}
