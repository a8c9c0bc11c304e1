// SPDX-License-Identifier: MIT
/*
 * frame.c - Ethernet, ARP, IPv4, ICMP, UDP and TCP parsers
 *
 * Every byte is read through a cursor; a field is only interpreted after
 * the cursor handed out enough bytes for it. The descriptors returned keep
 * cursors bounded by the enclosing protocol's own length field, so trailing
 * Ethernet padding never leaks into an upper layer.
 */
#include "pkt/frame.h"

#include <errno.h>
#include <string.h>

#include "pkt/csum.h"

int frame_parse_eth(const void *buf, size_t len, struct frame_eth *out)
{
	struct cursor c = cur_init(buf, len);
	const uint8_t *dst, *src;
	uint16_t type;

	dst = cur_pull(&c, ETH_ALEN_);
	src = cur_pull(&c, ETH_ALEN_);
	if (!dst || !src || cur_be16(&c, &type))
		return -EBADMSG;

	memset(out, 0, sizeof(*out));
	out->dst = dst;
	out->src = src;
	while (type == ETHTYPE_VLAN || type == ETHTYPE_QINQ) {
		uint16_t tci;

		if (out->vlans == FRAME_MAX_VLAN)
			return -E2BIG;
		if (cur_be16(&c, &tci) || cur_be16(&c, &type))
			return -EBADMSG;
		if (!out->vlans)
			out->vid = tci & 0x0fff;
		out->vlans++;
	}
	out->type = type;
	out->l3_off = len - c.left;
	out->l3 = c;
	return 0;
}

int frame_parse_arp(const struct frame_eth *eth, struct frame_arp *out)
{
	struct cursor c = eth->l3;
	uint16_t htype, ptype, op;
	uint8_t hlen, plen;
	const uint8_t *sha, *tha;
	uint32_t spa, tpa;

	if (cur_be16(&c, &htype) || cur_be16(&c, &ptype) ||
	    cur_u8(&c, &hlen) || cur_u8(&c, &plen) || cur_be16(&c, &op))
		return -EBADMSG;
	if (htype != 1 || ptype != ETHTYPE_IP4 || hlen != ETH_ALEN_ || plen != 4)
		return -EPROTONOSUPPORT;
	sha = cur_pull(&c, ETH_ALEN_);
	if (!sha || cur_be32(&c, &spa))
		return -EBADMSG;
	tha = cur_pull(&c, ETH_ALEN_);
	if (!tha || cur_be32(&c, &tpa))
		return -EBADMSG;

	out->op = op;
	out->sha = sha;
	out->tha = tha;
	out->spa = spa;
	out->tpa = tpa;
	return 0;
}

uint16_t frame_ip4_csum(const void *hdr, size_t ihl)
{
	return csum_fold(csum_partial(hdr, ihl, 0));
}

int frame_parse_ip4(const struct frame_eth *eth, struct frame_ip4 *out)
{
	struct cursor c = eth->l3, hc;
	const uint8_t *hdr;
	uint8_t ver_ihl, tos, ttl, proto;
	uint16_t tot_len, id, frag_off, check;
	uint32_t saddr, daddr;
	unsigned ihl;

	hdr = cur_peek(&c, sizeof(struct ip4_hdr));
	if (!hdr)
		return -EBADMSG;
	hc = cur_init(hdr, sizeof(struct ip4_hdr));
	if (cur_u8(&hc, &ver_ihl) || cur_u8(&hc, &tos) ||
	    cur_be16(&hc, &tot_len) || cur_be16(&hc, &id) ||
	    cur_be16(&hc, &frag_off) || cur_u8(&hc, &ttl) ||
	    cur_u8(&hc, &proto) || cur_be16(&hc, &check) ||
	    cur_be32(&hc, &saddr) || cur_be32(&hc, &daddr))
		return -EBADMSG;

	ihl = (ver_ihl & 0x0f) * 4u;
	if (ver_ihl >> 4 != 4 || ihl < sizeof(struct ip4_hdr))
		return -EBADMSG;
	/* RFC 791: the header fits the datagram, the datagram the buffer */
	if (tot_len < ihl || tot_len > c.left)
		return -EBADMSG;

	memset(out, 0, sizeof(*out));
	out->hdr = (const struct ip4_hdr *)hdr;
	out->ihl = ihl;
	out->tot_len = tot_len;
	out->proto = proto;
	out->ttl = ttl;
	out->saddr = saddr;
	out->daddr = daddr;
	out->frag = (frag_off & (IP4_MF | IP4_OFFMASK)) != 0;
	out->csum_ok = csum_fold(csum_partial(hdr, ihl, 0)) == 0;
	/* cut the padding off: the payload is exactly tot_len - ihl bytes */
	if (cur_sub(&c, tot_len, &hc) || !cur_pull(&hc, ihl))
		return -EBADMSG;
	out->l4 = hc;
	return 0;
}

static int frame_ip4_l4_ok(const struct frame_ip4 *ip, uint8_t proto)
{
	if (ip->proto != proto)
		return -EPROTO;
	if (ip->frag)
		return -EOPNOTSUPP;
	return 0;
}

int frame_parse_icmp(const struct frame_ip4 *ip, struct frame_icmp *out)
{
	struct cursor c = ip->l4;
	uint16_t check;
	int ret;

	ret = frame_ip4_l4_ok(ip, IPPROTO_ICMP_);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->msg = c;
	if (cur_u8(&c, &out->type) || cur_u8(&c, &out->code) ||
	    cur_be16(&c, &check) || cur_be16(&c, &out->id) ||
	    cur_be16(&c, &out->seq))
		return -EBADMSG;
	out->data = c;
	return 0;
}

int frame_parse_udp(const struct frame_ip4 *ip, struct frame_l4 *out)
{
	struct cursor c = ip->l4, d;
	uint16_t len, check;
	int ret;

	ret = frame_ip4_l4_ok(ip, IPPROTO_UDP_);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	if (cur_be16(&c, &out->sport) || cur_be16(&c, &out->dport) ||
	    cur_be16(&c, &len) || cur_be16(&c, &check))
		return -EBADMSG;
	/* RFC 768: length covers header and data; must fit the IP payload */
	if (len < sizeof(struct udp_hdr) || len > ip->l4.left)
		return -EBADMSG;
	if (cur_sub(&c, len - sizeof(struct udp_hdr), &d))
		return -EBADMSG;
	out->hlen = sizeof(struct udp_hdr);
	out->data = d;
	return 0;
}

int frame_parse_tcp(const struct frame_ip4 *ip, struct frame_l4 *out)
{
	struct cursor c = ip->l4;
	uint32_t seq, ack;
	uint8_t doff;
	unsigned hlen;
	int ret;

	ret = frame_ip4_l4_ok(ip, IPPROTO_TCP_);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	if (cur_be16(&c, &out->sport) || cur_be16(&c, &out->dport) ||
	    cur_be32(&c, &seq) || cur_be32(&c, &ack) ||
	    cur_u8(&c, &doff) || cur_u8(&c, &out->flags))
		return -EBADMSG;
	hlen = (doff >> 4) * 4u;
	if (hlen < sizeof(struct tcp_hdr) || hlen > ip->l4.left)
		return -EBADMSG;
	c = ip->l4;
	if (!cur_pull(&c, hlen))
		return -EBADMSG;
	out->hlen = hlen;
	out->data = c;
	return 0;
}
