/* SPDX-License-Identifier: MIT */
/*
 * nat_flow.h - the NAT's flow table: fixed capacity, hashed, pooled
 *
 * One table per network. Every TCP connection and UDP mapping the NAT
 * keeps lives in one entry of a pool allocated at creation; nothing is
 * allocated per packet or per flow afterwards, and an entry's size is
 * fixed (sizeof(struct nat_flow)), so a network's NAT memory is bounded
 * by its capacity.
 *
 * Lookup is O(1) on average: entries are chained, by index, from buckets
 * addressed by a keyed SipHash of (protocol, guest ip:port, remote
 * ip:port), so a guest cannot pick ports that collide on purpose. Free
 * entries sit on a free list (LIFO: the entry freed last is reused first,
 * which keeps the working set warm); entries in use are also on a doubly
 * linked list so timers can visit only live flows.
 *
 * Limits: the table's capacity (flows per network) and a per-guest cap
 * (flows whose guest address is the same). Each refusal is counted.
 * Per-guest counts live in a second, equally bounded, keyed hash.
 *
 * Handles: a flow is named by its index, stable while it lives, plus a
 * generation number that changes each time the entry is reused; a caller
 * that stores (index, generation) beside a socket (e.g. in epoll data)
 * uses nat_flow_get() to detect that the flow it meant is gone.
 */
#ifndef MVM_NAT_FLOW_H
#define MVM_NAT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nat/nat_hash.h"
#include "nat/nat_tcp_conn.h"

#define NAT_FLOW_NONE	UINT32_MAX
#define NAT_FLOW_MAX	(1u << 20)	/* largest capacity accepted */

#define NAT_PROTO_TCP	6
#define NAT_PROTO_UDP	17

/**
 * struct nat_flow_key - what identifies a flow (host byte order)
 * @guest_ip, @guest_port:	the guest's end
 * @remote_ip, @remote_port:	the address the guest talks to
 * @proto:			NAT_PROTO_TCP or NAT_PROTO_UDP
 */
struct nat_flow_key {
	uint32_t guest_ip;
	uint32_t remote_ip;
	uint16_t guest_port;
	uint16_t remote_port;
	uint8_t proto;
};

/**
 * struct nat_udp_map - a UDP mapping: guest ip:port <-> one host socket
 * @idle_ns:	idle timeout of this mapping
 * @last_ns:	last datagram either way
 * @to_host, @to_guest: datagrams forwarded each way
 */
struct nat_udp_map {
	uint64_t idle_ns;
	uint64_t last_ns;
	uint64_t to_host;
	uint64_t to_guest;
};

/**
 * struct nat_flow - one entry of the pool
 * @key:	the flow's key (read-only while in the table)
 * @idx:	index in the pool (read-only)
 * @gen:	generation, bumped on every allocation (read-only)
 * @host_id:	the caller's handle for the host socket (e.g. its fd);
 *		-1 when none. The table never interprets it.
 * @tcp, @udp:	protocol state, by @key.proto
 * The remaining members are the table's own links.
 */
struct nat_flow {
	struct nat_flow_key key;
	uint32_t idx;
	uint32_t gen;
	int host_id;
	uint32_t hnext;		/* hash chain */
	uint32_t prev;		/* live list, or unused when free */
	uint32_t next;		/* live list, or free list */
	uint32_t guest;		/* index of the per-guest counter entry */
	bool in_use;
	union {
		struct nat_tcp_conn tcp;
		struct nat_udp_map udp;
	};
};

/**
 * struct nat_flow_stats - counters of one table
 * @flows:	flows in the table now
 * @tcp, @udp:	of which TCP / UDP
 * @created:	flows inserted since creation
 * @drop_full:	insertions refused because the table was full
 * @drop_guest:	insertions refused by the per-guest limit
 * @drop_exists: insertions refused because the key was present
 */
struct nat_flow_stats {
	uint32_t flows;
	uint32_t tcp;
	uint32_t udp;
	uint64_t created;
	uint64_t drop_full;
	uint64_t drop_guest;
	uint64_t drop_exists;
};

struct nat_flow_table;

/**
 * nat_flow_table_create() - allocate a table and its whole pool
 * @capacity:	most flows at once, 1..NAT_FLOW_MAX (the per-network limit)
 * @per_guest:	most flows with the same guest address, 1..@capacity
 * @key:	hash secret (draw it with getrandom(); copied)
 * @out:	receives the table; free it with nat_flow_table_destroy()
 * Memory: about capacity * (sizeof(struct nat_flow) + 32) bytes, all of
 * it allocated here.
 * Return: 0, -EINVAL for a limit out of range, -ENOMEM
 */
int nat_flow_table_create(uint32_t capacity, uint32_t per_guest,
			  const struct nat_hash_key *key,
			  struct nat_flow_table **out);

/** nat_flow_table_destroy() - free a table (NULL is fine); flows vanish */
void nat_flow_table_destroy(struct nat_flow_table *t);

/**
 * nat_flow_insert() - take an entry from the pool for @key
 * @t:		table
 * @key:	the new flow's key (copied)
 * @out:	receives the entry: zeroed protocol state, host_id -1,
 *		owned by the table until nat_flow_remove()
 * Return: 0, -EEXIST when @key is already there, -ENOSPC when the table is
 *	   full, -EDQUOT when the guest is at its limit (each counted)
 */
int nat_flow_insert(struct nat_flow_table *t, const struct nat_flow_key *key,
		    struct nat_flow **out);

/**
 * nat_flow_lookup() - find the flow of @key
 * Return: the entry, or NULL
 */
struct nat_flow *nat_flow_lookup(const struct nat_flow_table *t,
				 const struct nat_flow_key *key);

/**
 * nat_flow_get() - an entry by handle
 * @idx:	index (nat_flow.idx)
 * @gen:	generation the caller saw (nat_flow.gen)
 * Return: the entry, or NULL when out of range, free or reused since
 */
struct nat_flow *nat_flow_get(const struct nat_flow_table *t, uint32_t idx,
			      uint32_t gen);

/**
 * nat_flow_remove() - give @f back to the pool
 * The caller has released whatever @f->host_id names. @f must not be used
 * afterwards (nat_flow_get() with the old generation returns NULL).
 */
void nat_flow_remove(struct nat_flow_table *t, struct nat_flow *f);

/**
 * nat_flow_first() - first live flow, for iteration
 * Return: a flow, or NULL when the table is empty
 */
struct nat_flow *nat_flow_first(const struct nat_flow_table *t);

/**
 * nat_flow_next() - the live flow after @f
 * Fetch it before removing @f when removing while iterating. Flows
 * inserted during an iteration may or may not be visited.
 * Return: a flow, or NULL at the end
 */
struct nat_flow *nat_flow_next(const struct nat_flow_table *t,
			       const struct nat_flow *f);

/** nat_flow_guest_count() - live flows of guest address @guest_ip */
uint32_t nat_flow_guest_count(const struct nat_flow_table *t,
			      uint32_t guest_ip);

/** nat_flow_get_stats() - copy the counters */
void nat_flow_get_stats(const struct nat_flow_table *t,
			struct nat_flow_stats *st);

/** nat_flow_capacity() - the table's capacity */
uint32_t nat_flow_capacity(const struct nat_flow_table *t);

/**
 * nat_flow_bucket_of() - the hash bucket @key falls in (tests, diagnostics:
 * lets a test pick keys that share a chain)
 */
uint32_t nat_flow_bucket_of(const struct nat_flow_table *t,
			    const struct nat_flow_key *key);

/** nat_flow_hash_key() - the table's hash secret (the TCP engine reuses it) */
const struct nat_hash_key *nat_flow_hash_key(const struct nat_flow_table *t);

#endif
