/* SPDX-License-Identifier: MIT */
/*
 * subnet.h - choosing network subnets that collide with nothing on the host
 *
 * A subnet given by the user or chosen automatically must not overlap any
 * address or route the host already has (read with libnl-route), nor any
 * other mvm network; otherwise guests could not reach that part of the
 * world and NAT would be ambiguous. Default routes (prefix 0) are ignored.
 */
#ifndef MVM_SUBNET_H
#define MVM_SUBNET_H

#include <stddef.h>

#include "common/addr.h"

/**
 * subnet_host_prefixes() - every IPv4 prefix the host uses
 * @out:	receives a malloc()ed array (caller frees): one entry per
 *		address (with its prefix) and per route, default routes
 *		excluded, each masked to its network address; NULL if @n is 0
 * @n:		receives the count
 * Return: 0 or -errno (netlink failure)
 */
int subnet_host_prefixes(struct cidr4 **out, size_t *n);

/**
 * subnet_find_conflict() - the first entry of @used that overlaps @c
 * Return: index into @used, or -1 if none overlaps
 */
int subnet_find_conflict(const struct cidr4 *c, const struct cidr4 *used,
			 size_t n_used);

/**
 * subnet_choose() - pick the first free /24 from mvm's candidate pools
 * @used:	prefixes to avoid (host prefixes + existing mvm networks)
 * @out:	receives the subnet
 * Pools, in order: 10.89.0.0/16, 10.90.0.0/15, 172.30.0.0/16,
 * 192.168.128.0/17 — each split into /24s.
 * Return: 0 or -ENOSPC when every candidate is taken
 */
int subnet_choose(const struct cidr4 *used, size_t n_used, struct cidr4 *out);

#endif
