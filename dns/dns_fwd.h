/* SPDX-License-Identifier: MIT */
/*
 * dns_fwd.h - helpers for forwarding a guest's query to the host's resolvers
 *
 * The gateway owns the sockets and the table of queries in flight; these
 * functions do the message work. For each query dns_server_answer() said
 * DNS_FORWARD to:
 *
 *   1. dns_fwd_prepare(): remember the question and the client's ID, and put
 *	a fresh unpredictable ID (the caller draws it from getrandom()) into
 *	the query, which is then sent upstream as it is;
 *   2. on a reply, check it came from the upstream's address and port (the
 *	caller), then dns_fwd_reply(): it must be a well-formed response with
 *	our ID and the same question, else it is dropped (RFC 5452 9.1);
 *	the client's ID is put back and the reply relayed;
 *   3. on timeout, dns_fwd_servfail() gives the client a SERVFAIL instead of
 *	silence.
 */
#ifndef MVM_DNS_FWD_H
#define MVM_DNS_FWD_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns_name.h"

#define DNS_FWD_TRUNCATED	1	/* dns_fwd_reply(): valid, but TC=1 */

/** struct dns_fwd - one query in flight (caller-owned, no pointers inside) */
struct dns_fwd {
	uint16_t client_id;	/* ID the client used */
	uint16_t upstream_id;	/* ID we sent upstream */
	uint16_t flags;		/* the query's header flags */
	uint16_t qtype, qclass;
	uint8_t edns;		/* the query had an OPT RR */
	uint16_t edns_udp;	/* its UDP payload size (>= 512), else 512 */
	struct dns_name qname;	/* as the client sent it */
};

/**
 * dns_fwd_prepare() - record a query and give it the upstream ID, in place
 * @msg:	the client's query (modified: its ID becomes @upstream_id)
 * @len:	its length
 * @upstream_id: the ID to use upstream (random, unique among those in flight)
 * @f:		receives the state to keep until the reply or timeout
 * Return: 0, or -EBADMSG if @msg is not a well-formed QUERY (not changed)
 */
int dns_fwd_prepare(uint8_t *msg, size_t len, uint16_t upstream_id,
		    struct dns_fwd *f);

/**
 * dns_fwd_reply() - check an upstream reply and give it the client's ID
 * @f:		the query it should answer
 * @msg:	the reply (modified only when accepted: the ID is restored)
 * @len:	its length
 * Return: 0 (relay it); DNS_FWD_TRUNCATED (accepted but TC=1: retry over
 * TCP, or relay it as it is); -EBADMSG (malformed, or not a response);
 * -ESRCH (another ID or question: a spoofing attempt or a stale reply).
 * Drop the reply on any negative return and keep waiting.
 */
int dns_fwd_reply(const struct dns_fwd *f, uint8_t *msg, size_t len);

/**
 * dns_fwd_servfail() - the answer for a query upstream never answered
 * @f:		the query
 * @resp:	buffer for the response (caller-owned)
 * @resp_max:	its size (DNS_UDP_MIN always suffices)
 * @resp_len:	receives the response length
 * Return: 0, or -ENOBUFS
 */
int dns_fwd_servfail(const struct dns_fwd *f, uint8_t *resp, size_t resp_max,
		     size_t *resp_len);

#endif
