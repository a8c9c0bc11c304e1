// SPDX-License-Identifier: MIT
/*
 * state.c - state.json: the networks created with the CLI and the guests
 *
 * Format (version 1):
 *   { "version": 1,
 *     "networks": [ { "name", "mode", "subnet", "mtu", "labels", "created",
 *                     "gateway_mac", "source": "default"|"cli",
 *                     "host_access"?, "max_flows"?, "max_flows_per_guest"? } ],
 *     "guests": [ { "name", "kind", "state", "pid"?, "exit_code"?,
 *                   "command", "created", "started"?, "finished"?,
 *                   "auto_remove", "interfaces": [ { "network", "ifname",
 *                   "mac", "ip"? } ], "id", "publish": [ { "host_ip",
 *                   "host_port", "guest_port", "proto", "network" } ] } ] }
 * (only --publish publications are saved: a config's are derived again)
 * Everything read back is validated as if it came from a client: the file
 * is ours, but a half-edited or truncated one must not take mvmd down.
 */
#include "mvmd/state.h"
#include "mvmd/guest.h"
#include "mvmd/network.h"
#include "mvmd/publish.h"
#include "mvmd/services.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static struct json_object *net_state(const struct network *n)
{
	struct json_object *o = json_object_new_object(), *labels = NULL;
	char buf[CIDR_STRLEN];

	add_str(o, "name", n->name);
	add_str(o, "mode", n->internal ? "internal" : "nat");
	add_str(o, "subnet", cidr4_format(&n->subnet, buf));
	json_object_object_add(o, "mtu", json_object_new_int(n->mtu));
	json_object_deep_copy(n->labels, &labels, NULL);
	json_object_object_add(o, "labels", labels ? labels : json_object_new_object());
	add_str(o, "created", n->created);
	add_str(o, "gateway_mac", mac_format(n->gw_mac, buf));
	add_str(o, "source", net_source_name(n->source));
	if (n->host_access >= 0)
		json_object_object_add(o, "host_access",
				       json_object_new_boolean(n->host_access));
	if (n->max_flows)
		json_object_object_add(o, "max_flows",
				       json_object_new_int64(n->max_flows));
	if (n->max_flows_guest)
		json_object_object_add(o, "max_flows_per_guest",
				       json_object_new_int64(n->max_flows_guest));
	return o;
}

static struct json_object *guest_state(const struct guest *g)
{
	struct json_object *o = json_object_new_object(), *ifs, *cmd = NULL;
	char buf[MAC_STRLEN];
	size_t i;

	add_str(o, "name", g->name);
	add_str(o, "kind", g->kind);
	add_str(o, "state", guest_state_name(g->state));
	if (g->state == GUEST_RUNNING)
		json_object_object_add(o, "pid", json_object_new_int(g->pid));
	if (g->state == GUEST_EXITED)
		json_object_object_add(o, "exit_code", json_object_new_int(g->exit_code));
	json_object_deep_copy(g->command, &cmd, NULL);
	json_object_object_add(o, "command", cmd ? cmd : json_object_new_array());
	cmd = NULL;
	if (g->aliases)
		json_object_deep_copy(g->aliases, &cmd, NULL);
	json_object_object_add(o, "aliases", cmd ? cmd : json_object_new_array());
	add_str(o, "created", g->created);
	if (g->started[0])
		add_str(o, "started", g->started);
	if (g->finished[0])
		add_str(o, "finished", g->finished);
	json_object_object_add(o, "auto_remove", json_object_new_boolean(g->auto_remove));
	ifs = json_object_new_array();
	for (i = 0; i < g->n_if; i++) {
		struct json_object *e = json_object_new_object();

		add_str(e, "network", g->ifs[i].network);
		add_str(e, "ifname", g->ifs[i].ifname);
		add_str(e, "mac", mac_format(g->ifs[i].mac, buf));
		if (g->ifs[i].ip)
			add_str(e, "ip", ip4_format(g->ifs[i].ip, buf));
		json_object_array_add(ifs, e);
	}
	json_object_object_add(o, "interfaces", ifs);
	json_object_object_add(o, "id", json_object_new_int64(g->id));
	ifs = json_object_new_array();
	for (i = 0; i < g->n_pubs; i++) {
		const struct pub *p = &g->pubs[i];
		struct json_object *e;

		if (p->from_config)	/* derived from the config again */
			continue;
		e = json_object_new_object();
		add_str(e, "host_ip", ip4_format(p->host_ip, buf));
		json_object_object_add(e, "host_port", json_object_new_int(p->host_port));
		json_object_object_add(e, "guest_port", json_object_new_int(p->guest_port));
		add_str(e, "proto", pub_proto_name(p->proto));
		add_str(e, "network", p->network);
		json_object_array_add(ifs, e);
	}
	json_object_object_add(o, "publish", ifs);
	return o;
}

struct json_object *state_to_json(struct mvmd *d)
{
	struct json_object *o = json_object_new_object();
	struct json_object *nets = json_object_new_array();
	struct json_object *guests = json_object_new_array();
	size_t i;

	json_object_object_add(o, "version", json_object_new_int(STATE_VERSION));
	for (i = 0; i < d->n_nets; i++)
		if (d->nets[i]->source != NET_SRC_CONFIG)
			json_object_array_add(nets, net_state(d->nets[i]));
	for (i = 0; i < d->n_guests; i++)
		json_object_array_add(guests, guest_state(d->guests[i]));
	json_object_object_add(o, "networks", nets);
	json_object_object_add(o, "guests", guests);
	json_object_object_add(o, "leases", svc_leases_export(d));
	return o;
}

int state_save(struct mvmd *d)
{
	struct json_object *o;
	const char *s;
	size_t len;
	int ret;

	if (d->no_persist || !d->state_path[0])
		return 0;
	o = state_to_json(d);
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	ret = file_write_atomic(d->state_path, s, len, 0600);
	json_object_put(o);
	if (ret)
		err("cannot save %s: %s", d->state_path, strerror(-ret));
	return ret;
}

static void move_aside(struct mvmd *d, const char *why)
{
	char dst[PATH_MAX + 64], stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(dst, sizeof(dst), "%s.corrupt-%s", d->state_path, stamp);
	if (rename(d->state_path, dst))
		err("%s is corrupt (%s) and cannot be moved aside: %s; starting empty",
		    d->state_path, why, strerror(errno));
	else
		err("%s is corrupt (%s); moved to %s, starting empty",
		    d->state_path, why, dst);
}

int state_read(struct mvmd *d, struct json_object **root)
{
	struct json_object *o, *v;
	char *buf;
	size_t len;
	int ret;

	*root = NULL;
	if (!d->state_path[0])
		return 0;
	ret = file_read_all(d->state_path, STATE_MAX_SIZE, &buf, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret == -EFBIG) {
		move_aside(d, "too large");
		return 0;
	}
	if (ret)
		return ret;
	o = json_tokener_parse(buf);
	free(buf);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		move_aside(d, "not a JSON object");
		return 0;
	}
	if (!json_object_object_get_ex(o, "version", &v) ||
	    json_object_get_int(v) != STATE_VERSION) {
		json_object_put(o);
		move_aside(d, "unknown version");
		return 0;
	}
	*root = o;
	return 0;
}

static void load_network(struct mvmd *d, struct json_object *e)
{
	struct net_spec s = { 0 };
	const char *mode = "nat", *subnet = NULL, *source = "cli";
	char err[256];
	int64_t mtu = 0, v;
	int ha;

	if (proto_get_str(e, "name", &s.name) || proto_get_str(e, "subnet", &subnet) ||
	    cidr4_parse(subnet, &s.subnet)) {
		warn("state: skipping a network without a valid name and subnet");
		return;
	}
	proto_get_str(e, "mode", &mode);
	proto_get_str(e, "source", &source);
	proto_get_str(e, "created", &s.created);
	proto_get_int(e, "mtu", &mtu);
	proto_get_obj(e, "labels", &s.labels);
	s.internal = !strcmp(mode, "internal");
	s.has_subnet = 1;
	s.mtu = mtu > 0 && mtu <= NET_MTU_MAX ? (unsigned)mtu : 0;
	s.source = !strcmp(source, "default") ? NET_SRC_DEFAULT : NET_SRC_CLI;
	s.restore = 1;
	if (!proto_get_bool(e, "host_access", &ha))
		s.host_access = ha ? NET_ON : NET_OFF;
	if (!proto_get_int(e, "max_flows", &v) && v > 0 && v <= NET_FLOWS_MAX)
		s.max_flows = (uint32_t)v;
	if (!proto_get_int(e, "max_flows_per_guest", &v) && v > 0 &&
	    v <= (s.max_flows ? s.max_flows : NET_FLOWS_DEFAULT))
		s.max_flows_guest = (uint32_t)v;
	if (net_create(d, &s, NULL, err, sizeof(err)))
		err("state: network '%s' not restored: %s", s.name, err);
}

void state_load_networks(struct mvmd *d, struct json_object *root)
{
	struct json_object *a;
	size_t i;

	if (!root || proto_get_arr(root, "networks", &a))
		return;
	for (i = 0; i < json_object_array_length(a); i++)
		load_network(d, json_object_array_get_idx(a, i));
}

static void copy_time(struct json_object *e, const char *k, char *dst, size_t size)
{
	const char *s;

	if (!proto_get_str(e, k, &s))
		str_copy(dst, size, s);
}

/* one interface; its address only if it is valid and free on its network */
static int load_if(struct mvmd *d, struct guest *g, struct json_object *e)
{
	struct guest_if *gi = &g->ifs[g->n_if];
	const char *net, *ifname, *mac, *ip;
	struct network *n;
	uint32_t a;

	if (proto_get_str(e, "network", &net) || !name_valid(net) ||
	    proto_get_str(e, "ifname", &ifname) ||
	    proto_get_str(e, "mac", &mac) || mac_parse(mac, gi->mac))
		return -EINVAL;
	str_copy(gi->network, sizeof(gi->network), net);
	str_copy(gi->ifname, sizeof(gi->ifname), ifname);
	n = net_find(d, net);
	if (!proto_get_str(e, "ip", &ip) && !ip4_parse(ip, &a) && n &&
	    cidr4_contains(&n->subnet, a) && a != n->gw &&
	    a != n->subnet.addr && a != cidr4_broadcast(&n->subnet) &&
	    !guest_ip_in_use(d, net, a))
		gi->ip = a;
	g->n_if++;
	return 0;
}

/* the guest's id (a new one if absent or taken) and publications */
static void load_pubs(struct mvmd *d, struct guest *g, struct json_object *e)
{
	struct json_object *a;
	char err[256];
	size_t i, k;
	int64_t v;

	if (!proto_get_int(e, "id", &v) && v > 0 && v <= UINT32_MAX) {
		g->id = (uint32_t)v;
		for (i = 0; i < d->n_guests && d->guests[i]->id != g->id; i++)
			;
		if (i < d->n_guests)
			g->id = 0;
		else if (g->id > d->guest_serial)
			d->guest_serial = g->id;
	}
	if (!g->id)
		g->id = guest_id_alloc(d);
	if (proto_get_arr(e, "publish", &a))
		a = NULL;
	for (i = 0; a && i < json_object_array_length(a) && g->n_pubs < PUB_MAX; i++) {
		struct pub *p = &g->pubs[g->n_pubs];

		if (pub_from_json(json_object_array_get_idx(a, i), p, err,
				  sizeof(err))) {
			warn("state: guest '%s': %s; dropped", g->name, err);
			continue;
		}
		for (k = 0; k < g->n_if && strcmp(g->ifs[k].network, p->network); k++)
			;
		if (k < g->n_if)
			g->n_pubs++;
	}
	if (pub_config_collect(d, g, err, sizeof(err)))
		warn("state: guest '%s': %s", g->name, err);
}

static struct guest *load_guest(struct mvmd *d, struct json_object *e)
{
	struct json_object *ifs, *cmd;
	const char *name, *state, *kind = "netns";
	struct guest *g;
	int64_t v;
	size_t i;

	if (proto_get_str(e, "name", &name) || !name_valid(name) ||
	    guest_find(d, name) || proto_get_str(e, "state", &state) ||
	    proto_get_arr(e, "interfaces", &ifs) ||
	    json_object_array_length(ifs) > GUEST_MAX_IF ||
	    d->n_guests >= GUEST_MAX)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->pidfd = -1;
	str_copy(g->name, sizeof(g->name), name);
	proto_get_str(e, "kind", &kind);
	str_copy(g->kind, sizeof(g->kind), kind);
	g->command = json_object_new_array();
	if (!proto_get_arr(e, "command", &cmd))
		for (i = 0; i < json_object_array_length(cmd) && i < GUEST_CMD_MAX; i++)
			json_object_array_add(g->command, json_object_new_string(
				json_object_get_string(json_object_array_get_idx(cmd, i))));
	g->aliases = json_object_new_array();
	if (!proto_get_arr(e, "aliases", &cmd))
		for (i = 0; i < json_object_array_length(cmd) && i < GUEST_ALIASES_MAX; i++) {
			const char *a = json_object_get_string(json_object_array_get_idx(cmd, i));

			if (a && name_valid(a))
				json_object_array_add(g->aliases, json_object_new_string(a));
		}
	copy_time(e, "created", g->created, sizeof(g->created));
	copy_time(e, "started", g->started, sizeof(g->started));
	copy_time(e, "finished", g->finished, sizeof(g->finished));
	proto_get_bool(e, "auto_remove", &g->auto_remove);
	for (i = 0; i < json_object_array_length(ifs); i++)
		if (load_if(d, g, json_object_array_get_idx(ifs, i)))
			goto bad;
	load_pubs(d, g, e);
	if (!strcmp(state, "running") && !proto_get_int(e, "pid", &v) &&
	    v > 0 && v < (1 << 30)) {
		g->state = GUEST_RUNNING;
		g->pid = (pid_t)v;
	} else if (!strcmp(state, "exited")) {
		g->state = GUEST_EXITED;
		g->exit_code = !proto_get_int(e, "exit_code", &v) ? (int)v : -1;
		for (i = 0; i < g->n_if; i++)
			g->ifs[i].ip = 0;
	} else if (!strcmp(state, "created")) {
		info("state: guest '%s' was never started; dropped", name);
		goto drop;
	} else {
		goto bad;
	}
	if (guest_add(d, g))
		goto drop;
	return g;
bad:
	warn("state: skipping invalid guest '%s'", name);
drop:
	json_object_put(g->aliases);
	json_object_put(g->command);
	free(g);
	return NULL;
}

/* a guest that was running when mvmd went away: is it still there? */
static void revive(struct mvmd *d, struct guest *g)
{
	if (kill(g->pid, 0) == 0) {
		int fd = guest_pidfd_open(g->pid);

		g->pidfd = fd >= 0 ? fd : -1;
		guest_watch(d, g);
		info("guest '%s' (pid %d) still runs; waiting for it to reattach",
		     g->name, (int)g->pid);
		pub_guest_up(d, g, 0, NULL, 0);
		return;
	}
	info("guest '%s' (pid %d) went away while mvmd was down", g->name,
	     (int)g->pid);
	guest_exited(d, g, -1);
}

void state_load_guests(struct mvmd *d, struct json_object *root)
{
	struct json_object *a;
	size_t i;

	if (!root || proto_get_arr(root, "guests", &a))
		return;
	for (i = 0; i < json_object_array_length(a); i++) {
		struct guest *g = load_guest(d, json_object_array_get_idx(a, i));

		if (g && g->state == GUEST_RUNNING)
			revive(d, g);
	}
}
