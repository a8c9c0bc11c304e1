// SPDX-License-Identifier: MIT
/*
 * nat_tcp_seg.c - TCP segments on the wire: parse a guest's, build ours
 *
 * Parsing starts from what vswitch/frame.c already checked (the IPv4
 * header and the TCP data offset fit the packet) and reads the fields the
 * frame parser does not keep (sequence numbers, window, options) through
 * a cursor over the same bytes. Building writes packed wire structs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "pkt/csum.h"
#include "common/util.h"
#include "nat/nat_tcp.h"

#define OPT_EOL		0
#define OPT_NOP		1
#define OPT_MSS		2
#define OPT_WS		3

/* RFC 9293 3.2: options are kind, or kind + length (>= 2) + data */
static void parse_options(struct cursor c, struct nat_seg *out)
{
	uint8_t kind, len;
	struct cursor o;

	while (!cur_u8(&c, &kind)) {
		if (kind == OPT_EOL)
			return;
		if (kind == OPT_NOP)
			continue;
		if (cur_u8(&c, &len) || len < 2 || cur_sub(&c, len - 2u, &o))
			return;
		if (kind == OPT_MSS && len == 4) {
			if (cur_be16(&o, &out->mss))
				return;
		} else if (kind == OPT_WS && len == 3) {
			uint8_t ws;

			if (cur_u8(&o, &ws))
				return;
			/* RFC 7323 2.3: a shift above 14 is used as 14 */
			out->wscale = (int8_t)MIN(ws, NAT_TCP_WS_MAX);
		}
	}
}

int nat_tcp_parse(const struct frame_ip4 *ip, const struct frame_l4 *l4,
		  bool csum_offloaded, struct nat_seg *out)
{
	struct cursor c = ip->l4, opts;
	uint16_t sport, dport, win, check, urg;
	uint8_t doff, flags;

	memset(out, 0, sizeof(*out));
	out->wscale = -1;
	if (cur_be16(&c, &sport) || cur_be16(&c, &dport) ||
	    cur_be32(&c, &out->seq) || cur_be32(&c, &out->ack) ||
	    cur_u8(&c, &doff) || cur_u8(&c, &flags) || cur_be16(&c, &win) ||
	    cur_be16(&c, &check) || cur_be16(&c, &urg))
		return -EBADMSG;
	if (l4->hlen < sizeof(struct tcp_hdr) ||
	    cur_sub(&c, l4->hlen - sizeof(struct tcp_hdr), &opts))
		return -EBADMSG;
	if (!csum_offloaded) {
		uint32_t sum = csum_ip4_pseudo(htonl(ip->saddr),
					       htonl(ip->daddr), IPPROTO_TCP_,
					       (uint16_t)ip->l4.left);

		if (csum_fold(csum_partial(ip->l4.p, ip->l4.left, sum)))
			return -EBADMSG;
	}
	out->saddr = ip->saddr;
	out->daddr = ip->daddr;
	out->sport = sport;
	out->dport = dport;
	out->flags = flags & 0x3f;
	out->win = win;
	parse_options(opts, out);
	out->data = c.p;
	out->len = c.left;
	return 0;
}

size_t nat_tcp_hdr_len(const struct nat_seg *seg)
{
	size_t n = sizeof(struct ip4_hdr) + sizeof(struct tcp_hdr);

	if (seg->mss)
		n += 4;
	if (seg->wscale >= 0)
		n += 4;
	return n;
}

static ssize_t tcp_build(const struct nat_seg *seg, uint16_t ip_id,
			 void *buf, size_t cap, bool partial)
{
	size_t hlen = nat_tcp_hdr_len(seg);
	size_t thlen = hlen - sizeof(struct ip4_hdr);
	size_t tot = hlen + seg->len;
	uint8_t *p = buf, *o;
	struct ip4_hdr ip;
	struct tcp_hdr th;
	uint32_t sum;

	if (cap < hlen || seg->len > cap - hlen || tot > 65535)
		return -ENOSPC;

	memset(&ip, 0, sizeof(ip));
	ip.ver_ihl = 0x45;
	ip.tot_len = htons((uint16_t)tot);
	ip.id = htons(ip_id);
	ip.frag_off = htons(IP4_DF);
	ip.ttl = 64;
	ip.proto = IPPROTO_TCP_;
	ip.saddr = htonl(seg->saddr);
	ip.daddr = htonl(seg->daddr);
	ip.check = csum_fold(csum_partial(&ip, sizeof(ip), 0));

	memset(&th, 0, sizeof(th));
	th.sport = htons(seg->sport);
	th.dport = htons(seg->dport);
	th.seq = htonl(seg->seq);
	th.ack = htonl(seg->ack);
	th.doff = (uint8_t)(thlen / 4 << 4);
	th.flags = seg->flags;
	th.win = htons(seg->win);

	if (seg->len && seg->data != p + hlen)
		memmove(p + hlen, seg->data, seg->len);
	memcpy(p, &ip, sizeof(ip));
	memcpy(p + sizeof(ip), &th, sizeof(th));
	o = p + sizeof(ip) + sizeof(th);
	if (seg->mss) {
		o[0] = OPT_MSS;
		o[1] = 4;
		o[2] = (uint8_t)(seg->mss >> 8);
		o[3] = (uint8_t)seg->mss;
		o += 4;
	}
	if (seg->wscale >= 0) {
		o[0] = OPT_NOP;
		o[1] = OPT_WS;
		o[2] = 3;
		o[3] = (uint8_t)seg->wscale;
	}
	sum = csum_ip4_pseudo(ip.saddr, ip.daddr, IPPROTO_TCP_,
			      (uint16_t)(thlen + seg->len));
	if (partial) {
		th.check = (uint16_t)~csum_fold(sum);	/* not inverted */
	} else {
		sum = csum_partial(p + sizeof(ip), thlen + seg->len, sum);
		th.check = csum_fold(sum);
	}
	memcpy(p + sizeof(ip) + offsetof(struct tcp_hdr, check), &th.check, 2);
	return (ssize_t)tot;
}

ssize_t nat_tcp_build(const struct nat_seg *seg, uint16_t ip_id, void *buf,
		      size_t cap)
{
	return tcp_build(seg, ip_id, buf, cap, false);
}

ssize_t nat_tcp_build_partial(const struct nat_seg *seg, uint16_t ip_id,
			      void *buf, size_t cap)
{
	return tcp_build(seg, ip_id, buf, cap, true);
}
