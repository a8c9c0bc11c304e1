/* SPDX-License-Identifier: MIT */
/*
 * network.h - mvmd's registry of networks, each with its own switch
 *
 * A network is created from the CLI (persisted in state.json), declared in
 * the config file (never persisted, read-only from the CLI) or is the
 * `default` network mvmd makes on first start. Each owns one struct vsw
 * whose gateway port sits on the first host address of the subnet.
 */
#ifndef MVMD_NETWORK_H
#define MVMD_NETWORK_H

#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>

#include "common/addr.h"
#include "mvmd/capture.h"

struct cfg_network;

#define NET_MAX 128		/* networks per daemon, every source counted */
#define NET_NAME_MAX 64		/* DNS label + NUL */
#define NET_LABELS_MAX 32
#define NET_LABEL_MAX 128	/* bytes of a label key or value, NUL included */
#define NET_MTU_MIN 68
#define NET_MTU_MAX 65520
#define NET_MTU_DEFAULT 1500
#define NET_FILTER_MAX 1024
#define NET_FLOWS_MAX (1u << 20)	/* max_flows limit (nat/nat_flow.h) */
#define NET_FLOWS_DEFAULT 8192		/* GW_NAT_FLOWS_DEFAULT */
#define NET_FLOWS_GUEST_DEFAULT 2048	/* GW_NAT_FLOWS_GUEST */

/** enum net_toggle - a setting left to the network's mode, or forced */
enum net_toggle { NET_BY_MODE = 0, NET_ON, NET_OFF };

enum net_source { NET_SRC_DEFAULT, NET_SRC_CLI, NET_SRC_CONFIG };

/** struct net_pcap - continuous capture declared in the config file */
struct net_pcap {
	char file[PATH_MAX];
	char filter[NET_FILTER_MAX];	/* "" = everything */
	struct capture cap;		/* cap.active while it runs */
	uint64_t packets, dropped;	/* final counters once stopped */
	char error[PATH_MAX + 256];	/* why it stopped or never started */
};

/** struct network - one network and its switch */
struct network {
	char name[NET_NAME_MAX];
	int internal;			/* mode "internal" (else "nat") */
	struct cidr4 subnet;
	uint32_t gw;			/* gateway address (first host) */
	uint8_t gw_mac[6];
	uint16_t mtu;
	struct json_object *labels;	/* object of strings, owned */
	enum net_source source;
	char config_file[PATH_MAX];	/* source config only */
	char created[32];		/* ISO 8601 */
	struct vsw *sw;
	struct gw *gateway;	/* its port on @sw (gateway/), lives as long */
	struct net_pcap *pcap;		/* NULL unless the config asks */
	struct cfg_network *cfg;	/* config networks: their DNS/DHCP
					 * keys (owned copy), else NULL */
	int host_access;		/* -1 = by mode (on for nat) */
	uint32_t max_flows;		/* NAT limits; 0 = defaults */
	uint32_t max_flows_guest;
};

/** struct net_spec - what net_create() is asked for */
struct net_spec {
	const char *name;
	int internal;
	int has_subnet;
	struct cidr4 subnet;
	unsigned mtu;			/* 0 = NET_MTU_DEFAULT */
	struct json_object *labels;	/* borrowed; NULL = none; validated */
	enum net_source source;
	const char *config_file;	/* source config */
	const char *created;		/* NULL = now */
	int restore;			/* from state.json: don't recheck the host */
	const struct cfg_network *cfg;	/* config networks: copied; or NULL */
	enum net_toggle host_access;	/* default: on for nat, off internal */
	uint32_t max_flows;		/* 1..NET_FLOWS_MAX; 0 = default */
	uint32_t max_flows_guest;	/* 1..max_flows; 0 = default */
};

/**
 * net_create() - validate @s, choose a subnet if needed, start the switch
 * @d:		daemon
 * @s:		what to create
 * @out:	receives the network (owned by @d's registry); may be NULL
 * @err:	on failure, the sentence for the reply
 * Return: 0 or -errno: -EINVAL (name, MTU, labels, flow limits), -EEXIST,
 *	   -EADDRINUSE
 *	   (subnet overlaps the host or another network), -ENOSPC (no subnet
 *	   left or NET_MAX reached), or the switch's error
 */
int net_create(struct mvmd *d, const struct net_spec *s, struct network **out,
	       char *err, size_t errlen);

/**
 * net_destroy() - take a network out of the registry and stop its switch
 * The caller has made sure that no created or running guest uses it and
 * ended the live captures on it (capture_end_network()).
 */
void net_destroy(struct mvmd *d, struct network *n);

/** net_find() - the network called @name, or NULL */
struct network *net_find(struct mvmd *d, const char *name);

/**
 * net_guests() - names of the created and running guests on @n
 * Return: a new JSON array of strings (caller puts it)
 */
struct json_object *net_guests(struct mvmd *d, const struct network *n);

/**
 * net_to_json() - the protocol's network object
 * @inspect:	add "stats" (and "capture" for a config pcap)
 * Return: a new object (caller puts it)
 */
struct json_object *net_to_json(struct mvmd *d, struct network *n, int inspect);

/**
 * net_labels_check() - validate a labels object from a request or state
 * Return: 0 or -EINVAL with the reason in @err
 */
int net_labels_check(struct json_object *labels, char *err, size_t errlen);

/** net_labels_match() - does @n carry every key=value of @want? */
int net_labels_match(const struct network *n, struct json_object *want);

/** net_host_access() - does the gateway address reach the host's loopback? */
int net_host_access(const struct network *n);

/** net_gw_mac() - the gateway MAC of network @name: 02:6d:76 + hash */
void net_gw_mac(const char *name, uint8_t mac[6]);

/** net_source_name() - "default", "cli" or "config" */
const char *net_source_name(enum net_source s);

/** net_pcap_start() - open @n->pcap->file (truncated) and capture into it */
int net_pcap_start(struct mvmd *d, struct network *n);

#endif
