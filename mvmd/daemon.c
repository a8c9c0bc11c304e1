// SPDX-License-Identifier: MIT
/*
 * daemon.c - setting a daemon context up and tearing it down
 *
 * Start order matters: networks from state.json first (they own their
 * subnets: config networks must avoid them), then the config file's
 * networks, then `default` if nobody made it, and the guests last, once
 * every network they may sit on exists.
 */
#include "mvmd/mvmd.h"
#include "mvmd/capture.h"
#include "mvmd/config.h"
#include "mvmd/control.h"
#include "mvmd/guest.h"
#include "mvmd/network.h"
#include "mvmd/services.h"
#include "mvmd/state.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* an error about the config file: to the log and to system.status */
static void config_error(struct mvmd *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void config_error(struct mvmd *d, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err("config: %s", msg);
	json_object_array_add(d->config_errors, json_object_new_string(msg));
}

static struct json_object *cfg_labels(const struct cfg_network *cn)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < cn->n_labels; i++)
		json_object_object_add(o, cn->labels[i].key,
				       json_object_new_string(cn->labels[i].value));
	return o;
}

static void config_pcap(struct mvmd *d, struct network *n,
			const struct cfg_network *cn, const char *file)
{
	n->pcap = calloc(1, sizeof(*n->pcap));
	if (!n->pcap)
		return;
	str_copy(n->pcap->file, sizeof(n->pcap->file), cn->pcap);
	str_copy(n->pcap->filter, sizeof(n->pcap->filter), cn->pcap_filter);
	if (net_pcap_start(d, n))
		config_error(d, "%s:%d: network '%s': pcap: %s", file, cn->line,
			     n->name, n->pcap->error);
}

static void config_network(struct mvmd *d, const struct cfg_network *cn,
			   const char *file)
{
	struct net_spec s = { 0 };
	struct network *n = net_find(d, cn->name);
	char err[512];

	if (n && n->source == NET_SRC_DEFAULT) {
		info("config: network 'default' declared in %s replaces the built-in one",
		     file);
		net_destroy(d, n);
	} else if (n) {
		config_error(d,
			     "%s:%d: network '%s' already exists (created with 'mvm network create'); keeping that one",
			     file, cn->line, cn->name);
		return;
	}
	s.name = cn->name;
	s.internal = cn->internal;
	s.has_subnet = cn->has_subnet;
	s.subnet = cn->subnet;
	s.mtu = cn->mtu;
	s.labels = cfg_labels(cn);
	s.source = NET_SRC_CONFIG;
	s.config_file = file;
	s.cfg = cn;
	s.host_access = cn->host_access < 0 ? NET_BY_MODE :
			cn->host_access ? NET_ON : NET_OFF;
	s.max_flows = cn->max_flows;
	s.max_flows_guest = cn->max_flows_guest;
	if (net_create(d, &s, &n, err, sizeof(err)))
		config_error(d, "%s:%d: network '%s': %s", file, cn->line,
			     cn->name, err);
	else if (cn->pcap[0])
		config_pcap(d, n, cn, file);
	json_object_put(s.labels);
}

static void load_config(struct mvmd *d)
{
	struct cfg c;
	size_t i;

	if (!d->config_path[0])
		return;
	memset(&c, 0, sizeof(c));
	if (cfg_load(d->config_path, &c) && !c.n_errors)
		config_error(d, "%s: cannot be read", d->config_path);
	for (i = 0; i < c.n_errors; i++)
		config_error(d, "%s", c.errors[i]);
	for (i = 0; i < c.n_networks; i++)
		config_network(d, &c.networks[i], d->config_path);
	info("config %s: %zu network(s), %zu error(s)", d->config_path,
	     c.n_networks, c.n_errors);
	cfg_free(&c);
}

static void default_network(struct mvmd *d)
{
	struct net_spec s = { .name = "default", .source = NET_SRC_DEFAULT };
	char err[256];

	if (net_find(d, "default"))
		return;
	if (net_create(d, &s, NULL, err, sizeof(err)))
		err("cannot create the default network: %s", err);
}

static int dir_setup(char *dst, size_t size, const char *given,
		     int (*dflt)(char *, size_t))
{
	if (!given)
		return dflt(dst, size);
	if (str_copy(dst, size, given))
		return -ENAMETOOLONG;
	return mkdir_p(dst, 0700);
}

static int paths_setup(struct mvmd *d, const struct mvmd_opts *o, char *err,
		       size_t errlen)
{
	int ret;

	ret = dir_setup(d->runtime_dir, sizeof(d->runtime_dir), o->runtime_dir,
			paths_runtime_dir);
	if (ret) {
		snprintf(err, errlen, "runtime directory: %s", strerror(-ret));
		return ret;
	}
	ret = dir_setup(d->state_dir, sizeof(d->state_dir), o->state_dir,
			paths_state_dir);
	if (ret) {
		snprintf(err, errlen, "state directory: %s", strerror(-ret));
		return ret;
	}
	if (snprintf(d->sock_path, sizeof(d->sock_path), "%s/control.sock",
		     d->runtime_dir) >= (int)sizeof(d->sock_path) ||
	    snprintf(d->state_path, sizeof(d->state_path), "%s/state.json",
		     d->state_dir) >= (int)sizeof(d->state_path)) {
		snprintf(err, errlen, "paths too long");
		return -ENAMETOOLONG;
	}
	if (o->log_path)
		str_copy(d->log_path, sizeof(d->log_path), o->log_path);
	if (!o->config_path) {
		if (paths_default_config(d->config_path, sizeof(d->config_path)) != 1)
			d->config_path[0] = '\0';
	} else {
		str_copy(d->config_path, sizeof(d->config_path), o->config_path);
	}
	return 0;
}

int mvmd_init(struct mvmd *d, const struct mvmd_opts *o, char *err,
	      size_t errlen)
{
	struct json_object *root;
	int ret;

	memset(d, 0, sizeof(*d));
	d->epfd = d->listen_fd = d->sig_fd = d->capq_fd = -1;
	d->start_ns = now_mono_ns();
	d->no_persist = o->no_persist;
	ret = paths_setup(d, o, err, errlen);
	if (ret)
		return ret;
	ret = capq_init(d);
	if (ret) {
		snprintf(err, errlen, "eventfd: %s", strerror(-ret));
		return ret;
	}
	d->config_errors = json_object_new_array();
	ret = state_read(d, &root);
	if (ret) {
		snprintf(err, errlen, "cannot read %s: %s", d->state_path,
			 strerror(-ret));
		json_object_put(d->config_errors);
		capq_fini(d);
		return ret;
	}
	state_load_networks(d, root);
	load_config(d);
	if (!o->no_default_network)
		default_network(d);
	state_load_guests(d, root);
	svc_restore(d);			/* leases and names of the guests */
	svc_leases_import(d, root);	/* then other clients' leases */
	json_object_put(root);
	state_save(d);
	return 0;
}

void mvmd_fini(struct mvmd *d)
{
	while (d->clients) {
		struct ctl_client *c = d->clients;

		/* no guest bookkeeping at exit: just let go of the socket */
		d->clients = c->next;
		if (c->cap) {
			capture_stop(d, c->cap, NULL, NULL);
			free(c->cap);
		}
		close(c->fd);
		free(c);
	}
	d->n_clients = 0;
	while (d->n_guests) {
		struct guest *g = d->guests[d->n_guests - 1];

		guest_detach(d, g);
		if (g->pidfd >= 0)
			close(g->pidfd);
		json_object_put(g->aliases);
		json_object_put(g->command);
		free(g);
		d->n_guests--;
	}
	while (d->n_nets)
		net_destroy(d, d->nets[d->n_nets - 1]);
	free(d->guests);
	free(d->nets);
	d->guests = NULL;
	d->nets = NULL;
	capq_fini(d);
	json_object_put(d->config_errors);
	d->config_errors = NULL;
}

void mvmd_changed(struct mvmd *d)
{
	state_save(d);
}
