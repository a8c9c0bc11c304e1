// SPDX-License-Identifier: MIT
/* addr.c - IPv4 address, CIDR prefix and MAC address parsing and formatting */
#include "common/addr.h"

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
