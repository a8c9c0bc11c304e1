/* SPDX-License-Identifier: MIT */
/*
 * dns_server.h - answering a guest's DNS query from the zones it may see
 *
 * Socket-free: the gateway hands in the bytes of one query (the DNS
 * message itself; over TCP without the two-byte length prefix) and gets
 * back a response to send, or a verdict to forward or drop it.
 */
#ifndef MVM_DNS_SERVER_H
#define MVM_DNS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns_zone.h"

#define DNS_EDNS_SIZE		1232	/* our UDP payload size (DNS flag day 2020) */
#define DNS_EDNS_SIZE_MAX	4096	/* the most a view may configure */
#define DNS_RRSET_MAX		256	/* records in one answer RRset */
#define DNS_HOST_NAME		"host.mvm.internal"

/* dns_server_answer() outcomes */
#define DNS_ANSWER	0	/* send @resp */
#define DNS_FORWARD	1	/* send the query upstream (see dns_fwd.h) */
#define DNS_DROP	2	/* send nothing */

/**
 * struct dns_view - what one querying guest may see
 * @zones:	the zones of the networks the guest is attached to, the
 *		network the query arrived on first: a bare name present in
 *		several zones is answered from the first; host.mvm.internal
 *		from the first zone with host access
 * @n_zones:	how many
 * @forward:	names outside these domains go upstream (the query arrived
 *		on a NAT network); otherwise they are REFUSED (internal
 *		networks never forward)
 * @edns_size:	our UDP payload size; 0 = DNS_EDNS_SIZE, capped at
 *		DNS_EDNS_SIZE_MAX
 *
 * The view is the caller's; answering advances the zones' round-robin
 * rotors, hence the non-const zones.
 */
struct dns_view {
	struct dns_zone *const *zones;
	size_t n_zones;
	int forward;
	uint16_t edns_size;
};

/**
 * dns_server_answer() - answer one query
 * @v:		the querying guest's view
 * @query:	the query message (untrusted)
 * @len:	its length
 * @over_tcp:	it came over TCP: no truncation below @resp_max (RFC 7766)
 * @resp:	buffer for the response (caller-owned); at least
 *		DNS_UDP_MIN bytes, DNS_TCP_MAX for TCP
 * @resp_max:	its size
 * @resp_len:	receives the response length when DNS_ANSWER is returned,
 *		otherwise 0
 *
 * Names in the view's domains (and bare names, resolved through them as
 * a search domain would) get authoritative answers (AA=1): A and AAAA
 * RRsets in round-robin order, NODATA with the SOA when the name exists
 * without that type (ANY included), NXDOMAIN with the SOA for unknown
 * names. PTR is answered for the view's IPv4 subnets, host.mvm.internal
 * where host access is on; names under the "mvm" TLD and mvm.internal
 * that are not in the view are NXDOMAIN and never forwarded. Opcodes other
 * than QUERY get NOTIMP, classes other than IN REFUSED, zone transfers
 * REFUSED, EDNS versions above 0 BADVERS (RFC 6891 6.1.3). A malformed
 * query with a readable header gets FORMERR.
 *
 * Over UDP the response is at most 512 bytes, or with EDNS0 the smaller
 * of the client's payload size and ours; an answer RRset that does not
 * fit is left out whole and TC=1 set (RFC 2181 9).
 *
 * Return: DNS_ANSWER, DNS_FORWARD (resp untouched), DNS_DROP (no readable
 * header, or a response rather than a query: answering those invites
 * loops), or -EINVAL/-ENOBUFS (bad arguments, @resp_max too small for
 * the header and question)
 */
int dns_server_answer(const struct dns_view *v, const uint8_t *query,
		      size_t len, int over_tcp, uint8_t *resp, size_t resp_max,
		      size_t *resp_len);

#endif
