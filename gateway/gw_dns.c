// SPDX-License-Identifier: MIT
/*
 * gw_dns.c - the gateway's DNS service: zones, per-guest views, answers
 *
 * Theory of operation
 * -------------------
 * Names are scoped per network: a guest resolves the names of the
 * networks it is attached to, and only those. A query reaches the gateway
 * of one network, but the guest that sent it may be attached to others
 * too, whose zones belong to other switches (other threads). Reading them
 * would need their locks on the packet path, so instead:
 *
 *   - each switch's gateway owns its network's zone (@gw->zone), and
 *   - replicas of other networks' zones (@gw->rep), which the control
 *     plane (mvmd) creates and keeps in step: every record it adds to or
 *     removes from a network's own zone it also adds to or removes from
 *     that network's replicas in other switches (gw_dns_owner_add() with
 *     the replica's domain; -ENOENT where there is none);
 *   - a view table (@gw->views) says which client addresses on this
 *     network see which replicas (gw_dns_view_add()). A replica nobody
 *     sees any more is freed (gw_dns_view_remove()).
 *
 * A query from client C is answered from the view [own zone, the replicas
 * C sees] (dns/dns_server.h: the first zone wins for a bare name, so a
 * network's own names come first), all owned by this switch's thread. A
 * client the control plane does not know (a dynamic DHCP client, a
 * spoofed source) sees only the own zone. A replica costs a zone's memory
 * (dns_zone.h) and exists only while a guest spans both networks; both
 * tables are bounded (GW_DNS_REPLICAS, GW_DNS_VIEWS, vsw.h).
 *
 * Answers and forwarding: gw_dns_answer() builds the view of the client
 * and calls dns_server_answer(), for UDP (gw_dns_input(): the response
 * goes straight into the reply frame) and for DNS over TCP (gw_dns_tcp.c:
 * into the session's stream, up to 65535 bytes); queries for other names
 * go to gw_dns_fwd.c when the network forwards, with where to answer (struct
 * gw_dns_to). UDP responses never exceed the network's MTU (the gateway
 * does not fragment): the UDP payload size we advertise and honour is
 * capped at MTU - 28.
 *
 * host.mvm.internal is answered from the own zone when the control plane
 * gives an address (vsw_services_config.host_addr: the gateway, on
 * networks whose gateway reaches the host's loopback); replicas never
 * answer it, so a guest sees it only through a network with host access.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"
#include "pkt/wire.h"


/* the largest UDP response we send: within the MTU, at least 512 */
static size_t gw_dns_resp_max(const struct gw *gw)
{
	size_t m = gw->mtu > 28 ? gw->mtu - 28u : 0;

	if (m > DNS_EDNS_SIZE_MAX)
		m = DNS_EDNS_SIZE_MAX;
	return m < DNS_UDP_MIN ? DNS_UDP_MIN : m;
}

static struct dns_zone *gw_dns_zone_make(const char *domain,
					 const struct cidr4 *subnet,
					 uint32_t host_addr)
{
	struct dns_zone_cfg zc = {
		.domain = domain, .subnet = *subnet,
		.host_access = host_addr != 0, .host_addr = host_addr,
	};
	struct dns_zone *z = NULL;

	if (dns_zone_new(&zc, &z))
		return NULL;
	return z;
}

int gw_dns_configure(struct gw *gw, const struct gw_services_config *c)
{
	const char *dom = c->domain && c->domain[0] ? c->domain : "";
	struct dns_zone *z = NULL;
	struct dns_name n;

	if (strlen(dom) >= sizeof(gw->domain) ||
	    (dom[0] && dns_name_from_str(dom, &n)))
		return -EINVAL;
	if (!c->dns || !dom[0]) {
		dns_zone_free(gw->zone);
		gw->zone = NULL;
		gw->domain[0] = '\0';
		return 0;
	}
	if (gw->zone && !strcasecmp(gw->domain, dom)) {
		dns_zone_set_host(gw->zone, c->host_addr != 0, c->host_addr);
		return 0;
	}
	z = gw_dns_zone_make(dom, &gw->subnet, c->host_addr);
	if (!z)
		return -EINVAL;
	dns_zone_free(gw->zone);
	gw->zone = z;
	strcpy(gw->domain, dom);
	return 0;
}

void gw_dns_free(struct gw *gw)
{
	unsigned i;

	dns_zone_free(gw->zone);
	gw->zone = NULL;
	for (i = 0; i < GW_DNS_REPLICAS; i++) {
		dns_zone_free(gw->rep[i].zone);
		gw->rep[i].zone = NULL;
	}
	gw->n_views = 0;
}

/* the replica slot of @domain, or -1 */
static int gw_dns_rep_find(const struct gw *gw, const char *domain)
{
	unsigned i;

	for (i = 0; i < GW_DNS_REPLICAS; i++)
		if (gw->rep[i].zone && !strcasecmp(gw->rep[i].domain, domain))
			return (int)i;
	return -1;
}

/* the zone called @zone (NULL: our own), or NULL */
static struct dns_zone *gw_dns_zone_get(struct gw *gw, const char *zone)
{
	int r;

	if (!zone || (gw->zone && !strcasecmp(zone, gw->domain)))
		return gw->zone;
	r = gw_dns_rep_find(gw, zone);
	return r < 0 ? NULL : gw->rep[r].zone;
}

int gw_dns_owner_add_locked(struct gw *gw, const char *zone, uint32_t owner,
		     const char *name, const char *const *aliases,
		     size_t n_aliases, uint32_t ip)
{
	struct dns_zone *z = gw_dns_zone_get(gw, zone);
	struct dns_owner o = {
		.id = owner, .name = name, .aliases = aliases,
		.n_aliases = n_aliases, .has_v4 = 1, .v4 = ip,
	};

	if (!gw->zone)
		return -ENOTCONN;
	if (!z)
		return -ENOENT;
	return dns_zone_add(z, &o);
}

int gw_dns_owner_remove_locked(struct gw *gw, const char *zone, uint32_t owner)
{
	struct dns_zone *z = gw_dns_zone_get(gw, zone);
	int ret;

	if (!gw->zone)
		return -ENOTCONN;
	if (!z)
		return -ENOENT;
	ret = dns_zone_remove(z, owner);
	return ret < 0 ? ret : 0;
}

int gw_dns_view_add_locked(struct gw *gw, uint32_t client_ip, const char *domain,
		    const struct cidr4 *subnet)
{
	int r, created = 0;
	unsigned i;

	if (!gw->zone)
		return -ENOTCONN;
	if (!domain || !domain[0] || strlen(domain) >= DNS_NAME_STRLEN ||
	    !strcasecmp(domain, gw->domain))
		return -EINVAL;
	r = gw_dns_rep_find(gw, domain);
	if (r >= 0) {
		for (i = 0; i < gw->n_views; i++)
			if (gw->views[i].ip == client_ip &&
			    gw->views[i].rep == (unsigned)r)
				return 0;
	}
	if (gw->n_views == GW_DNS_VIEWS)
		return -ENOSPC;
	if (r < 0) {
		for (i = 0; i < GW_DNS_REPLICAS; i++)
			if (!gw->rep[i].zone)
				break;
		if (i == GW_DNS_REPLICAS)
			return -ENOSPC;
		gw->rep[i].zone = gw_dns_zone_make(domain, subnet, 0);
		if (!gw->rep[i].zone)
			return -EINVAL;
		strcpy(gw->rep[i].domain, domain);
		r = (int)i;
		created = 1;
	}
	gw->views[gw->n_views].ip = client_ip;
	gw->views[gw->n_views].rep = (unsigned)r;
	gw->n_views++;
	return created;
}

int gw_dns_view_remove_locked(struct gw *gw, uint32_t client_ip)
{
	bool seen[GW_DNS_REPLICAS] = { false };
	unsigned i = 0;
	int n = 0;

	while (i < gw->n_views) {
		if (gw->views[i].ip == client_ip) {
			gw->views[i] = gw->views[--gw->n_views];
			n++;
		} else {
			seen[gw->views[i++].rep] = true;
		}
	}
	for (i = 0; i < GW_DNS_REPLICAS; i++) {
		if (gw->rep[i].zone && !seen[i]) {
			dns_zone_free(gw->rep[i].zone);
			gw->rep[i].zone = NULL;
		}
	}
	return n;
}

static void gw_dns_count(struct gw *gw, const uint8_t *resp)
{
	switch (resp[3] & 0x0f) {
	case DNS_R_NOERROR:
		gw->dns_st.answers++;
		break;
	case DNS_R_NXDOMAIN:
		gw->dns_st.nxdomain++;
		break;
	case DNS_R_REFUSED:
		gw->dns_st.refused++;
		break;
	case DNS_R_SERVFAIL:
		gw->dns_st.servfail++;
		break;
	}
}

int gw_dns_answer(struct gw *gw, uint32_t client_ip, const uint8_t *q,
		  size_t len, int over_tcp, uint8_t *resp, size_t max,
		  size_t *resp_len)
{
	struct dns_zone *zones[1 + GW_DNS_REPLICAS];
	struct dns_view v = { .zones = zones };
	size_t ours = gw_dns_resp_max(gw);
	unsigned i;
	int ret;

	gw->dns_st.queries++;
	if (gw->zone)
		zones[v.n_zones++] = gw->zone;
	for (i = 0; i < gw->n_views; i++)
		if (gw->views[i].ip == client_ip)
			zones[v.n_zones++] = gw->rep[gw->views[i].rep].zone;
	v.forward = gw->cfg.forward && gw->n_up;
	v.edns_size = (uint16_t)(ours < DNS_EDNS_SIZE ? ours : DNS_EDNS_SIZE);

	ret = dns_server_answer(&v, q, len, over_tcp, resp, max, resp_len);
	if (ret == DNS_ANSWER)
		gw_dns_count(gw, resp);
	else if (ret != DNS_FORWARD)
		gw->dns_st.dropped++;
	return ret;
}

bool gw_dns_input(struct gw *gw, const struct frame_eth *eth,
		  const struct frame_ip4 *ip, const struct frame_l4 *udp)
{
	struct gw_dns_to to = { .ip = ip->saddr, .port = udp->sport };
	size_t len = 0;
	int ret;

	ret = gw_dns_answer(gw, ip->saddr, udp->data.p, udp->data.left, 0,
			    gw_udp_payload(gw), gw_dns_resp_max(gw), &len);
	if (ret == DNS_ANSWER) {
		gw_udp_reply(gw, eth->src, gw->ip, DNS_PORT, ip->saddr,
			     udp->sport, len);
		return true;
	}
	if (ret == DNS_FORWARD) {
		memcpy(to.mac, eth->src, ETH_ALEN_);
		gw_dns_fwd_query(gw, &to, udp->data.p, udp->data.left);
		return gw->pending;	/* an immediate SERVFAIL */
	}
	return false;
}

void gw_services_stats(const struct gw *gw, struct json_object *o)
{
	const struct gw_dns_stats *d = &gw->dns_st;
	struct json_object *dh, *dn;
	unsigned i, reps = 0;

	if (!gw->configured)
		return;
	if (gw->dhcp) {
		struct dhcp_server_stats s;
		struct dhcp_lease_stats l;

		dhcp_server_get_stats(gw->dhcp, &s);
		dhcp_lease_get_stats(dhcp_server_leases(gw->dhcp), &l);
		dh = json_object_new_object();
		json_add_u64(dh, "offers", s.offers);
		json_add_u64(dh, "acks", s.acks);
		json_add_u64(dh, "naks", s.naks);
		json_add_u64(dh, "informs", s.informs);
		json_add_u64(dh, "declines", s.declines);
		json_add_u64(dh, "releases", s.releases);
		json_add_u64(dh, "refused", s.refused);
		json_add_u64(dh, "malformed", s.malformed);
		json_add_u64(dh, "table_full", l.refused_full);
		json_add_u64(dh, "pool_full", l.refused_pool);
		json_add_u64(dh, "leases_static", l.n_static);
		json_add_u64(dh, "leases_dynamic", l.n_dynamic);
		json_object_object_add(o, "dhcp", dh);
	}
	for (i = 0; i < GW_DNS_REPLICAS; i++)
		reps += gw->rep[i].zone != NULL;
	dn = json_object_new_object();
	json_add_u64(dn, "queries", d->queries);
	json_add_u64(dn, "answers", d->answers);
	json_add_u64(dn, "nxdomain", d->nxdomain);
	json_add_u64(dn, "refused", d->refused);
	json_add_u64(dn, "forwarded", d->forwarded);
	json_add_u64(dn, "servfail", d->servfail);
	json_add_u64(dn, "timeouts", d->timeouts);
	json_add_u64(dn, "pending_full", d->pending_full);
	json_add_u64(dn, "dropped", d->dropped);
	json_add_u64(dn, "tcp_resets", d->tcp_resets);
	json_add_u64(dn, "tcp_fallbacks", d->tcp_fallbacks);
	json_add_u64(dn, "tcp_fallbacks_rebuilt", d->tcp_rebuilt);
	json_add_u64(dn, "pending", gw->n_fwd);
	json_add_u64(dn, "replicas", reps);
	json_add_u64(dn, "views", gw->n_views);
	if (gw->zone)
		json_add_u64(dn, "zone_full", gw->zone->full);
	gw_dns_tcp_stats(gw, dn);
	json_object_object_add(o, "dns", dn);
	gw_nat_stats(gw, o);
}
