// SPDX-License-Identifier: MIT
/*
 * dhcp_msg.c - DHCP wire format: parse a request, build a reply (RFC 2131/2132)
 *
 * Everything a client sent is read through struct cursor; the builder keeps
 * its own length and limit and checks both before every write.
 */
#include "dhcp/dhcp_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "common/addr.h"
#include "pkt/cursor.h"

/* Append @len bytes to a concatenated option (RFC 3396 3); -1 if too long */
static int opt_append(uint8_t *dst, uint8_t *dst_len, const uint8_t *src,
		      uint8_t len)
{
	if ((size_t)*dst_len + len > DHCP_OPT_DATA_MAX)
		return -1;
	memcpy(dst + *dst_len, src, len);
	*dst_len = (uint8_t)(*dst_len + len);
	return 0;
}

/* A fixed-size option: exactly @want bytes, at most once; -1 otherwise */
static int opt_fixed(struct dhcp_msg *m, uint32_t bit, uint8_t len,
		     uint8_t want)
{
	if (len != want || (m->have & bit))
		return -1;
	m->have |= bit;
	return 0;
}

static uint32_t be32_at(const uint8_t *d)
{
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	       (uint32_t)d[2] << 8 | d[3];
}

/* Record one option; -1 when it makes the message invalid */
static int opt_apply(struct dhcp_msg *m, uint8_t code, const uint8_t *d,
		     uint8_t len, int main_area)
{
	switch (code) {
	case DHCP_OPT_MSG_TYPE:
		if (len != 1 || m->type || !d[0])
			return -1;
		m->type = d[0];
		return 0;
	case DHCP_OPT_REQUESTED_IP:
		if (opt_fixed(m, DHCP_HAVE_REQUESTED_IP, len, 4))
			return -1;
		m->requested_ip = be32_at(d);
		return 0;
	case DHCP_OPT_SERVER_ID:
		if (opt_fixed(m, DHCP_HAVE_SERVER_ID, len, 4))
			return -1;
		m->server_id = be32_at(d);
		return 0;
	case DHCP_OPT_LEASE_TIME:
		if (opt_fixed(m, DHCP_HAVE_LEASE_TIME, len, 4))
			return -1;
		m->lease_time = be32_at(d);
		return 0;
	case DHCP_OPT_MAX_SIZE:
		if (opt_fixed(m, DHCP_HAVE_MAX_SIZE, len, 2))
			return -1;
		m->max_size = (uint16_t)(d[0] << 8 | d[1]);
		return 0;
	case DHCP_OPT_OVERLOAD:
		/* RFC 2131 4.1: only meaningful in the options field itself */
		if (!main_area)
			return 0;
		if (opt_fixed(m, DHCP_HAVE_OVERLOAD, len, 1) || d[0] < 1 ||
		    d[0] > 3)
			return -1;
		m->overload = d[0];
		return 0;
	case DHCP_OPT_CLIENT_ID:
		m->have |= DHCP_HAVE_CLIENT_ID;
		return opt_append(m->client_id, &m->client_id_len, d, len);
	case DHCP_OPT_HOSTNAME:
		if (!len)
			return 0;
		m->have |= DHCP_HAVE_HOSTNAME;
		if (opt_append((uint8_t *)m->hostname, &m->hostname_len, d, len))
			return -1;
		m->hostname[m->hostname_len] = '\0';
		return 0;
	case DHCP_OPT_PRL:
		if (!len)
			return 0;
		m->have |= DHCP_HAVE_PRL;
		return opt_append(m->prl, &m->prl_len, d, len);
	default:
		return 0;	/* not needed by a server: skipped */
	}
}

/*
 * Walk one options area: TLVs until the end option (RFC 2132 3.2), pads
 * (3.1) skipped. Running out exactly on an option boundary without an end
 * option is accepted; a code without its length, or a length running past
 * the area, is not.
 */
static int opt_walk(struct cursor *c, struct dhcp_msg *m, int main_area)
{
	while (c->left) {
		const uint8_t *d;
		uint8_t code, len;

		if (cur_u8(c, &code))
			return -1;
		if (code == DHCP_OPT_PAD)
			continue;
		if (code == DHCP_OPT_END)
			return 0;
		if (cur_u8(c, &len))
			return -1;
		d = cur_pull(c, len);
		if (!d)
			return -1;
		if (opt_apply(m, code, d, len, main_area))
			return -1;
	}
	return 0;
}

int dhcp_msg_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m)
{
	struct cursor c = cur_init(buf, len), area;
	struct dhcp_hdr h;
	uint32_t cookie;

	memset(m, 0, sizeof(*m));
	if (cur_copy(&c, &h, sizeof(h)) || cur_be32(&c, &cookie))
		return -EBADMSG;
	if (cookie != DHCP_MAGIC_COOKIE || h.hlen > DHCP_CHADDR_LEN)
		return -EBADMSG;

	m->op = h.op;
	m->htype = h.htype;
	m->hlen = h.hlen;
	m->hops = h.hops;
	m->xid = ntohl(h.xid);
	m->secs = ntohs(h.secs);
	m->flags = ntohs(h.flags);
	m->ciaddr = ntohl(h.ciaddr);
	m->yiaddr = ntohl(h.yiaddr);
	m->siaddr = ntohl(h.siaddr);
	m->giaddr = ntohl(h.giaddr);
	memcpy(m->chaddr, h.chaddr, sizeof(m->chaddr));

	if (opt_walk(&c, m, 1))
		return -EBADMSG;

	/* RFC 2131 4.1: with overload, 'file' then 'sname' carry options */
	if (m->overload & 1) {
		area = cur_init(h.file, sizeof(h.file));
		if (opt_walk(&area, m, 0))
			return -EBADMSG;
	}
	if (m->overload & 2) {
		area = cur_init(h.sname, sizeof(h.sname));
		if (opt_walk(&area, m, 0))
			return -EBADMSG;
	}

	/* RFC 2132 9.14: the client identifier is at least 2 bytes */
	if ((m->have & DHCP_HAVE_CLIENT_ID) && m->client_id_len < 2)
		return -EBADMSG;
	return 0;
}

size_t dhcp_msg_max_reply(const struct dhcp_msg *m)
{
	size_t max = DHCP_MIN_MAX_SIZE;

	if ((m->have & DHCP_HAVE_MAX_SIZE) && m->max_size > max)
		max = m->max_size;
	return max - DHCP_IPUDP_LEN;
}

int dhcp_msg_requested(const struct dhcp_msg *m, uint8_t code)
{
	return memchr(m->prl, code, m->prl_len) != NULL;
}

int dhcp_build_start(struct dhcp_builder *b, uint8_t *buf, size_t limit,
		     const struct dhcp_msg *req, uint8_t type, uint32_t ciaddr,
		     uint32_t yiaddr)
{
	struct dhcp_hdr h = {
		.op = DHCP_BOOTREPLY,
		.htype = req->htype,
		.hlen = req->hlen,
		.xid = htonl(req->xid),
		.flags = htons(req->flags),
		.ciaddr = htonl(ciaddr),
		.yiaddr = htonl(yiaddr),
		.giaddr = htonl(req->giaddr),
	};
	uint32_t cookie = htonl(DHCP_MAGIC_COOKIE);

	if (limit < DHCP_BOOTP_MIN_LEN)
		return -ENOSPC;
	memcpy(h.chaddr, req->chaddr, sizeof(h.chaddr));
	b->buf = buf;
	b->limit = limit;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &cookie, sizeof(cookie));
	b->len = DHCP_MIN_LEN;
	return dhcp_build_opt(b, DHCP_OPT_MSG_TYPE, &type, 1);
}

int dhcp_build_opt(struct dhcp_builder *b, uint8_t code, const void *data,
		   size_t len)
{
	const uint8_t *d = data;
	size_t chunks, need;

	if (code == DHCP_OPT_PAD || code == DHCP_OPT_END || !len)
		return -EINVAL;
	chunks = (len + DHCP_OPT_DATA_MAX - 1) / DHCP_OPT_DATA_MAX;
	need = len + 2 * chunks;
	/* keep one byte for the end option */
	if (b->len >= b->limit || need > b->limit - b->len - 1)
		return -ENOSPC;
	while (len) {
		size_t n = len > DHCP_OPT_DATA_MAX ? DHCP_OPT_DATA_MAX : len;

		b->buf[b->len++] = code;
		b->buf[b->len++] = (uint8_t)n;
		memcpy(b->buf + b->len, d, n);
		b->len += n;
		d += n;
		len -= n;
	}
	return 0;
}

int dhcp_build_opt_u32(struct dhcp_builder *b, uint8_t code, uint32_t v)
{
	uint8_t d[4] = { v >> 24, v >> 16, v >> 8, v };

	return dhcp_build_opt(b, code, d, sizeof(d));
}

int dhcp_build_opt_ip(struct dhcp_builder *b, uint8_t code, uint32_t ip)
{
	return dhcp_build_opt_u32(b, code, ip);
}

int dhcp_build_opt_u16(struct dhcp_builder *b, uint8_t code, uint16_t v)
{
	uint8_t d[2] = { v >> 8, v };

	return dhcp_build_opt(b, code, d, sizeof(d));
}

size_t dhcp_build_end(struct dhcp_builder *b)
{
	/* dhcp_build_opt() always left room for this byte */
	b->buf[b->len++] = DHCP_OPT_END;
	if (b->len < DHCP_BOOTP_MIN_LEN) {
		memset(b->buf + b->len, 0, DHCP_BOOTP_MIN_LEN - b->len);
		b->len = DHCP_BOOTP_MIN_LEN;
	}
	return b->len;
}

/* A suffix of a name already written, that later names may point to */
struct search_suffix {
	const char *s;		/* text of the suffix, no trailing dot */
	size_t len;
	uint16_t off;		/* offset of its first label in the output */
};

#define SEARCH_SUFFIX_MAX 128	/* beyond this, names are not compressed */

int dhcp_encode_search(const char *const *names, size_t n, uint8_t *out,
		       size_t size)
{
	struct search_suffix seen[SEARCH_SUFFIX_MAX];
	size_t nseen = 0, pos = 0, i, k;

	if (n > DHCP_SEARCH_MAX_DOMAINS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const char *p = names[i];
		size_t rem = strlen(p);

		if (rem && p[rem - 1] == '.')
			rem--;
		if (!rem || rem > 253)
			return -EINVAL;
		while (rem) {
			const char *dot;
			size_t l;

			/* RFC 3397 2 / RFC 1035 4.1.4: point to a known suffix */
			for (k = 0; k < nseen; k++)
				if (seen[k].len == rem &&
				    !strncasecmp(seen[k].s, p, rem))
					break;
			if (k < nseen) {
				if (size - pos < 2)
					return -ENOSPC;
				out[pos++] = (uint8_t)(0xc0 | seen[k].off >> 8);
				out[pos++] = (uint8_t)seen[k].off;
				break;
			}
			dot = memchr(p, '.', rem);
			l = dot ? (size_t)(dot - p) : rem;
			if (!l || l > 63)
				return -EINVAL;
			if (nseen < SEARCH_SUFFIX_MAX && pos < 0x4000)
				seen[nseen++] = (struct search_suffix){
					.s = p, .len = rem, .off = (uint16_t)pos };
			if (size - pos < l + 1)
				return -ENOSPC;
			out[pos++] = (uint8_t)l;
			memcpy(out + pos, p, l);
			pos += l;
			p += l;
			rem -= l;
			if (rem) {	/* the dot */
				p++;
				rem--;
				if (!rem)
					return -EINVAL;
			}
		}
		if (!rem) {	/* not ended by a pointer: root label */
			if (size - pos < 1)
				return -ENOSPC;
			out[pos++] = 0;
		}
	}
	return (int)pos;
}

int dhcp_encode_routes(const struct dhcp_route *r, size_t n, uint8_t *out,
		       size_t size)
{
	size_t pos = 0, i;

	for (i = 0; i < n; i++) {
		size_t sig, j;

		if (r[i].prefix > 32 || (r[i].dest & ~cidr4_mask(r[i].prefix)))
			return -EINVAL;
		/* RFC 3442: width, then only the significant octets */
		sig = (r[i].prefix + 7u) / 8u;
		if (size - pos < 1 + sig + 4)
			return -ENOSPC;
		out[pos++] = r[i].prefix;
		for (j = 0; j < sig; j++)
			out[pos++] = (uint8_t)(r[i].dest >> (24 - 8 * j));
		for (j = 0; j < 4; j++)
			out[pos++] = (uint8_t)(r[i].gw >> (24 - 8 * j));
	}
	return (int)pos;
}
