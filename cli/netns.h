/* SPDX-License-Identifier: MIT */
/*
 * netns.h - the namespace guest's side of `mvm run --netns`: a fresh user,
 * network, mount, UTS and PID namespace with one tap per network, configured
 * from the guest's interfaces as mvmd allocated them
 */
#ifndef MVM_CLI_NETNS_H
#define MVM_CLI_NETNS_H

#include <json-c/json.h>
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NETNS_MAX_IFACES 8	/* interfaces per guest (eth0..eth7) */
#define NETNS_DOMAIN_MAX 256

/** struct netns_iface - one guest interface (guest.interfaces[i]) */
struct netns_iface {
	char ifname[IFNAMSIZ];		/* "eth0" */
	uint8_t mac[6];
	uint32_t ip;			/* host order */
	uint8_t prefix;			/* 8..30 */
	uint32_t gateway;		/* host order */
	unsigned int mtu;		/* 68..65535 */
	int default_route;		/* the default route goes here */
	uint32_t dns;			/* resolver, host order; 0: none */
	char domain[NETNS_DOMAIN_MAX];	/* search domain; "": none */
};

/** struct netns_config - everything the namespace child sets up */
struct netns_config {
	char hostname[64];		/* the guest name */
	char scratch_dir[4096];		/* a directory of ours (the runtime
					 * dir): a private tmpfs goes there
					 * for a moment to hold resolv.conf */
	uid_t uid;			/* mapped to 0 inside */
	gid_t gid;
	size_t n_ifaces;
	struct netns_iface ifaces[NETNS_MAX_IFACES];
};

/**
 * netns_iface_from_json() - fill @out from one guest "interfaces" entry
 * @o:		{ifname, mac, ip, prefix, gateway, mtu, default_route, dns, domain}
 * @err:	on failure, which key is missing or bad
 * Return: 0 or -EINVAL
 */
int netns_iface_from_json(struct json_object *o, struct netns_iface *out,
			  char *err, size_t errlen);

/**
 * netns_setup() - move the calling process into a new guest namespace
 * @cfg:	the guest's interfaces and names
 * @tap_fds:	receives @cfg->n_ifaces tap descriptors (close-on-exec), in
 *		the order of @cfg->ifaces; the caller owns them
 * @err:	on failure, a sentence saying what failed and how to fix it
 * @warn:	receives non-fatal problems (e.g. no /etc/resolv.conf to
 *		cover), one per line; "" when none
 * Must be called in a single-threaded process: it unshares namespaces of
 * the calling process, and its next child becomes PID 1 of the guest's new
 * PID namespace (the caller itself stays in its own).
 * Return: 0, or -errno (then the process is in an unknown namespace state
 *	   and should exit)
 */
int netns_setup(const struct netns_config *cfg, int *tap_fds,
		char *err, size_t errlen, char *warn, size_t warnlen);

#endif
