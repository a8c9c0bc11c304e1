/* SPDX-License-Identifier: MIT */
/*
 * dns_tcp.h - DNS over TCP framing (RFC 1035 4.2.2, RFC 7766 8): messages
 *	       behind a two-byte length, in a bounded stream buffer
 *
 * Socket-free: the caller reads stream bytes into a struct dns_tcp_buf,
 * takes whole messages out with dns_tcp_next() / dns_tcp_consume()
 * (pipelined queries arrive back to back, possibly split anywhere), and
 * frames its answers with dns_tcp_append() into another buffer it writes
 * out and shrinks with dns_tcp_consume(). Nothing is allocated.
 */
#ifndef MVM_DNS_TCP_H
#define MVM_DNS_TCP_H

#include <stddef.h>
#include <stdint.h>

#define DNS_TCP_PREFIX	2	/* the length before each message */

/**
 * struct dns_tcp_buf - a bounded byte stream buffer
 * @p:		storage (the caller's, @cap bytes)
 * @cap:	its size
 * @len:	bytes held, from @p on
 */
struct dns_tcp_buf {
	uint8_t *p;
	size_t cap;
	size_t len;
};

/**
 * dns_tcp_next() - the first whole message in @b
 * @b:		stream bytes (from a peer: untrusted)
 * @max:	the longest message accepted; @b->cap must be at least
 *		DNS_TCP_PREFIX + @max for any to complete
 * @msg, @len:	receive the message (inside @b, without its prefix)
 * Return: the bytes it takes in @b (prefix included: pass them to
 * dns_tcp_consume() once done with @msg); 0 if it is not all there yet;
 * -EMSGSIZE if its length is above @max (the stream cannot be resynced:
 * close it)
 */
long dns_tcp_next(const struct dns_tcp_buf *b, size_t max,
		  const uint8_t **msg, size_t *len);

/** dns_tcp_consume() - drop the first @n bytes of @b (at most @b->len) */
void dns_tcp_consume(struct dns_tcp_buf *b, size_t n);

/**
 * dns_tcp_room() - the longest message dns_tcp_append() takes now
 * Return: bytes, 0 if not even a prefix fits; never above 65535
 */
size_t dns_tcp_room(const struct dns_tcp_buf *b);

/**
 * dns_tcp_append() - append message @msg (@len bytes) with its prefix
 * @msg may lie in @b's free space (at @b->p + @b->len + DNS_TCP_PREFIX,
 * where a caller builds an answer in place): it is moved, not copied over.
 * Return: 0; -EMSGSIZE if @len is 0 or above 65535; -ENOBUFS if it does not
 * fit (@b unchanged: a whole message or nothing)
 */
int dns_tcp_append(struct dns_tcp_buf *b, const void *msg, size_t len);

#endif
