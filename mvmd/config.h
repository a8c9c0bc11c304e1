/* SPDX-License-Identifier: MIT */
/*
 * config.h - mvm.conf, the libconfig file that declares networks
 *
 * A broken file never takes the daemon down: a syntax error loses the file
 * (and is reported with file and line), a bad value loses only the network
 * that holds it (reported with file, line and key), and every other network
 * in the file and every network created with the CLI stays.
 * config/example.conf documents every key.
 */
#ifndef MVM_CONFIG_H
#define MVM_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

#define CFG_MAX_LABELS 32
#define CFG_MAX_NETWORKS 256
#define CFG_NAME_MAX 64		/* network names: DNS labels, <= 63 chars */
#define CFG_LABEL_MAX 128	/* label keys and values */
#define CFG_FILTER_MAX 1024	/* pcap filter expressions */
#define CFG_MAX_ERRORS 64	/* errors kept per file; the last one says so */
#define CFG_FILE_MAX (1 << 20)	/* larger files are refused (-EFBIG) */
#define CFG_MTU_MIN 68
#define CFG_MTU_MAX 65520
#define CFG_MTU_DEFAULT 1500
#define CFG_DOMAIN_MAX 254	/* a DNS name in text, NUL included */
#define CFG_UPSTREAMS 3		/* dns_upstreams (GW_DNS_UPSTREAMS) */
#define CFG_UPSTREAM_MAX 72	/* "[v6]:port" + NUL */
#define CFG_MAX_STATIC 64	/* static leases per network */
#define CFG_MAX_ALIASES 64	/* aliases per network */
#define CFG_MAX_PUBLISH 64	/* publish entries per network (GW_PUBLISH_MAX) */
#define CFG_FLOWS_MAX (1u << 20)	/* max_flows limit (NAT_FLOW_MAX) */
#define CFG_FLOWS_DEFAULT 8192		/* GW_NAT_FLOWS_DEFAULT */

/** struct cfg_static - one static DHCP lease, published in DNS too */
struct cfg_static {
	uint8_t mac[6];
	uint32_t ip;			/* host order */
	char hostname[CFG_NAME_MAX];	/* a DNS label */
	int line;
};

/** struct cfg_alias - guest @guest also answers to @name on the network */
struct cfg_alias {
	char name[CFG_NAME_MAX];	/* DNS labels */
	char guest[CFG_NAME_MAX];
};

/**
 * struct cfg_publish - host port @host_ip:@host_port/@proto forwarded to
 * port @port of guest @guest on the network, while that guest runs
 */
struct cfg_publish {
	char guest[CFG_NAME_MAX];
	uint8_t proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t host_ip;		/* host order; default 127.0.0.1 */
	uint16_t host_port;
	uint16_t port;			/* the guest's */
	int line;
};

/** struct cfg_label - one key=value label */
struct cfg_label {
	char key[CFG_LABEL_MAX];
	char value[CFG_LABEL_MAX];
};

/** struct cfg_network - one network declared in the file */
struct cfg_network {
	char name[CFG_NAME_MAX];
	int internal;			/* mode = "internal" (else "nat") */
	int has_subnet;			/* subnet given (else chosen) */
	struct cidr4 subnet;
	uint16_t mtu;			/* 0 = default (1500) */
	size_t n_labels;
	struct cfg_label labels[CFG_MAX_LABELS];
	char pcap[PATH_MAX];		/* continuous capture file, "" = none */
	char pcap_filter[CFG_FILTER_MAX];	/* "" = everything */
	char domain[CFG_DOMAIN_MAX];	/* lowercase; "" = "<name>.mvm" */
	size_t n_upstreams;		/* 0 = the daemon's (resolv.conf) */
	char upstreams[CFG_UPSTREAMS][CFG_UPSTREAM_MAX];
	size_t n_statics;
	struct cfg_static statics[CFG_MAX_STATIC];
	size_t n_aliases;
	struct cfg_alias aliases[CFG_MAX_ALIASES];
	size_t n_publish;
	struct cfg_publish publish[CFG_MAX_PUBLISH];
	int host_access;		/* -1 = by mode (on for nat), 0, 1 */
	uint32_t max_flows;		/* NAT limits; 0 = defaults */
	uint32_t max_flows_guest;	/* max_flows_per_guest */
	int line;			/* line of the network's group */
};

/** struct cfg - the result of loading a file */
struct cfg {
	char path[PATH_MAX];
	struct cfg_network *networks;	/* the networks that were valid */
	size_t n_networks;
	char **errors;			/* "FILE:LINE: key 'K': reason" */
	size_t n_errors;
};

/**
 * cfg_load() - parse @path into @out
 * @path:	the file
 * @out:	filled in; always release with cfg_free(), also on failure
 * Errors inside the file are not failures: they land in @out->errors and
 * only the networks that hold them are left out.
 * Return: 0 (check @out->n_errors), or -errno if the file cannot be read
 *	   (then @out->errors holds the reason too)
 */
int cfg_load(const char *path, struct cfg *out);

/**
 * cfg_load_string() - parse configuration text held in memory
 * @text:	NUL-terminated libconfig text
 * @name:	file name used in error messages; its directory is the base of
 *		relative pcap paths and of @include (a relative @name is taken
 *		relative to the current directory)
 * @out:	filled in as by cfg_load(); always release with cfg_free()
 * cfg_load() reads the file and calls this; the fuzz target calls it directly.
 * Return: 0 (check @out->n_errors), or -ENOMEM
 */
int cfg_load_string(const char *text, const char *name, struct cfg *out);

/** cfg_free() - release what cfg_load() filled in */
void cfg_free(struct cfg *c);

#endif
