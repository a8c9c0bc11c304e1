// SPDX-License-Identifier: MIT
/*
 * gw_dhcp.c - the gateway's DHCP service: dhcp/ on the wire
 *
 * Theory of operation
 * -------------------
 * gateway.c hands over every UDP datagram to port 67 that is broadcast or
 * sent to the gateway (checksum already checked). Its payload goes to the
 * network's dhcp_server (dhcp/dhcp_server.h), which decides everything;
 * this file only frames the reply as the server says (RFC 2131 4.1):
 * broadcast to ff:ff:ff:ff:ff:ff / 255.255.255.255, or unicast to yiaddr
 * at chaddr. The gateway knows the client's MAC from the message, so it
 * sends without ARP, as RFC 2131 allows for a client that cannot answer
 * ARP yet. Replies through a relay agent are dropped: relays cannot reach
 * a network that exists only inside mvmd.
 *
 * Time is wall-clock seconds (time()), since exported leases must keep
 * their meaning across a daemon restart.
 *
 * Reconfiguring creates a new server and moves the leases over: statics
 * one by one, dynamic ones through export/import.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "gateway/gw_priv.h"

static uint64_t gw_dhcp_now(void)
{
	return (uint64_t)time(NULL);
}

/* copy @from's leases into @to; errors for single leases are ignored */
struct gw_dhcp_move {
	struct dhcp_lease_table *to;
};

static int gw_dhcp_move_static(const struct dhcp_lease *l, void *ctx)
{
	struct gw_dhcp_move *m = ctx;

	if (l->is_static)
		dhcp_lease_static_add(m->to, l->mac, l->ip,
				      l->hostname[0] ? l->hostname : NULL);
	return 0;
}

static void gw_dhcp_move(struct dhcp_server *from, struct dhcp_server *to)
{
	struct gw_dhcp_move m = { .to = dhcp_server_leases(to) };
	struct json_object *dyn = NULL;
	uint64_t now = gw_dhcp_now();

	dhcp_lease_foreach(dhcp_server_leases(from), gw_dhcp_move_static, &m);
	if (!dhcp_lease_export(dhcp_server_leases(from), now, &dyn)) {
		dhcp_lease_import(m.to, dyn, now);
		json_object_put(dyn);
	}
}

int gw_dhcp_configure(struct gw *gw, const struct gw_services_config *c)
{
	struct dhcp_config *dc;
	struct dhcp_server *s = NULL;
	int ret;

	if (!c->dhcp) {
		gw_dhcp_free(gw);
		return 0;
	}
	if (!gw->dhcp_out) {
		gw->dhcp_out = malloc(sizeof(*gw->dhcp_out));
		if (!gw->dhcp_out)
			return -ENOMEM;
	}
	dc = calloc(1, sizeof(*dc));
	if (!dc)
		return -ENOMEM;
	dc->server_ip = gw->ip;
	dc->subnet = gw->subnet;
	dc->router = c->router ? gw->ip : 0;
	dc->dns = c->dns ? gw->ip : 0;
	dc->mtu = c->mtu ? c->mtu : gw->mtu;
	if (c->domain && c->domain[0]) {
		if (strlen(c->domain) > DHCP_DOMAIN_MAX) {
			free(dc);
			return -EINVAL;
		}
		strcpy(dc->domain, c->domain);
		strcpy(dc->search[0], c->domain);
		dc->n_search = 1;
	}
	dc->lease_time = c->lease_time;
	ret = dhcp_server_new(dc, &s);
	free(dc);
	if (ret)
		return ret;
	if (gw->dhcp) {
		gw_dhcp_move(gw->dhcp, s);
		dhcp_server_free(gw->dhcp);
	}
	gw->dhcp = s;
	return 0;
}

void gw_dhcp_free(struct gw *gw)
{
	dhcp_server_free(gw->dhcp);
	gw->dhcp = NULL;
	free(gw->dhcp_out);
	gw->dhcp_out = NULL;
}

bool gw_dhcp_input(struct gw *gw, const struct frame_eth *eth,
		   const struct frame_ip4 *ip, const struct frame_l4 *udp)
{
	struct dhcp_reply *r = gw->dhcp_out;
	size_t room = FRAME_MAX - GW_UDP_HLEN;

	(void)eth;
	(void)ip;
	if (dhcp_server_input(gw->dhcp, udp->data.p, udp->data.left,
			      gw_dhcp_now(), r) != 1)
		return false;
	/* a group or zero chaddr is no client we could answer by unicast */
	if (r->via_relay || r->len > room || mac_is_zero(r->dst_mac) ||
	    (mac_is_multicast(r->dst_mac) && !mac_is_broadcast(r->dst_mac))) {
		gw->st.ignored++;
		return false;
	}
	memcpy(gw_udp_payload(gw), r->data, r->len);
	gw_udp_reply(gw, r->dst_mac, r->src_ip, r->src_port, r->dst_ip,
		     r->dst_port, r->len);
	return true;
}

int gw_dhcp_static_locked(struct gw *gw, const uint8_t mac[6], uint32_t ip,
		   const char *hostname, bool add)
{
	struct dhcp_lease_table *t;

	if (!gw->dhcp)
		return -ENOTCONN;
	t = dhcp_server_leases(gw->dhcp);
	if (!add)
		return dhcp_lease_static_remove(t, mac);
	return dhcp_lease_static_add(t, mac, ip, hostname);
}

bool gw_dhcp_ip_in_use_locked(struct gw *gw, uint32_t ip)
{
	return gw->dhcp && dhcp_lease_ip_in_use(dhcp_server_leases(gw->dhcp),
						ip, gw_dhcp_now());
}

int gw_leases_export_locked(struct gw *gw, struct json_object **out)
{
	if (!gw->dhcp)
		return -ENOTCONN;
	return dhcp_lease_export(dhcp_server_leases(gw->dhcp), gw_dhcp_now(),
				 out);
}

int gw_leases_import_locked(struct gw *gw, const struct json_object *in)
{
	if (!gw->dhcp)
		return -ENOTCONN;
	return dhcp_lease_import(dhcp_server_leases(gw->dhcp), in,
				 gw_dhcp_now());
}
