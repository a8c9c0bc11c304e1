// SPDX-License-Identifier: MIT
/*
 * gw_api.c - the control plane's API to a gateway (gateway.h)
 *
 * The gateway's tables (leases, zones, flows, publications) belong to the
 * switch thread. Each function here takes the switch lock (vsw_lock())
 * and calls the gateway module that owns the table, so the switch thread
 * and the control plane never touch them at the same time; frames a call
 * emits (a reset, a SERVFAIL) are forwarded before the lock is dropped.
 */
#include <errno.h>

#include "common/jsonutil.h"
#include "gateway/gateway.h"
#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"
#include "vswitch/port.h"
#include "vswitch/vsw.h"

static void gw_lock(struct gw *gw)
{
	vsw_lock(gw->port->sw);
}

static void gw_unlock(struct gw *gw)
{
	vsw_unlock(gw->port->sw);
}

void gw_stats_json(struct gw *gw, struct json_object *o)
{
	struct json_object *gwo = json_object_new_object();

	gw_lock(gw);
	json_add_u64(gwo, "arp_replies", gw->st.arp_replies);
	json_add_u64(gwo, "icmp_replies", gw->st.icmp_replies);
	json_add_u64(gwo, "bad_csum", gw->st.bad_csum);
	json_add_u64(gwo, "ignored", gw->st.ignored);
	json_object_object_add(o, "gateway", gwo);
	gw_services_stats(gw, o);
	gw_unlock(gw);
}

int gw_services_configure(struct gw *gw, const struct gw_services_config *c)
{
	int ret;

	if (!c)
		return -EINVAL;
	gw_lock(gw);
	ret = gw_services_configure_locked(gw, c);
	gw_unlock(gw);
	return ret;
}

int gw_dhcp_static(struct gw *gw, const uint8_t mac[6], uint32_t ip,
		   const char *hostname, bool add)
{
	int ret;

	gw_lock(gw);
	ret = gw_dhcp_static_locked(gw, mac, ip, hostname, add);
	gw_unlock(gw);
	return ret;
}

bool gw_dhcp_ip_in_use(struct gw *gw, uint32_t ip)
{
	bool ret;

	gw_lock(gw);
	ret = gw_dhcp_ip_in_use_locked(gw, ip);
	gw_unlock(gw);
	return ret;
}

int gw_dns_owner_add(struct gw *gw, const char *zone, uint32_t owner,
		     const char *name, const char *const *aliases,
		     size_t n_aliases, uint32_t ip)
{
	int ret;

	gw_lock(gw);
	ret = gw_dns_owner_add_locked(gw, zone, owner, name, aliases,
				      n_aliases, ip);
	gw_unlock(gw);
	return ret;
}

int gw_dns_owner_remove(struct gw *gw, const char *zone, uint32_t owner)
{
	int ret;

	gw_lock(gw);
	ret = gw_dns_owner_remove_locked(gw, zone, owner);
	gw_unlock(gw);
	return ret;
}

int gw_dns_view_add(struct gw *gw, uint32_t client_ip, const char *domain,
		    uint32_t subnet, uint8_t prefix)
{
	struct cidr4 net = { .addr = subnet, .prefix = prefix };
	int ret;

	gw_lock(gw);
	ret = gw_dns_view_add_locked(gw, client_ip, domain, &net);
	gw_unlock(gw);
	return ret;
}

int gw_dns_view_remove(struct gw *gw, uint32_t client_ip)
{
	int ret;

	gw_lock(gw);
	ret = gw_dns_view_remove_locked(gw, client_ip);
	gw_unlock(gw);
	return ret;
}

int gw_leases_export(struct gw *gw, struct json_object **out)
{
	int ret;

	gw_lock(gw);
	ret = gw_leases_export_locked(gw, out);
	gw_unlock(gw);
	return ret;
}

int gw_leases_import(struct gw *gw, const struct json_object *in)
{
	int ret;

	gw_lock(gw);
	ret = gw_leases_import_locked(gw, in);
	gw_unlock(gw);
	return ret;
}

int gw_nat_configure(struct gw *gw, const struct gw_nat_config *c)
{
	int ret;

	if (!c)
		return -EINVAL;
	gw_lock(gw);
	ret = gw_nat_configure_locked(gw, c);
	gw_unlock(gw);
	return ret;
}

int gw_publish_add(struct gw *gw, const struct gw_publish *p)
{
	int ret;

	if (!p || p->fd < 0)
		return -EINVAL;
	gw_lock(gw);
	ret = gw->nat ? gw_nat_pub_add(gw, p) : -ENOTCONN;
	gw_unlock(gw);
	return ret;
}

int gw_publish_remove(struct gw *gw, uint32_t owner)
{
	int ret;

	gw_lock(gw);
	ret = gw->nat ? gw_nat_pub_remove(gw, owner) : 0;
	gw_unlock(gw);
	return ret;
}

int gw_nat_forget(struct gw *gw, uint32_t guest_ip)
{
	int ret;

	gw_lock(gw);
	ret = gw_nat_forget_locked(gw, guest_ip);
	gw_unlock(gw);
	return ret;
}
