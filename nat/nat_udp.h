/* SPDX-License-Identifier: MIT */
/*
 * nat_udp.h - UDP mappings in the flow table (the table side only)
 *
 * A guest's UDP "flow" is (guest ip:port, remote ip:port); it maps to one
 * host socket, named by nat_flow.host_id, which the caller opens, reads
 * and closes. This module only keeps the entries, their activity time and
 * counters, and expires them after their idle timeout. Replies are routed
 * back by the caller looking the flow up with the same key.
 */
#ifndef MVM_NAT_UDP_H
#define MVM_NAT_UDP_H

#include <stdint.h>

#include "nat/nat_flow.h"

/**
 * nat_udp_open() - add a UDP mapping
 * @t:		flow table
 * @key:	the flow (key->proto must be NAT_PROTO_UDP)
 * @host_id:	the caller's host socket handle, stored in the flow
 * @idle_ns:	idle timeout: the mapping goes after this long without a
 *		datagram either way
 * @now_ns:	current time (CLOCK_MONOTONIC)
 * @out:	receives the flow (owned by the table)
 * Return: 0, -EINVAL for another protocol, or nat_flow_insert()'s errors
 */
int nat_udp_open(struct nat_flow_table *t, const struct nat_flow_key *key,
		 int host_id, uint64_t idle_ns, uint64_t now_ns,
		 struct nat_flow **out);

/**
 * nat_udp_touch() - a datagram went through @f at @now_ns
 * @to_guest:	true for host -> guest, false for guest -> host
 */
void nat_udp_touch(struct nat_flow *f, uint64_t now_ns, int to_guest);

/** nat_udp_deadline() - when @f expires unless touched (CLOCK_MONOTONIC ns) */
uint64_t nat_udp_deadline(const struct nat_flow *f);

/**
 * nat_udp_expire() - remove every UDP mapping idle at @now_ns
 * @close:	called for each, before removal, to release f->host_id
 *		(may be NULL)
 * @ctx:	passed to @close
 * Return: the number of mappings removed
 */
unsigned nat_udp_expire(struct nat_flow_table *t, uint64_t now_ns,
			void (*close)(void *ctx, struct nat_flow *f),
			void *ctx);

/**
 * nat_udp_next_deadline() - earliest expiry among UDP mappings
 * Walks the live flows: O(flows).
 * Return: CLOCK_MONOTONIC ns, or UINT64_MAX when there is none
 */
uint64_t nat_udp_next_deadline(const struct nat_flow_table *t);

#endif
