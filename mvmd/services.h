/* SPDX-License-Identifier: MIT */
/*
 * services.h - mvmd's side of the gateway services: DHCP leases and DNS
 *		names of its networks and guests
 *
 * Each network's switch serves DHCP and DNS (vswitch/vsw.h); this module
 * tells it what to serve: the network's domain and upstream resolvers,
 * one static lease per guest interface (so a DHCP client gets exactly the
 * address mvmd allocated, with the guest's name), and while a guest runs,
 * its name and aliases in the zone of every network it is attached to,
 * plus the views that let it see the names of all its networks.
 */
#ifndef MVMD_SERVICES_H
#define MVMD_SERVICES_H

#include <json-c/json.h>
#include <stddef.h>

#include "mvmd/mvmd.h"

struct network;
struct guest;

#define SVC_ENV_UPSTREAMS "MVM_DNS_UPSTREAMS"	/* "ADDR[:PORT],..." */

/**
 * svc_network_up() - configure the gateway services of a new network
 * Domain svc_domain(); router and forwarding only on nat networks; the
 * upstreams from the config's `dns_upstreams`, else $MVM_DNS_UPSTREAMS,
 * else the host's /etc/resolv.conf (read once per daemon); the config's
 * `static` leases, their host names published in the network's zone.
 * Errors are logged: the network still switches.
 */
void svc_network_up(struct mvmd *d, struct network *n);

/**
 * svc_guest_leases() - add (@add) or remove the static DHCP leases of
 * every interface of @g that holds an address
 */
void svc_guest_leases(struct mvmd *d, const struct guest *g, int add);

/**
 * svc_guest_up() - publish a running guest's names and set its views
 * Its names on a network are its own, its --alias names and the names the
 * network's config `aliases` give it. Idempotent (a reattach after a restart calls it again).
 */
void svc_guest_up(struct mvmd *d, const struct guest *g);

/** svc_guest_down() - withdraw a guest's names and views (before its
 * addresses are freed) */
void svc_guest_down(struct mvmd *d, const struct guest *g);

/**
 * svc_restore() - after state.json and the config are loaded: static
 * leases of created and running guests, names of running ones
 */
void svc_restore(struct mvmd *d);

/**
 * svc_leases_export() - every network's dynamic DHCP leases, for
 * state.json: {"<network>": <gw_leases_export()>, ...} (caller puts it)
 *
 * Saved with the state (on every change and at shutdown): a lease granted
 * since the last save is lost if mvmd crashes, and the client gets it
 * back on its next request anyway (INIT-REBOOT) while the address is free.
 */
struct json_object *svc_leases_export(struct mvmd *d);

/** svc_leases_import() - restore the "leases" object of a state root */
void svc_leases_import(struct mvmd *d, struct json_object *root);

#define SVC_DOMAIN_MAX 254	/* a domain in text, NUL included */

/**
 * svc_domain() - the DNS domain of @n: the config's `domain`, else
 * "<network>.mvm"
 * @buf:	receives it; SVC_DOMAIN_MAX always suffices
 * Return: @buf
 */
const char *svc_domain(const struct network *n, char *buf, size_t size);

#endif
