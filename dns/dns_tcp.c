// SPDX-License-Identifier: MIT
/* dns_tcp.c - DNS over TCP framing in bounded stream buffers */
#include <errno.h>
#include <string.h>

#include "dns/dns_msg.h"
#include "dns/dns_tcp.h"

long dns_tcp_next(const struct dns_tcp_buf *b, size_t max,
		  const uint8_t **msg, size_t *len)
{
	size_t n;

	if (b->len < DNS_TCP_PREFIX)
		return 0;
	n = (size_t)b->p[0] << 8 | b->p[1];
	if (n > max)
		return -EMSGSIZE;
	if (b->len < DNS_TCP_PREFIX + n)
		return 0;
	*msg = b->p + DNS_TCP_PREFIX;
	*len = n;
	return (long)(DNS_TCP_PREFIX + n);
}

void dns_tcp_consume(struct dns_tcp_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

size_t dns_tcp_room(const struct dns_tcp_buf *b)
{
	size_t r;

	if (b->len + DNS_TCP_PREFIX >= b->cap)
		return 0;
	r = b->cap - b->len - DNS_TCP_PREFIX;
	return r > DNS_TCP_MAX ? DNS_TCP_MAX : r;
}

int dns_tcp_append(struct dns_tcp_buf *b, const void *msg, size_t len)
{
	uint8_t *at = b->p + b->len;

	if (!len || len > DNS_TCP_MAX)
		return -EMSGSIZE;
	if (len > dns_tcp_room(b))
		return -ENOBUFS;
	memmove(at + DNS_TCP_PREFIX, msg, len);
	at[0] = (uint8_t)(len >> 8);
	at[1] = (uint8_t)len;
	b->len += DNS_TCP_PREFIX + len;
	return 0;
}
