// SPDX-License-Identifier: MIT
/*
 * dns_name.c - DNS domain names in wire form: decoding with compression,
 *		conversion to and from text, comparison
 */
#include <errno.h>
#include <string.h>

#include "dns/dns_name.h"

static uint8_t lc(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

static int mem_caseeq(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lc(a[i]) != lc(b[i]))
			return 0;
	return 1;
}

int dns_name_read(const uint8_t *msg, size_t msg_len, struct cursor *c,
		  struct dns_name *out)
{
	size_t run = (size_t)(c->p - msg);	/* start of the current label run */
	struct cursor r = *c;
	int jumped = 0, hops = 0;
	uint16_t len = 0;

	if (c->p < msg || run > msg_len)
		return -EBADMSG;
	for (;;) {
		const uint8_t *lab;
		uint8_t l, lo;
		size_t to;

		if (cur_u8(&r, &l))
			return -EBADMSG;	/* truncated name */
		if ((l & 0xc0) == 0xc0) {
			/* RFC 1035 4.1.4: a pointer; backwards only */
			if (cur_u8(&r, &lo))
				return -EBADMSG;
			to = (size_t)(l & 0x3f) << 8 | lo;
			if (to >= run || to < DNS_HDR_LEN || ++hops > DNS_PTR_HOPS)
				return -EBADMSG;
			if (!jumped)
				*c = r;
			jumped = 1;
			run = to;
			r = cur_init(msg + to, msg_len - to);
			continue;
		}
		if (l & 0xc0)
			return -EBADMSG;	/* 0x40/0x80: no such label types */
		if (!l)
			break;
		/* room for this label and the root octet after it */
		if ((size_t)len + 1 + l + 1 > DNS_NAME_MAX)
			return -EBADMSG;
		lab = cur_pull(&r, l);
		if (!lab)
			return -EBADMSG;	/* truncated label */
		out->wire[len++] = l;
		memcpy(out->wire + len, lab, l);
		len = (uint16_t)(len + l);
	}
	out->wire[len++] = 0;
	out->len = len;
	if (!jumped)
		*c = r;
	return 0;
}

int dns_name_from_str(const char *s, struct dns_name *out)
{
	size_t n = strlen(s), i = 0, len = 0;

	if (n && s[n - 1] == '.')
		n--;
	while (i < n) {
		size_t j = i, l;

		while (j < n && s[j] != '.')
			j++;
		l = j - i;
		if (!l || l > DNS_LABEL_MAX || len + 1 + l + 1 > DNS_NAME_MAX)
			return -EINVAL;
		out->wire[len++] = (uint8_t)l;
		for (; i < j; i++)
			out->wire[len++] = lc((uint8_t)s[i]);
		i = j + 1;
		if (j < n && i == n)
			return -EINVAL;		/* "a..": empty last label */
	}
	out->wire[len++] = 0;
	out->len = (uint16_t)len;
	return 0;
}

int dns_name_to_str(const struct dns_name *n, char *buf, size_t size)
{
	size_t i = 0, o = 0;

	if (!size)
		return -ENAMETOOLONG;
	if (n->len <= 1) {
		if (size < 2)
			return -ENAMETOOLONG;
		buf[0] = '.';
		buf[1] = '\0';
		return 1;
	}
	while (i < n->len && n->wire[i]) {
		uint8_t l = n->wire[i++], k;

		if (o && o + 1 < size)
			buf[o++] = '.';
		for (k = 0; k < l && i < n->len; k++, i++) {
			uint8_t ch = n->wire[i];
			char tmp[5];
			size_t t = 0;

			if (ch == '.' || ch == '\\') {
				tmp[t++] = '\\';
				tmp[t++] = (char)ch;
			} else if (ch <= ' ' || ch >= 0x7f) {
				tmp[t++] = '\\';
				tmp[t++] = (char)('0' + ch / 100);
				tmp[t++] = (char)('0' + ch / 10 % 10);
				tmp[t++] = (char)('0' + ch % 10);
			} else {
				tmp[t++] = (char)ch;
			}
			if (o + t >= size)
				return -ENAMETOOLONG;
			memcpy(buf + o, tmp, t);
			o += t;
		}
	}
	if (o >= size)
		return -ENAMETOOLONG;
	buf[o] = '\0';
	return (int)o;
}

void dns_name_lower(struct dns_name *n)
{
	size_t i = 0;

	while (i < n->len && n->wire[i]) {
		size_t l = n->wire[i++], end = i + l;

		for (; i < end && i < n->len; i++)
			n->wire[i] = lc(n->wire[i]);
	}
}

int dns_name_eq(const struct dns_name *a, const struct dns_name *b)
{
	/* lengths octets are < 64 and never letters, so one pass is enough */
	return a->len == b->len && mem_caseeq(a->wire, b->wire, a->len);
}

int dns_name_suffix(const struct dns_name *n, const struct dns_name *apex)
{
	size_t i = 0;

	if (apex->len > n->len)
		return -1;
	for (;;) {
		if (n->len - i == apex->len &&
		    mem_caseeq(n->wire + i, apex->wire, apex->len))
			return (int)i;
		if (i >= n->len || !n->wire[i] || n->len - i < apex->len)
			return -1;
		i += 1 + (size_t)n->wire[i];
	}
}

int dns_name_labels(const struct dns_name *n)
{
	size_t i = 0;
	int k = 0;

	while (i < n->len && n->wire[i]) {
		i += 1 + (size_t)n->wire[i];
		k++;
	}
	return k;
}
