// SPDX-License-Identifier: MIT
/*
 * guest.c - mvmd's registry of guests, and their addresses and MACs
 *
 * See guest.h for the life of a guest. Addresses are allocated from the
 * bottom of the subnet (.2 up: .0 is the network, .1 the gateway, the last
 * one broadcast) so that a lone guest always gets the same one; a guest's
 * address is fixed at creation so `mvm inspect` knows it before the guest
 * runs. Guests are signalled through a pidfd, which cannot hit a recycled
 * pid; the same pidfd, watched by epoll, tells when a guest that has no
 * lifeline (mvmd was restarted under it) goes away.
 */
#include "mvmd/guest.h"
#include "mvmd/names.h"
#include "mvmd/network.h"
#include "mvmd/publish.h"
#include "mvmd/services.h"
#include "common/log.h"
#include "common/util.h"
#include "gateway/gateway.h"
#include "vswitch/vsw.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *guest_state_name(enum guest_state s)
{
	switch (s) {
	case GUEST_CREATED:
		return "created";
	case GUEST_RUNNING:
		return "running";
	default:
		return "exited";
	}
}

struct guest *guest_find(struct mvmd *d, const char *name)
{
	size_t i;

	for (i = 0; name && i < d->n_guests; i++)
		if (!strcmp(d->guests[i]->name, name))
			return d->guests[i];
	return NULL;
}

uint32_t guest_id_alloc(struct mvmd *d)
{
	for (;;) {
		size_t i;

		if (!++d->guest_serial)
			d->guest_serial = 1;
		for (i = 0; i < d->n_guests; i++)
			if (d->guests[i]->id == d->guest_serial)
				break;
		if (i == d->n_guests)
			return d->guest_serial;
	}
}

int guest_add(struct mvmd *d, struct guest *g)
{
	if (d->n_guests == d->cap_guests) {
		size_t cap = d->cap_guests ? d->cap_guests * 2 : 16;
		struct guest **p = realloc(d->guests, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		d->guests = p;
		d->cap_guests = cap;
	}
	d->guests[d->n_guests++] = g;
	return 0;
}

int guest_ip_in_use(struct mvmd *d, const char *net, uint32_t ip)
{
	size_t i, k;

	if (!ip)
		return 0;
	for (i = 0; i < d->n_guests; i++) {
		const struct guest *g = d->guests[i];

		for (k = 0; k < g->n_if; k++)
			if (g->ifs[k].ip == ip && !strcmp(g->ifs[k].network, net))
				return 1;
	}
	return 0;
}

int guest_ip_alloc(struct mvmd *d, const struct network *n, uint32_t *out)
{
	uint32_t last = cidr4_broadcast(&n->subnet), ip;

	for (ip = n->subnet.addr + 1; ip < last; ip++) {
		if (ip == n->gw || guest_ip_in_use(d, n->name, ip) ||
		    gw_dhcp_ip_in_use(n->gateway, ip))	/* a DHCP client's */
			continue;
		*out = ip;
		return 0;
	}
	return -ENOSPC;
}

static int mac_in_use(struct mvmd *d, const uint8_t mac[6])
{
	size_t i, k;

	for (i = 0; i < d->n_nets; i++)
		if (!memcmp(d->nets[i]->gw_mac, mac, 6))
			return 1;
	for (i = 0; i < d->n_guests; i++)
		for (k = 0; k < d->guests[i]->n_if; k++)
			if (!memcmp(d->guests[i]->ifs[k].mac, mac, 6))
				return 1;
	return 0;
}

int guest_mac_alloc(struct mvmd *d, uint8_t mac[6])
{
	int tries;

	for (tries = 0; tries < 64; tries++) {
		if (getrandom(mac, 6, 0) != 6)
			return -errno;
		mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);	/* local, unicast */
		if (mac[0] == 0x02 && mac[1] == 0x6d && mac[2] == 0x76)
			continue;	/* gateways' prefix */
		if (!mac_in_use(d, mac))
			return 0;
	}
	return -EAGAIN;
}

int guest_name_generate(struct mvmd *d, char *buf, size_t size)
{
	int tries;

	for (tries = 0; tries < 64; tries++) {
		uint64_t r;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return -errno;
		/* plain names first, then with a numeric suffix */
		if (tries < 32)
			r %= names_count();
		else if (r < names_count())
			r += names_count();
		names_generate(r, buf, size);
		if (!guest_find(d, buf))
			return 0;
	}
	return -ENOSPC;
}

static int check_spec(struct mvmd *d, const struct guest_spec *s, char *err,
		      size_t errlen)
{
	size_t i, k;

	if (d->n_guests >= GUEST_MAX) {
		snprintf(err, errlen,
			 "too many guests (limit %d); remove exited ones with 'mvm rm'",
			 GUEST_MAX);
		return -ENOSPC;
	}
	if (s->name && !name_valid(s->name)) {
		snprintf(err, errlen,
			 "invalid guest name '%.64s': use 1 to 63 lowercase letters, digits and '-', not starting or ending with '-'",
			 s->name);
		return -EINVAL;
	}
	if (s->name && guest_find(d, s->name)) {
		snprintf(err, errlen,
			 "a guest named '%s' already exists; remove it with 'mvm rm %s'",
			 s->name, s->name);
		return -EEXIST;
	}
	if (s->kind && strcmp(s->kind, "netns")) {
		snprintf(err, errlen,
			 "unsupported guest kind '%.32s' (only 'netns' for now)",
			 s->kind);
		return -EINVAL;
	}
	if (s->aliases) {
		size_t na = json_object_array_length(s->aliases);

		if (na > GUEST_ALIASES_MAX) {
			snprintf(err, errlen, "too many aliases (limit %d)",
				 GUEST_ALIASES_MAX);
			return -EINVAL;
		}
		for (i = 0; i < na; i++) {
			const char *a = json_object_get_string(
				json_object_array_get_idx(s->aliases, i));

			if (!a || !name_valid(a)) {
				snprintf(err, errlen,
					 "invalid alias '%.64s': use 1 to 63 lowercase letters, digits and '-', not starting or ending with '-'",
					 a ? a : "");
				return -EINVAL;
			}
		}
	}
	if (!s->n_networks || s->n_networks > GUEST_MAX_IF) {
		snprintf(err, errlen, "a guest needs 1 to %d networks",
			 GUEST_MAX_IF);
		return -EINVAL;
	}
	for (i = 0; i < s->n_networks; i++) {
		if (!net_find(d, s->networks[i])) {
			snprintf(err, errlen, "network '%.64s' does not exist",
				 s->networks[i]);
			return -ENOENT;
		}
		for (k = 0; k < i; k++) {
			if (strcmp(s->networks[i], s->networks[k]))
				continue;
			snprintf(err, errlen, "network '%s' is listed twice",
				 s->networks[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* the request's publications; "" (no network) is the first network */
static int pubs_from_spec(struct guest *g, const struct guest_spec *s,
			  char *err, size_t errlen)
{
	size_t i, k, n = s->publish ? json_object_array_length(s->publish) : 0;
	int ret;

	if (n > PUB_MAX) {
		snprintf(err, errlen, "too many published ports (limit %d)",
			 PUB_MAX);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		struct pub *p = &g->pubs[i];

		ret = pub_from_json(json_object_array_get_idx(s->publish, i), p,
				    err, errlen);
		if (ret)
			return ret;
		if (!p->network[0])
			str_copy(p->network, sizeof(p->network), g->ifs[0].network);
		for (k = 0; k < g->n_if && strcmp(g->ifs[k].network, p->network); k++)
			;
		if (k == g->n_if) {
			snprintf(err, errlen,
				 "cannot publish toward network '%s': the guest is not attached to it",
				 p->network);
			return -EINVAL;
		}
	}
	g->n_pubs = n;
	return 0;
}

int guest_create(struct mvmd *d, const struct guest_spec *s,
		 struct guest **out, char *err, size_t errlen)
{
	struct guest *g;
	size_t i;
	int ret;

	ret = check_spec(d, s, err, errlen);
	if (ret)
		return ret;
	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	g->pidfd = -1;
	if (s->name) {
		str_copy(g->name, sizeof(g->name), s->name);
	} else if (guest_name_generate(d, g->name, sizeof(g->name))) {
		snprintf(err, errlen, "cannot find a free guest name; give one with --name");
		ret = -ENOSPC;
		goto fail;
	}
	str_copy(g->kind, sizeof(g->kind), s->kind ? s->kind : "netns");
	g->command = json_object_new_array();
	if (s->command)
		for (i = 0; i < json_object_array_length(s->command); i++)
			json_object_array_add(g->command, json_object_new_string(
				json_object_get_string(json_object_array_get_idx(s->command, i))));
	g->aliases = json_object_new_array();
	if (s->aliases)
		for (i = 0; i < json_object_array_length(s->aliases); i++)
			json_object_array_add(g->aliases, json_object_new_string(
				json_object_get_string(json_object_array_get_idx(s->aliases, i))));
	g->auto_remove = s->auto_remove;
	g->n_if = s->n_networks;
	for (i = 0; i < g->n_if; i++) {
		struct guest_if *gi = &g->ifs[i];
		struct network *n = net_find(d, s->networks[i]);

		str_copy(gi->network, sizeof(gi->network), n->name);
		snprintf(gi->ifname, sizeof(gi->ifname), "eth%u", (unsigned)i % GUEST_MAX_IF);
		ret = guest_mac_alloc(d, gi->mac);
		if (ret) {
			snprintf(err, errlen, "cannot allocate a MAC address: %s",
				 strerror(-ret));
			goto fail;
		}
		ret = guest_ip_alloc(d, n, &gi->ip);
		if (ret) {
			snprintf(err, errlen, "network '%s' has no free addresses",
				 n->name);
			goto fail;
		}
	}
	g->id = guest_id_alloc(d);
	ret = pubs_from_spec(g, s, err, errlen);
	if (!ret)
		ret = pub_config_collect(d, g, err, errlen);
	if (!ret)
		ret = pub_guest_up(d, g, 1, err, errlen);
	if (ret)
		goto fail;
	now_iso8601(g->created, sizeof(g->created));
	g->state = GUEST_CREATED;
	ret = guest_add(d, g);
	if (ret) {
		pub_guest_down(d, g);
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	svc_guest_leases(d, g, 1);
	info("guest '%s' created", g->name);
	*out = g;
	return 0;
fail:
	json_object_put(g->aliases);
	json_object_put(g->command);
	free(g);
	return ret;
}

int guest_pidfd_open(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
}

void guest_watch(struct mvmd *d, struct guest *g)
{
	if (g->pidfd < 0)
		return;
	g->ev.type = MVMD_EV_PIDFD;
	g->ev.ptr = g;
	if (mvmd_watch(d, g->pidfd, &g->ev))
		warn("guest '%s': cannot watch its pidfd", g->name);
}

void guest_detach(struct mvmd *d, struct guest *g)
{
	size_t i;

	for (i = 0; i < g->n_if; i++) {
		struct guest_if *gi = &g->ifs[i];
		struct network *n;

		if (!gi->attached)
			continue;
		n = net_find(d, gi->network);
		if (n)
			vsw_port_remove(n->sw, gi->port);
		gi->attached = 0;
	}
}

static int attach_check(struct mvmd *d, struct guest *g, pid_t pid,
			size_t nfds, char *err, size_t errlen)
{
	size_t i;

	if (g->state == GUEST_EXITED) {
		snprintf(err, errlen, "guest '%s' has exited", g->name);
		return -EINVAL;
	}
	if (g->state == GUEST_RUNNING && g->lifeline) {
		snprintf(err, errlen, "guest '%s' is already attached", g->name);
		return -EBUSY;
	}
	if (g->state == GUEST_RUNNING && g->pid != pid) {
		snprintf(err, errlen, "guest '%s' runs as pid %d, not %d",
			 g->name, (int)g->pid, (int)pid);
		return -EINVAL;
	}
	if (pid <= 0) {
		snprintf(err, errlen, "invalid pid %d", (int)pid);
		return -EINVAL;
	}
	if (nfds != g->n_if) {
		snprintf(err, errlen,
			 "guest '%s' has %zu interface(s) but %zu tap descriptor(s) came with the request",
			 g->name, g->n_if, nfds);
		return -EINVAL;
	}
	for (i = 0; i < g->n_if; i++) {
		if (!net_find(d, g->ifs[i].network)) {
			snprintf(err, errlen, "network '%s' no longer exists",
				 g->ifs[i].network);
			return -ENOENT;
		}
		if (!g->ifs[i].ip) {
			snprintf(err, errlen, "guest '%s' has no address on network '%s'",
				 g->name, g->ifs[i].network);
			return -EINVAL;
		}
	}
	return 0;
}

int guest_attach(struct mvmd *d, struct guest *g, pid_t pid, int *fds,
		 size_t nfds, struct ctl_client *lifeline, char *err,
		 size_t errlen)
{
	int pidfd, ret;
	size_t i;

	ret = attach_check(d, g, pid, nfds, err, errlen);
	if (ret)
		return ret;
	pidfd = guest_pidfd_open(pid);
	if (pidfd == -ESRCH || (pidfd < 0 && kill(pid, 0) && errno == ESRCH)) {
		snprintf(err, errlen, "process %d does not exist", (int)pid);
		return -ESRCH;
	}
	for (i = 0; i < g->n_if; i++) {
		struct guest_if *gi = &g->ifs[i];
		struct network *n = net_find(d, gi->network);
		char pname[96];

		snprintf(pname, sizeof(pname), "%s/%s", g->name, gi->ifname);
		ret = vsw_port_add_tap(n->sw, fds[i], pname, &gi->port);
		if (ret) {
			snprintf(err, errlen,
				 "cannot attach %s to network '%s': %s", pname,
				 n->name, strerror(-ret));
			guest_detach(d, g);
			if (pidfd >= 0)
				close(pidfd);
			return ret;
		}
		fds[i] = -1;
		gi->attached = 1;
	}
	if (g->pidfd >= 0)
		close(g->pidfd);	/* restored guest: replaced */
	g->pidfd = pidfd >= 0 ? pidfd : -1;
	if (g->state == GUEST_CREATED)
		now_iso8601(g->started, sizeof(g->started));
	g->state = GUEST_RUNNING;
	g->pid = pid;
	g->lifeline = lifeline;
	g->owner = NULL;
	guest_watch(d, g);
	svc_guest_up(d, g);
	info("guest '%s' running as pid %d", g->name, (int)pid);
	return 0;
}

int guest_signal(struct guest *g, int sig)
{
	if (g->state != GUEST_RUNNING)
		return -ESRCH;
	if (g->pidfd >= 0) {
		if (syscall(SYS_pidfd_send_signal, g->pidfd, sig, NULL, 0) < 0)
			return -errno;
		return 0;
	}
	return kill(g->pid, sig) ? -errno : 0;
}

int guest_exited(struct mvmd *d, struct guest *g, int code)
{
	size_t i;

	guest_detach(d, g);
	pub_guest_down(d, g);
	svc_guest_down(d, g);
	svc_guest_leases(d, g, 0);
	for (i = 0; i < g->n_if; i++)
		g->ifs[i].ip = 0;
	if (g->pidfd >= 0)
		close(g->pidfd);	/* also leaves the epoll set */
	g->pidfd = -1;
	g->pid = 0;
	g->state = GUEST_EXITED;
	g->exit_code = code;
	g->lifeline = NULL;
	g->owner = NULL;
	now_iso8601(g->finished, sizeof(g->finished));
	info("guest '%s' exited with code %d", g->name, code);
	if (g->auto_remove) {
		guest_remove(d, g);
		return 1;
	}
	return 0;
}

void guest_remove(struct mvmd *d, struct guest *g)
{
	size_t i;

	guest_detach(d, g);
	pub_guest_down(d, g);
	if (g->state != GUEST_EXITED) {	/* exited ones hold no address */
		svc_guest_down(d, g);
		svc_guest_leases(d, g, 0);
	}
	for (i = 0; i < d->n_guests; i++) {
		if (d->guests[i] != g)
			continue;
		memmove(&d->guests[i], &d->guests[i + 1],
			(d->n_guests - i - 1) * sizeof(*d->guests));
		d->n_guests--;
		break;
	}
	if (g->pidfd >= 0)
		close(g->pidfd);
	info("guest '%s' removed", g->name);
	json_object_put(g->aliases);
	json_object_put(g->command);
	free(g);
}

static struct json_object *if_to_json(struct mvmd *d, const struct guest_if *gi,
				      int default_route)
{
	struct json_object *o = json_object_new_object();
	struct network *n = net_find(d, gi->network);
	char buf[SVC_DOMAIN_MAX];

	json_object_object_add(o, "network", json_object_new_string(gi->network));
	json_object_object_add(o, "ifname", json_object_new_string(gi->ifname));
	json_object_object_add(o, "mac", json_object_new_string(mac_format(gi->mac, buf)));
	if (gi->ip)
		json_object_object_add(o, "ip", json_object_new_string(ip4_format(gi->ip, buf)));
	if (n) {
		json_object_object_add(o, "prefix", json_object_new_int(n->subnet.prefix));
		json_object_object_add(o, "gateway",
				       json_object_new_string(ip4_format(n->gw, buf)));
		json_object_object_add(o, "mtu", json_object_new_int(n->mtu));
		json_object_object_add(o, "dns",
				       json_object_new_string(ip4_format(n->gw, buf)));
		json_object_object_add(o, "domain", json_object_new_string(
			svc_domain(n, buf, sizeof(buf))));
	}
	json_object_object_add(o, "default_route", json_object_new_boolean(default_route));
	return o;
}

struct json_object *guest_pubs_json(const struct guest *g)
{
	struct json_object *a = json_object_new_array();
	size_t i, k;

	for (i = 0; i < g->n_pubs; i++) {
		uint32_t ip = 0;

		for (k = 0; k < g->n_if; k++)
			if (!strcmp(g->ifs[k].network, g->pubs[i].network))
				ip = g->ifs[k].ip;
		json_object_array_add(a, pub_to_json(&g->pubs[i], ip));
	}
	return a;
}

struct json_object *guest_to_json(struct mvmd *d, const struct guest *g)
{
	struct json_object *o = json_object_new_object(), *ifs, *cmd = NULL;
	int routed = 0;
	size_t i;

	json_object_object_add(o, "name", json_object_new_string(g->name));
	json_object_object_add(o, "kind", json_object_new_string(g->kind));
	json_object_object_add(o, "state",
			       json_object_new_string(guest_state_name(g->state)));
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
	json_object_object_add(o, "created", json_object_new_string(g->created));
	if (g->started[0])
		json_object_object_add(o, "started", json_object_new_string(g->started));
	if (g->finished[0])
		json_object_object_add(o, "finished", json_object_new_string(g->finished));
	json_object_object_add(o, "auto_remove", json_object_new_boolean(g->auto_remove));
	ifs = json_object_new_array();
	for (i = 0; i < g->n_if; i++) {
		struct network *n = net_find(d, g->ifs[i].network);
		int dr = !routed && n && !n->internal;

		routed |= dr;
		json_object_array_add(ifs, if_to_json(d, &g->ifs[i], dr));
	}
	json_object_object_add(o, "interfaces", ifs);
	json_object_object_add(o, "publish", guest_pubs_json(g));
	return o;
}
