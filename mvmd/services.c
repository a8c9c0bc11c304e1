// SPDX-License-Identifier: MIT
/*
 * services.c - mvmd's side of the gateway services (see services.h)
 *
 * Theory of operation
 * -------------------
 * DHCP: a guest's (MAC, address) on each network becomes a static lease
 * with its name as host name when the guest is created (its address is
 * fixed then), and goes when the address is freed. Dynamic leases (other
 * clients) are saved in state.json with the network and imported when the
 * network is created again.
 *
 * DNS: names appear while a guest runs. The owner key of a guest's records
 * in a zone is its address on that zone's network (unique there). Names
 * are scoped per network, and a switch only reads its own tables
 * (gateway/gw_dns.c), so for a guest G on networks A and B:
 *   - G's names go into A's zone and B's zone, and into every replica of
 *     A or B that another switch holds (an -ENOENT says there is none);
 *   - A's switch gets a view "G's address on A also sees B" (and B's the
 *     converse); when that creates B's replica in A's switch, it is
 *     filled with the names of every running guest on B.
 * Going down undoes the same in reverse; a replica nobody sees any more
 * is freed by the switch. Everything here runs on mvmd's main thread, so
 * the registries cannot change under it.
 */
#include "mvmd/services.h"
#include "mvmd/config.h"
#include "mvmd/guest.h"
#include "mvmd/network.h"
#include "pkt/wire.h"
#include "common/log.h"
#include "common/util.h"
#include "gateway/gateway.h"
#include "vswitch/vsw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVC_ALIASES_MAX	GUEST_ALIASES_MAX

const char *svc_domain(const struct network *n, char *buf, size_t size)
{
	if (n->cfg && n->cfg->domain[0])
		snprintf(buf, size, "%s", n->cfg->domain);
	else
		snprintf(buf, size, "%s.mvm", n->name);
	return buf;
}

/* publish the config's static hosts of @of in @gw's zone @zone */
static void svc_statics_add(struct gw *gw, const char *zone,
			    const struct network *of)
{
	size_t i;

	for (i = 0; of->cfg && i < of->cfg->n_statics; i++) {
		const struct cfg_static *st = &of->cfg->statics[i];
		int ret = gw_dns_owner_add(gw, zone, st->ip, st->hostname,
					    NULL, 0, st->ip);

		if (ret && ret != -EEXIST)
			warn("network '%s': no DNS name for static host '%s': %s",
			     of->name, st->hostname, strerror(-ret));
	}
}

/* the config's static leases of @n, and their names in its zone */
static void svc_statics_up(struct network *n)
{
	size_t i;

	for (i = 0; n->cfg && i < n->cfg->n_statics; i++) {
		const struct cfg_static *st = &n->cfg->statics[i];
		int ret = gw_dhcp_static(n->gateway, st->mac, st->ip, st->hostname,
					  true);

		if (ret)
			warn("network '%s': no static lease for '%s': %s",
			     n->name, st->hostname, strerror(-ret));
	}
	svc_statics_add(n->gateway, NULL, n);
}

/* resolv.conf's nameservers (at most GW_DNS_UPSTREAMS), or the env's */
static void svc_upstreams_load(struct mvmd *d)
{
	const char *env = getenv(SVC_ENV_UPSTREAMS);
	char line[256];
	FILE *f;

	d->svc_upstreams_loaded = 1;
	d->n_upstreams = 0;
	if (env) {
		char buf[512], *save = NULL, *tok;

		str_copy(buf, sizeof(buf), env);
		for (tok = strtok_r(buf, ", ", &save);
		     tok && d->n_upstreams < GW_DNS_UPSTREAMS;
		     tok = strtok_r(NULL, ", ", &save))
			str_copy(d->upstreams[d->n_upstreams++],
				 sizeof(d->upstreams[0]), tok);
		info("dns: upstreams from $%s", SVC_ENV_UPSTREAMS);
		return;
	}
	f = fopen("/etc/resolv.conf", "re");
	if (!f) {
		warn("dns: no /etc/resolv.conf: guests' other names are not forwarded");
		return;
	}
	while (fgets(line, sizeof(line), f) && d->n_upstreams < GW_DNS_UPSTREAMS) {
		char addr[128];
		struct sockaddr_storage ss;
		socklen_t sl;

		if (sscanf(line, " nameserver %127s", addr) != 1)
			continue;
		/* scoped IPv6 (fe80::1%eth0) cannot be expressed: skip */
		if (sockaddr_parse(addr, DNS_PORT, &ss, &sl))
			continue;
		if (strchr(addr, ':')) {	/* "[v6]" for the parser */
			char v6[160];

			snprintf(v6, sizeof(v6), "[%s]", addr);
			str_copy(d->upstreams[d->n_upstreams++],
				 sizeof(d->upstreams[0]), v6);
		} else {
			str_copy(d->upstreams[d->n_upstreams++],
				 sizeof(d->upstreams[0]), addr);
		}
	}
	fclose(f);
	if (!d->n_upstreams)
		warn("dns: /etc/resolv.conf names no nameserver: guests' other names are not forwarded");
}

/* the NAT: policy from the network's mode and settings */
static void svc_nat_up(struct network *n)
{
	struct gw_nat_config c = { 0 };
	int ret;

	c.egress = !n->internal;
	c.host_access = n->host_access >= 0 ? n->host_access : !n->internal;
	c.max_flows = n->max_flows;
	c.max_flows_guest = n->max_flows_guest;
	ret = gw_nat_configure(n->gateway, &c);
	if (ret)
		err("network '%s': cannot start the NAT: %s", n->name,
		    strerror(-ret));
}

void svc_network_up(struct mvmd *d, struct network *n)
{
	const char *ups[GW_DNS_UPSTREAMS];
	struct gw_services_config c = { 0 };
	char dom[SVC_DOMAIN_MAX];
	size_t i, n_ups;
	int ret;

	if (!d->svc_upstreams_loaded)
		svc_upstreams_load(d);
	if (n->cfg && n->cfg->n_upstreams) {	/* the config's own */
		n_ups = n->cfg->n_upstreams;
		for (i = 0; i < n_ups && i < GW_DNS_UPSTREAMS; i++)
			ups[i] = n->cfg->upstreams[i];
	} else {
		n_ups = d->n_upstreams;
		for (i = 0; i < n_ups; i++)
			ups[i] = d->upstreams[i];
	}
	c.domain = svc_domain(n, dom, sizeof(dom));
	c.dhcp = c.dns = true;
	c.router = !n->internal;
	c.forward = !n->internal && n_ups;	/* never on internal */
	c.upstreams = ups;
	c.n_upstreams = n->internal ? 0 : n_ups;
	/* host.mvm.internal: the gateway, where it reaches the host */
	c.host_addr = (n->host_access >= 0 ? n->host_access : !n->internal) ?
		      n->gw : 0;
	ret = gw_services_configure(n->gateway, &c);
	if (ret && c.forward) {
		warn("network '%s': cannot reach the DNS upstreams (%s); not forwarding",
		     n->name, strerror(-ret));
		c.forward = false;
		c.n_upstreams = 0;
		ret = gw_services_configure(n->gateway, &c);
	}
	if (ret) {
		err("network '%s': cannot start DHCP and DNS: %s", n->name,
		    strerror(-ret));
		return;
	}
	svc_statics_up(n);
	svc_nat_up(n);
}

void svc_guest_leases(struct mvmd *d, const struct guest *g, int add)
{
	size_t i;

	for (i = 0; i < g->n_if; i++) {
		const struct guest_if *gi = &g->ifs[i];
		struct network *n = net_find(d, gi->network);
		int ret;

		if (!n || !gi->ip)
			continue;
		ret = gw_dhcp_static(n->gateway, gi->mac, gi->ip, g->name, add);
		if (ret && add)
			warn("guest '%s': no DHCP lease on '%s': %s", g->name,
			     n->name, strerror(-ret));
	}
}

/* the guest's aliases, then those @on's config gives it; how many */
static size_t svc_aliases(const struct guest *g, const struct network *on,
			  const char **out)
{
	size_t i, n = 0;

	for (i = 0; g->aliases && i < json_object_array_length(g->aliases) &&
		    n < SVC_ALIASES_MAX; i++)
		out[n++] = json_object_get_string(
			json_object_array_get_idx(g->aliases, i));
	for (i = 0; on->cfg && i < on->cfg->n_aliases && n < SVC_ALIASES_MAX;
	     i++)
		if (!strcmp(on->cfg->aliases[i].guest, g->name))
			out[n++] = on->cfg->aliases[i].name;
	return n;
}

/* add @g's names on network @on (its address @ip) to @sw's zone @zone */
static int svc_names_add(struct gw *gw, const char *zone,
			 const struct guest *g, const struct network *on,
			 uint32_t ip)
{
	const char *al[SVC_ALIASES_MAX];
	size_t na = svc_aliases(g, on, al);

	return gw_dns_owner_add(gw, zone, ip, g->name, al, na, ip);
}

/* fill @n's fresh replica of network @other with @other's running guests */
static void svc_replica_fill(struct mvmd *d, struct network *n,
			     const struct network *other)
{
	char dom[SVC_DOMAIN_MAX];
	size_t i, k;

	svc_domain(other, dom, sizeof(dom));
	svc_statics_add(n->gateway, dom, other);
	for (i = 0; i < d->n_guests; i++) {
		const struct guest *h = d->guests[i];

		if (h->state != GUEST_RUNNING)
			continue;
		for (k = 0; k < h->n_if; k++)
			if (h->ifs[k].ip && !strcmp(h->ifs[k].network, other->name))
				svc_names_add(n->gateway, dom, h, other,
					      h->ifs[k].ip);
	}
}

void svc_guest_up(struct mvmd *d, const struct guest *g)
{
	char dom[SVC_DOMAIN_MAX];
	size_t i, j, x;

	for (i = 0; i < g->n_if; i++) {
		struct network *n = net_find(d, g->ifs[i].network);
		int ret;

		if (!n || !g->ifs[i].ip)
			continue;
		ret = svc_names_add(n->gateway, NULL, g, n, g->ifs[i].ip);
		if (ret && ret != -EEXIST)
			warn("guest '%s': no DNS name on '%s': %s", g->name,
			     n->name, strerror(-ret));
		svc_domain(n, dom, sizeof(dom));
		for (x = 0; x < d->n_nets; x++)
			if (d->nets[x] != n)
				svc_names_add(d->nets[x]->gateway, dom, g, n,
					      g->ifs[i].ip);
	}
	for (i = 0; i < g->n_if; i++) {
		struct network *n = net_find(d, g->ifs[i].network);

		for (j = 0; n && g->ifs[i].ip && j < g->n_if; j++) {
			struct network *o = net_find(d, g->ifs[j].network);
			int ret;

			if (j == i || !o)
				continue;
			ret = gw_dns_view_add(n->gateway, g->ifs[i].ip,
					       svc_domain(o, dom, sizeof(dom)),
					       o->subnet.addr, o->subnet.prefix);
			if (ret == 1)
				svc_replica_fill(d, n, o);
			else if (ret < 0)
				warn("guest '%s': cannot see '%s' names from '%s': %s",
				     g->name, o->name, n->name, strerror(-ret));
		}
	}
}

void svc_guest_down(struct mvmd *d, const struct guest *g)
{
	char dom[SVC_DOMAIN_MAX];
	size_t i, x;

	for (i = 0; i < g->n_if; i++) {
		struct network *n = net_find(d, g->ifs[i].network);

		if (!n || !g->ifs[i].ip)
			continue;
		gw_dns_owner_remove(n->gateway, NULL, g->ifs[i].ip);
		svc_domain(n, dom, sizeof(dom));
		for (x = 0; x < d->n_nets; x++)
			if (d->nets[x] != n)
				gw_dns_owner_remove(d->nets[x]->gateway, dom,
						     g->ifs[i].ip);
		gw_dns_view_remove(n->gateway, g->ifs[i].ip);
		/* its connections die with it; the address may be reused */
		gw_nat_forget(n->gateway, g->ifs[i].ip);
	}
}

void svc_restore(struct mvmd *d)
{
	size_t i;

	for (i = 0; i < d->n_guests; i++) {
		const struct guest *g = d->guests[i];

		if (g->state == GUEST_EXITED)
			continue;
		svc_guest_leases(d, g, 1);
		if (g->state == GUEST_RUNNING)
			svc_guest_up(d, g);
	}
}

struct json_object *svc_leases_export(struct mvmd *d)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < d->n_nets; i++) {
		struct json_object *l = NULL;

		if (!gw_leases_export(d->nets[i]->gateway, &l))
			json_object_object_add(o, d->nets[i]->name, l);
	}
	return o;
}

void svc_leases_import(struct mvmd *d, struct json_object *root)
{
	struct json_object *all;

	if (!root || !json_object_object_get_ex(root, "leases", &all) ||
	    !json_object_is_type(all, json_type_object))
		return;
	json_object_object_foreach(all, name, l) {
		struct network *n = net_find(d, name);
		int ret;

		if (!n)
			continue;
		ret = gw_leases_import(n->gateway, l);
		if (ret > 0)
			info("network '%s': %d DHCP lease(s) restored", name, ret);
	}
}
