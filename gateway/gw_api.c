// SPDX-License-Identifier: MIT
/*
 * gw_api.c - the switch API to its gateway's DHCP and DNS (vsw.h)
 *
 * Each function takes the switch lock (vsw_gw_lock()) and calls the
 * gateway module that owns the table, so the switch thread and the
 * control plane never touch the tables at the same time.
 */
#include <errno.h>

#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"
#include "vswitch/vsw.h"

int vsw_services_configure(struct vsw *sw, const struct vsw_services_config *c)
{
	struct gw *gw;
	int ret;

	if (!c)
		return -EINVAL;
	gw = vsw_gw_lock(sw);
	ret = gw_services_configure(gw, c);
	vsw_gw_unlock(sw);
	return ret;
}

int vsw_dhcp_static(struct vsw *sw, const uint8_t mac[6], uint32_t ip,
		    const char *hostname, bool add)
{
	struct gw *gw = vsw_gw_lock(sw);
	int ret = gw_dhcp_static(gw, mac, ip, hostname, add);

	vsw_gw_unlock(sw);
	return ret;
}

bool vsw_dhcp_ip_in_use(struct vsw *sw, uint32_t ip)
{
	struct gw *gw = vsw_gw_lock(sw);
	bool ret = gw_dhcp_ip_in_use(gw, ip);

	vsw_gw_unlock(sw);
	return ret;
}

int vsw_dns_owner_add(struct vsw *sw, const char *zone, uint32_t owner,
		      const char *name, const char *const *aliases,
		      size_t n_aliases, uint32_t ip)
{
	struct gw *gw = vsw_gw_lock(sw);
	int ret = gw_dns_owner_add(gw, zone, owner, name, aliases, n_aliases,
				   ip);

	vsw_gw_unlock(sw);
	return ret;
}

int vsw_dns_owner_remove(struct vsw *sw, const char *zone, uint32_t owner)
{
	struct gw *gw = vsw_gw_lock(sw);
	int ret = gw_dns_owner_remove(gw, zone, owner);

	vsw_gw_unlock(sw);
	return ret;
}

int vsw_dns_view_add(struct vsw *sw, uint32_t client_ip, const char *domain,
		     uint32_t subnet, uint8_t prefix)
{
	struct cidr4 net = { .addr = subnet, .prefix = prefix };
	struct gw *gw = vsw_gw_lock(sw);
	int ret = gw_dns_view_add(gw, client_ip, domain, &net);

	vsw_gw_unlock(sw);
	return ret;
}

int vsw_dns_view_remove(struct vsw *sw, uint32_t client_ip)
{
	struct gw *gw = vsw_gw_lock(sw);
	int ret = gw_dns_view_remove(gw, client_ip);

	vsw_gw_unlock(sw);
	return ret;
}

int vsw_leases_export(struct vsw *sw, struct json_object **out)
{
	struct gw *gw = vsw_gw_lock(sw);
	int ret = gw_leases_export(gw, out);

	vsw_gw_unlock(sw);
	return ret;
}

int vsw_leases_import(struct vsw *sw, const struct json_object *in)
{
	struct gw *gw = vsw_gw_lock(sw);
	int ret = gw_leases_import(gw, in);

	vsw_gw_unlock(sw);
	return ret;
}

int vsw_nat_configure(struct vsw *sw, const struct vsw_nat_config *c)
{
	struct gw *gw;
	int ret;

	if (!c)
		return -EINVAL;
	gw = vsw_gw_lock(sw);
	ret = gw_nat_configure(gw, c);
	vsw_gw_unlock(sw);
	return ret;
}

int vsw_publish_add(struct vsw *sw, const struct vsw_publish *p)
{
	struct gw *gw;
	int ret;

	if (!p || p->fd < 0)
		return -EINVAL;
	gw = vsw_gw_lock(sw);
	ret = gw->nat ? gw_nat_pub_add(gw, p) : -ENOTCONN;
	vsw_gw_unlock(sw);
	return ret;
}

int vsw_publish_remove(struct vsw *sw, uint32_t owner)
{
	struct gw *gw = vsw_gw_lock(sw);
	int ret = gw->nat ? gw_nat_pub_remove(gw, owner) : 0;

	vsw_gw_unlock(sw);
	return ret;
}

int vsw_nat_forget(struct vsw *sw, uint32_t guest_ip)
{
	struct gw *gw = vsw_gw_lock(sw);
	int ret = gw_nat_forget(gw, guest_ip);

	vsw_gw_unlock(sw);
	return ret;
}
