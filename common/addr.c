// SPDX-License-Identifier: MIT
/* addr.c - IPv4 address, CIDR prefix and MAC address parsing and formatting */
#include "common/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse a decimal number 0..max with no sign, no leading zeros */
static const char *parse_dec(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	int n = 0;

	while (*s >= '0' && *s <= '9') {
		if (n && v == 0)
			return NULL;	/* leading zero */
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return NULL;
		s++;
		n++;
	}
	if (!n)
		return NULL;
	*out = v;
	return s;
}

static const char *ip4_parse_prefix(const char *s, uint32_t *out)
{
	uint32_t a = 0;
	unsigned v;
	int i;

	for (i = 0; i < 4; i++) {
		s = parse_dec(s, 255, &v);
		if (!s)
			return NULL;
		a = (a << 8) | v;
		if (i < 3) {
			if (*s != '.')
				return NULL;
			s++;
		}
	}
	*out = a;
	return s;
}

int ip4_parse(const char *s, uint32_t *out)
{
	uint32_t a;

	s = ip4_parse_prefix(s, &a);
	if (!s || *s)
		return -EINVAL;
	*out = a;
	return 0;
}

char *ip4_format(uint32_t a, char *buf)
{
	snprintf(buf, IP4_STRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff);
	return buf;
}

uint32_t cidr4_mask(uint8_t prefix)
{
	return prefix ? 0xffffffffu << (32 - prefix) : 0;
}

int cidr4_parse(const char *s, struct cidr4 *out)
{
	uint32_t a;
	unsigned p;

	s = ip4_parse_prefix(s, &a);
	if (!s || *s != '/')
		return -EINVAL;
	s = parse_dec(s + 1, 32, &p);
	if (!s || *s || p < 8 || p > 30)
		return -EINVAL;
	if (a & ~cidr4_mask((uint8_t)p))
		return -EINVAL;
	out->addr = a;
	out->prefix = (uint8_t)p;
	return 0;
}

char *cidr4_format(const struct cidr4 *c, char *buf)
{
	uint32_t a = c->addr;

	snprintf(buf, CIDR_STRLEN, "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff, c->prefix & 63);
	return buf;
}

int cidr4_contains(const struct cidr4 *c, uint32_t a)
{
	return (a & cidr4_mask(c->prefix)) == c->addr;
}

int cidr4_overlap(const struct cidr4 *a, const struct cidr4 *b)
{
	uint8_t p = a->prefix < b->prefix ? a->prefix : b->prefix;
	uint32_t m = cidr4_mask(p);

	return (a->addr & m) == (b->addr & m);
}

uint32_t cidr4_gateway(const struct cidr4 *c)
{
	return c->addr + 1;
}

uint32_t cidr4_broadcast(const struct cidr4 *c)
{
	return c->addr | ~cidr4_mask(c->prefix);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	int i;

	for (i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	memcpy(mac, m, 6);
	return 0;
}

char *mac_format(const uint8_t mac[6], char *buf)
{
	snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

int sockaddr_parse(const char *s, uint16_t default_port,
		   struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	char host[64];
	const char *port = NULL, *colon;
	unsigned long p = default_port;
	char *end;
	size_t hl;

	if (!s || !s[0])
		return -EINVAL;
	if (s[0] == '[') {			/* [v6]:port */
		const char *rb = strchr(s, ']');

		if (!rb || (rb[1] && rb[1] != ':'))
			return -EINVAL;
		hl = (size_t)(rb - s - 1);
		s++;
		if (rb[1])
			port = rb + 2;
	} else if ((colon = strchr(s, ':')) && !strchr(colon + 1, ':')) {
		hl = (size_t)(colon - s);	/* v4:port */
		port = colon + 1;
	} else {
		hl = strlen(s);			/* v4 or v6 alone */
	}
	if (!hl || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (port) {
		errno = 0;
		p = strtoul(port, &end, 10);
		if (!*port || *end || errno || !p || p > 65535)
			return -EINVAL;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*a6);
		return 0;
	}
	return -EINVAL;
}
