// SPDX-License-Identifier: MIT
/*
 * network.c - mvmd's registry of networks, each with its own switch
 *
 * Subnets: one given by the user must overlap neither an address or route
 * of the host (subnet_host_prefixes(), read through libnl-route) nor
 * another mvm network; one left out is chosen by subnet_choose() among
 * the /24s that avoid both. Networks restored from state.json keep their
 * subnet even if the host has since grown an overlapping route: guests
 * hold addresses in it; the overlap is logged.
 */
#include "mvmd/network.h"
#include "mvmd/config.h"
#include "mvmd/guest.h"
#include "mvmd/mvmd.h"
#include "mvmd/services.h"
#include "mvmd/subnet.h"
#include "common/log.h"
#include "common/util.h"
#include "gateway/gateway.h"
#include "vswitch/vsw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *net_source_name(enum net_source s)
{
	switch (s) {
	case NET_SRC_DEFAULT:
		return "default";
	case NET_SRC_CONFIG:
		return "config";
	default:
		return "cli";
	}
}

void net_gw_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	mac[0] = 0x02;	/* locally administered, unicast */
	mac[1] = 0x6d;	/* 'm' */
	mac[2] = 0x76;	/* 'v' */
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

struct network *net_find(struct mvmd *d, const char *name)
{
	size_t i;

	for (i = 0; name && i < d->n_nets; i++)
		if (!strcmp(d->nets[i]->name, name))
			return d->nets[i];
	return NULL;
}

int net_labels_check(struct json_object *labels, char *err, size_t errlen)
{
	size_t n = 0;

	if (!labels)
		return 0;
	if (!json_object_is_type(labels, json_type_object)) {
		snprintf(err, errlen, "labels must be an object of strings");
		return -EINVAL;
	}
	json_object_object_foreach(labels, k, v) {
		if (++n > NET_LABELS_MAX) {
			snprintf(err, errlen, "too many labels (limit %d)",
				 NET_LABELS_MAX);
			return -EINVAL;
		}
		if (!*k || strlen(k) >= NET_LABEL_MAX || strchr(k, '=')) {
			snprintf(err, errlen,
				 "invalid label key '%.40s': 1 to %d characters, no '='",
				 k, NET_LABEL_MAX - 1);
			return -EINVAL;
		}
		if (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) >= NET_LABEL_MAX) {
			snprintf(err, errlen,
				 "label '%.40s' must have a string value of at most %d characters",
				 k, NET_LABEL_MAX - 1);
			return -EINVAL;
		}
	}
	return 0;
}

int net_labels_match(const struct network *n, struct json_object *want)
{
	if (!want)
		return 1;
	json_object_object_foreach(want, k, v) {
		struct json_object *have;

		if (!json_object_is_type(v, json_type_string) ||
		    !json_object_object_get_ex(n->labels, k, &have) ||
		    strcmp(json_object_get_string(have), json_object_get_string(v)))
			return 0;
	}
	return 1;
}

/* -EADDRINUSE naming the first mvm network @c overlaps, else 0 */
static int check_nets(struct mvmd *d, const struct cidr4 *c, char *err,
		      size_t errlen)
{
	char a[CIDR_STRLEN], b[CIDR_STRLEN];
	size_t i;

	for (i = 0; i < d->n_nets; i++) {
		if (!cidr4_overlap(c, &d->nets[i]->subnet))
			continue;
		snprintf(err, errlen, "subnet %s overlaps network '%s' (%s)",
			 cidr4_format(c, a), d->nets[i]->name,
			 cidr4_format(&d->nets[i]->subnet, b));
		return -EADDRINUSE;
	}
	return 0;
}

/* host prefixes; a netlink failure is logged and treated as "none" */
static void host_prefixes(struct cidr4 **out, size_t *n)
{
	int ret = subnet_host_prefixes(out, n);

	if (ret) {
		warn("cannot read the host's addresses and routes: %s",
		     strerror(-ret));
		*out = NULL;
		*n = 0;
	}
}

static int check_host(const struct cidr4 *c, char *err, size_t errlen)
{
	char a[CIDR_STRLEN], b[CIDR_STRLEN];
	struct cidr4 *host;
	size_t n;
	int i;

	host_prefixes(&host, &n);
	i = subnet_find_conflict(c, host, n);
	if (i >= 0)
		snprintf(err, errlen, "subnet %s overlaps route %s on the host",
			 cidr4_format(c, a), cidr4_format(&host[i], b));
	free(host);
	return i >= 0 ? -EADDRINUSE : 0;
}

static int choose_subnet(struct mvmd *d, struct cidr4 *out, char *err,
			 size_t errlen)
{
	struct cidr4 *host, *used;
	size_t n, i;
	int ret;

	host_prefixes(&host, &n);
	used = realloc(host, (n + d->n_nets + 1) * sizeof(*used));
	if (!used) {
		free(host);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < d->n_nets; i++)
		used[n++] = d->nets[i]->subnet;
	ret = subnet_choose(used, n, out);
	free(used);
	if (ret)
		snprintf(err, errlen,
			 "no free subnet left in mvm's pools; choose one with --subnet");
	return ret;
}

static int net_check_spec(struct mvmd *d, const struct net_spec *s,
			  char *err, size_t errlen)
{
	if (!s->name || !name_valid(s->name)) {
		snprintf(err, errlen,
			 "invalid network name '%.64s': use 1 to 63 lowercase letters, digits and '-', not starting or ending with '-'",
			 s->name ? s->name : "");
		return -EINVAL;
	}
	if (net_find(d, s->name)) {
		snprintf(err, errlen, "network '%s' already exists", s->name);
		return -EEXIST;
	}
	if (d->n_nets >= NET_MAX) {
		snprintf(err, errlen, "too many networks (limit %d)", NET_MAX);
		return -ENOSPC;
	}
	if (s->mtu && (s->mtu < NET_MTU_MIN || s->mtu > NET_MTU_MAX)) {
		snprintf(err, errlen, "MTU %u is out of range (%d..%d)", s->mtu,
			 NET_MTU_MIN, NET_MTU_MAX);
		return -EINVAL;
	}
	if (s->max_flows > NET_FLOWS_MAX) {
		snprintf(err, errlen, "max flows %u is out of range (1..%u)",
			 s->max_flows, NET_FLOWS_MAX);
		return -EINVAL;
	}
	if (s->max_flows_guest > (s->max_flows ? s->max_flows : NET_FLOWS_DEFAULT)) {
		snprintf(err, errlen,
			 "max flows per guest %u is more than the network's max flows (%u)",
			 s->max_flows_guest,
			 s->max_flows ? s->max_flows : NET_FLOWS_DEFAULT);
		return -EINVAL;
	}
	return net_labels_check(s->labels, err, errlen);
}

int net_host_access(const struct network *n)
{
	return n->host_access >= 0 ? n->host_access : !n->internal;
}

static int net_append(struct mvmd *d, struct network *n)
{
	if (d->n_nets == d->cap_nets) {
		size_t cap = d->cap_nets ? d->cap_nets * 2 : 8;
		struct network **p = realloc(d->nets, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		d->nets = p;
		d->cap_nets = cap;
	}
	d->nets[d->n_nets++] = n;
	return 0;
}

static void net_free(struct network *n)
{
	if (!n)
		return;
	vsw_destroy(n->sw);
	json_object_put(n->labels);
	free(n->pcap);
	free(n->cfg);
	free(n);
}

int net_create(struct mvmd *d, const struct net_spec *s, struct network **out,
	       char *err, size_t errlen)
{
	struct vsw_config vc = { 0 };
	struct gw_config gc = { 0 };
	struct network *n;
	char a[CIDR_STRLEN];
	int ret;

	ret = net_check_spec(d, s, err, errlen);
	if (ret)
		return ret;
	n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (s->has_subnet) {
		n->subnet = s->subnet;
		ret = check_nets(d, &n->subnet, err, errlen);
		if (!ret && !s->restore)
			ret = check_host(&n->subnet, err, errlen);
		else if (!ret && check_host(&n->subnet, err, errlen))
			warn("network '%s': %s", s->name, err);
	} else {
		ret = choose_subnet(d, &n->subnet, err, errlen);
	}
	if (ret)
		goto fail;

	str_copy(n->name, sizeof(n->name), s->name);
	n->internal = s->internal;
	n->gw = cidr4_gateway(&n->subnet);
	net_gw_mac(n->name, n->gw_mac);
	n->mtu = (uint16_t)(s->mtu ? s->mtu : NET_MTU_DEFAULT);
	n->host_access = s->host_access == NET_ON ? 1 :
			 s->host_access == NET_OFF ? 0 : -1;
	n->max_flows = s->max_flows;
	n->max_flows_guest = s->max_flows_guest;
	if (s->labels)	/* a private copy, not the request's */
		json_object_deep_copy(s->labels, &n->labels, NULL);
	if (!n->labels)
		n->labels = json_object_new_object();
	n->source = s->source;
	if (s->cfg) {
		n->cfg = malloc(sizeof(*n->cfg));
		if (!n->cfg) {
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
			goto fail;
		}
		*n->cfg = *s->cfg;
	}
	if (s->config_file)
		str_copy(n->config_file, sizeof(n->config_file), s->config_file);
	if (s->created)
		str_copy(n->created, sizeof(n->created), s->created);
	else
		now_iso8601(n->created, sizeof(n->created));

	vc.name = n->name;
	ret = vsw_create(&vc, &n->sw);
	if (ret) {
		n->sw = NULL;
		snprintf(err, errlen, "cannot start the switch of network '%s': %s",
			 n->name, strerror(-ret));
		goto fail;
	}
	memcpy(gc.mac, n->gw_mac, 6);
	gc.ip = n->gw;
	gc.subnet = n->subnet;
	gc.mtu = n->mtu;
	ret = gw_attach(n->sw, &gc, &n->gateway);
	if (ret) {
		snprintf(err, errlen, "cannot start the gateway of network '%s': %s",
			 n->name, strerror(-ret));
		goto fail;
	}
	ret = net_append(d, n);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	svc_network_up(d, n);
	info("network '%s' (%s, %s, mtu %u) up", n->name,
	     n->internal ? "internal" : "nat", cidr4_format(&n->subnet, a),
	     n->mtu);
	if (out)
		*out = n;
	return 0;
fail:
	net_free(n);
	return ret;
}

void net_destroy(struct mvmd *d, struct network *n)
{
	size_t i;

	for (i = 0; i < d->n_nets; i++) {
		if (d->nets[i] != n)
			continue;
		memmove(&d->nets[i], &d->nets[i + 1],
			(d->n_nets - i - 1) * sizeof(*d->nets));
		d->n_nets--;
		break;
	}
	if (n->pcap)
		capture_stop(d, &n->pcap->cap, NULL, NULL);
	info("network '%s' removed", n->name);
	net_free(n);
}

struct json_object *net_guests(struct mvmd *d, const struct network *n)
{
	struct json_object *a = json_object_new_array();
	size_t i, k;

	for (i = 0; i < d->n_guests; i++) {
		const struct guest *g = d->guests[i];

		if (g->state == GUEST_EXITED)
			continue;
		for (k = 0; k < g->n_if; k++) {
			if (strcmp(g->ifs[k].network, n->name))
				continue;
			json_object_array_add(a, json_object_new_string(g->name));
			break;
		}
	}
	return a;
}

static struct json_object *pcap_to_json(struct mvmd *d, struct network *n)
{
	struct net_pcap *p = n->pcap;
	struct json_object *o = json_object_new_object();
	uint64_t packets = p->packets, dropped = p->dropped;

	if (p->cap.active)
		capture_counters(d, &p->cap, &packets, &dropped);
	json_object_object_add(o, "file", json_object_new_string(p->file));
	json_object_object_add(o, "filter", json_object_new_string(p->filter));
	json_object_object_add(o, "active", json_object_new_boolean(p->cap.active));
	json_object_object_add(o, "packets", json_object_new_int64((int64_t)packets));
	json_object_object_add(o, "dropped", json_object_new_int64((int64_t)dropped));
	if (p->error[0])
		json_object_object_add(o, "error", json_object_new_string(p->error));
	return o;
}

struct json_object *net_to_json(struct mvmd *d, struct network *n, int inspect)
{
	struct json_object *o = json_object_new_object(), *labels = NULL;
	char buf[CIDR_STRLEN], dom[SVC_DOMAIN_MAX];

	json_object_object_add(o, "name", json_object_new_string(n->name));
	json_object_object_add(o, "mode",
			       json_object_new_string(n->internal ? "internal" : "nat"));
	json_object_object_add(o, "subnet",
			       json_object_new_string(cidr4_format(&n->subnet, buf)));
	json_object_object_add(o, "gateway",
			       json_object_new_string(ip4_format(n->gw, buf)));
	json_object_object_add(o, "gateway_mac",
			       json_object_new_string(mac_format(n->gw_mac, buf)));
	json_object_object_add(o, "mtu", json_object_new_int(n->mtu));
	json_object_object_add(o, "domain", json_object_new_string(
		svc_domain(n, dom, sizeof(dom))));
	json_object_deep_copy(n->labels, &labels, NULL);
	json_object_object_add(o, "labels", labels ? labels : json_object_new_object());
	json_object_object_add(o, "source",
			       json_object_new_string(net_source_name(n->source)));
	if (n->source == NET_SRC_CONFIG)
		json_object_object_add(o, "config_file",
				       json_object_new_string(n->config_file));
	json_object_object_add(o, "created", json_object_new_string(n->created));
	json_object_object_add(o, "host_access",
			       json_object_new_boolean(net_host_access(n)));
	json_object_object_add(o, "max_flows", json_object_new_int64(
		n->max_flows ? n->max_flows : NET_FLOWS_DEFAULT));
	json_object_object_add(o, "max_flows_per_guest", json_object_new_int64(
		n->max_flows_guest ? n->max_flows_guest :
		MIN(NET_FLOWS_GUEST_DEFAULT,
		    n->max_flows ? n->max_flows : NET_FLOWS_DEFAULT)));
	json_object_object_add(o, "guests", net_guests(d, n));
	if (inspect) {
		struct json_object *st = vsw_stats(n->sw);

		gw_stats_json(n->gateway, st);

		json_object_object_add(o, "stats", st ? st : json_object_new_object());
		if (n->pcap)
			json_object_object_add(o, "capture", pcap_to_json(d, n));
	}
	return o;
}

int net_pcap_start(struct mvmd *d, struct network *n)
{
	struct net_pcap *p = n->pcap;
	int fd, ret;

	/* O_NONBLOCK: a FIFO without a reader must not hang the daemon */
	fd = open(p->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY |
		  O_NONBLOCK, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(p->error, sizeof(p->error), "cannot open %s: %s",
			 p->file, strerror(errno));
		return ret;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	ret = capture_start(d, &p->cap, n, fd, p->filter[0] ? p->filter : NULL,
			    0, NULL, p->error, sizeof(p->error));
	close(fd);
	if (!ret) {
		p->error[0] = '\0';
		info("network '%s': capturing to %s", n->name, p->file);
	}
	return ret;
}
