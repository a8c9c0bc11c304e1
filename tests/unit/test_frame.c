// SPDX-License-Identifier: MIT
/*
 * test_frame.c - unit tests for the Ethernet/ARP/IPv4/ICMP/UDP/TCP parsers
 *
 * Each test builds one good packet as a packed struct literal, checks that
 * it parses, then changes one field (or the length) per assertion.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pkt/csum.h"
#include "pkt/frame.h"

#define GW_MAC { 0x02, 0x6d, 0x76, 0x00, 0x00, 0x01 }
#define VM_MAC { 0x02, 0x6d, 0x76, 0x00, 0x00, 0x02 }

struct arp_frame {
	struct eth_hdr eth;
	struct arp_ip4 arp;
} __attribute__((packed));

struct icmp_frame {
	struct eth_hdr eth;
	struct ip4_hdr ip;
	struct icmp_hdr icmp;
	uint8_t data[8];
} __attribute__((packed));

struct udp_frame {
	struct eth_hdr eth;
	struct ip4_hdr ip;
	struct udp_hdr udp;
	uint8_t data[4];
} __attribute__((packed));

struct tcp_frame {
	struct eth_hdr eth;
	struct ip4_hdr ip;
	struct tcp_hdr tcp;
	uint8_t opts[4];
	uint8_t data[2];
} __attribute__((packed));

struct vlan_frame {
	uint8_t dst[6], src[6];
	uint16_t tpid;
	struct vlan_tag tag;
	struct arp_ip4 arp;
} __attribute__((packed));

static struct arp_frame arp_good(void)
{
	struct arp_frame f = {
		.eth = { .dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
			 .src = VM_MAC, .type = htons(ETHTYPE_ARP) },
		.arp = { .htype = htons(1), .ptype = htons(ETHTYPE_IP4),
			 .hlen = 6, .plen = 4, .op = htons(ARP_OP_REQUEST),
			 .sha = VM_MAC, .spa = { 10, 89, 0, 2 },
			 .tha = { 0 }, .tpa = { 10, 89, 0, 1 } },
	};
	return f;
}

static void ip_fix(struct ip4_hdr *ip)
{
	ip->check = 0;
	ip->check = frame_ip4_csum(ip, sizeof(*ip));
}

static struct icmp_frame icmp_good(void)
{
	struct icmp_frame f = {
		.eth = { .dst = GW_MAC, .src = VM_MAC,
			 .type = htons(ETHTYPE_IP4) },
		.ip = { .ver_ihl = 0x45, .tot_len = htons(20 + 8 + 8),
			.id = htons(1), .frag_off = htons(IP4_DF), .ttl = 64,
			.proto = IPPROTO_ICMP_,
			.saddr = htonl(0x0a590002), .daddr = htonl(0x0a590001) },
		.icmp = { .type = ICMP_ECHO_, .id = htons(0x1234),
			  .seq = htons(7) },
		.data = "abcdefg",
	};
	ip_fix(&f.ip);
	return f;
}

static int parse_ip(const void *buf, size_t len, struct frame_ip4 *ip)
{
	struct frame_eth eth;
	int ret = frame_parse_eth(buf, len, &eth);

	if (ret)
		return ret;
	return frame_parse_ip4(&eth, ip);
}

static void test_eth(void **state)
{
	struct arp_frame f = arp_good();
	struct frame_eth eth;
	size_t n;

	assert_int_equal(frame_parse_eth(&f, sizeof(f), &eth), 0);
	assert_int_equal(eth.type, ETHTYPE_ARP);
	assert_int_equal(eth.vlans, 0);
	assert_int_equal(eth.l3_off, 14);
	assert_int_equal(eth.l3.left, sizeof(f.arp));
	assert_ptr_equal(eth.dst, f.eth.dst);
	assert_ptr_equal(eth.src, f.eth.src);
	/* every truncation of the header fails */
	for (n = 0; n < ETH_HLEN_; n++)
		assert_int_equal(frame_parse_eth(&f, n, &eth), -EBADMSG);
	assert_int_equal(frame_parse_eth(&f, ETH_HLEN_, &eth), 0);
	assert_int_equal(eth.l3.left, 0);
}

static void test_vlan(void **state)
{
	struct vlan_frame v = {
		.dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, .src = VM_MAC,
		.tpid = htons(ETHTYPE_VLAN),
		.tag = { .tci = htons(0x2064), .type = htons(ETHTYPE_ARP) },
	};
	uint8_t qinq[26] = { 0 };
	struct frame_eth eth;
	struct frame_arp a;

	v.arp = arp_good().arp;
	assert_int_equal(frame_parse_eth(&v, sizeof(v), &eth), 0);
	assert_int_equal(eth.vlans, 1);
	assert_int_equal(eth.vid, 0x064);
	assert_int_equal(eth.type, ETHTYPE_ARP);
	assert_int_equal(eth.l3_off, 18);
	assert_int_equal(frame_parse_arp(&eth, &a), 0);
	/* a tag cut short */
	assert_int_equal(frame_parse_eth(&v, 16, &eth), -EBADMSG);
	assert_int_equal(frame_parse_eth(&v, 17, &eth), -EBADMSG);
	/* the tag claims a tag next, and the frame ends there */
	v.tag.type = htons(ETHTYPE_VLAN);
	assert_int_equal(frame_parse_eth(&v, 18, &eth), -EBADMSG);

	/* QinQ: two tags fine, three too many */
	qinq[12] = 0x88; qinq[13] = 0xa8;	/* S-tag */
	qinq[16] = 0x81; qinq[17] = 0x00;	/* C-tag */
	qinq[20] = 0x08; qinq[21] = 0x00;
	assert_int_equal(frame_parse_eth(qinq, sizeof(qinq), &eth), 0);
	assert_int_equal(eth.vlans, 2);
	assert_int_equal(eth.type, ETHTYPE_IP4);
	qinq[20] = 0x81; qinq[21] = 0x00;
	assert_int_equal(frame_parse_eth(qinq, sizeof(qinq), &eth), -E2BIG);
}

static void test_arp(void **state)
{
	struct arp_frame f = arp_good();
	struct frame_eth eth;
	struct frame_arp a;
	size_t n;

	assert_int_equal(frame_parse_eth(&f, sizeof(f), &eth), 0);
	assert_int_equal(frame_parse_arp(&eth, &a), 0);
	assert_int_equal(a.op, ARP_OP_REQUEST);
	assert_int_equal(a.spa, 0x0a590002);
	assert_int_equal(a.tpa, 0x0a590001);
	assert_memory_equal(a.sha, f.arp.sha, 6);

	/* every truncation of the 28 ARP bytes fails */
	for (n = ETH_HLEN_; n < sizeof(f); n++) {
		assert_int_equal(frame_parse_eth(&f, n, &eth), 0);
		assert_int_equal(frame_parse_arp(&eth, &a), -EBADMSG);
	}

	f = arp_good(); f.arp.htype = htons(6);
	assert_int_equal(frame_parse_eth(&f, sizeof(f), &eth), 0);
	assert_int_equal(frame_parse_arp(&eth, &a), -EPROTONOSUPPORT);
	f = arp_good(); f.arp.ptype = htons(ETHTYPE_IP6);
	assert_int_equal(frame_parse_eth(&f, sizeof(f), &eth), 0);
	assert_int_equal(frame_parse_arp(&eth, &a), -EPROTONOSUPPORT);
	f = arp_good(); f.arp.hlen = 8;
	assert_int_equal(frame_parse_eth(&f, sizeof(f), &eth), 0);
	assert_int_equal(frame_parse_arp(&eth, &a), -EPROTONOSUPPORT);
	f = arp_good(); f.arp.plen = 16;
	assert_int_equal(frame_parse_eth(&f, sizeof(f), &eth), 0);
	assert_int_equal(frame_parse_arp(&eth, &a), -EPROTONOSUPPORT);
}

static void test_ip4_good(void **state)
{
	struct icmp_frame f = icmp_good();
	uint8_t padded[sizeof(f) + 10];
	struct frame_ip4 ip;

	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(ip.ihl, 20);
	assert_int_equal(ip.tot_len, 36);
	assert_int_equal(ip.proto, IPPROTO_ICMP_);
	assert_int_equal(ip.saddr, 0x0a590002);
	assert_int_equal(ip.daddr, 0x0a590001);
	assert_false(ip.frag);
	assert_true(ip.csum_ok);
	assert_int_equal(ip.l4.left, 16);

	/* Ethernet padding is not part of the datagram */
	memset(padded, 0xee, sizeof(padded));
	memcpy(padded, &f, sizeof(f));
	assert_int_equal(parse_ip(padded, sizeof(padded), &ip), 0);
	assert_int_equal(ip.l4.left, 16);

	/* a wrong checksum is reported, not rejected */
	f.ip.check ^= 1;
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_false(ip.csum_ok);
}

static void test_ip4_bad(void **state)
{
	struct icmp_frame f;
	struct frame_ip4 ip;
	size_t n;

	/* truncated header */
	for (n = ETH_HLEN_; n < ETH_HLEN_ + 20; n++) {
		f = icmp_good();
		assert_int_equal(parse_ip(&f, n, &ip), -EBADMSG);
	}
	f = icmp_good(); f.ip.ver_ihl = 0x65;		/* version 6 */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), -EBADMSG);
	f = icmp_good(); f.ip.ver_ihl = 0x44;		/* IHL below 5 */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), -EBADMSG);
	f = icmp_good(); f.ip.ver_ihl = 0x40;		/* IHL 0 */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), -EBADMSG);
	f = icmp_good(); f.ip.ver_ihl = 0x4f;		/* 60 > total length */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), -EBADMSG);
	f = icmp_good(); f.ip.tot_len = htons(19);	/* below the header */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), -EBADMSG);
	f = icmp_good(); f.ip.tot_len = htons(37);	/* beyond the buffer */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), -EBADMSG);
	f = icmp_good(); f.ip.tot_len = htons(0xffff);
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), -EBADMSG);
	f = icmp_good();				/* frame cut short */
	assert_int_equal(parse_ip(&f, sizeof(f) - 1, &ip), -EBADMSG);

	/* IHL 6: one word of options, still consistent */
	f = icmp_good(); f.ip.ver_ihl = 0x46;
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(ip.ihl, 24);
	assert_int_equal(ip.l4.left, 12);
}

static void test_ip4_fragments(void **state)
{
	struct icmp_frame f;
	struct frame_ip4 ip;
	struct frame_icmp ic;

	f = icmp_good(); f.ip.frag_off = htons(IP4_MF);
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_true(ip.frag);
	assert_int_equal(frame_parse_icmp(&ip, &ic), -EOPNOTSUPP);
	f = icmp_good(); f.ip.frag_off = htons(1);
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_true(ip.frag);
	f = icmp_good(); f.ip.frag_off = htons(IP4_DF);
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_false(ip.frag);
}

static void test_icmp(void **state)
{
	struct icmp_frame f = icmp_good();
	struct frame_ip4 ip;
	struct frame_icmp ic;

	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_icmp(&ip, &ic), 0);
	assert_int_equal(ic.type, ICMP_ECHO_);
	assert_int_equal(ic.id, 0x1234);
	assert_int_equal(ic.seq, 7);
	assert_int_equal(ic.msg.left, 16);
	assert_int_equal(ic.data.left, 8);
	assert_memory_equal(ic.data.p, "abcdefg", 8);

	/* ICMP shorter than its header (total length says 7 bytes) */
	f.ip.tot_len = htons(27);
	ip_fix(&f.ip);
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_icmp(&ip, &ic), -EBADMSG);

	/* not ICMP */
	f = icmp_good(); f.ip.proto = IPPROTO_UDP_;
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_icmp(&ip, &ic), -EPROTO);
}

static struct udp_frame udp_good(void)
{
	struct udp_frame f = {
		.eth = { .dst = GW_MAC, .src = VM_MAC,
			 .type = htons(ETHTYPE_IP4) },
		.ip = { .ver_ihl = 0x45, .tot_len = htons(20 + 8 + 4),
			.ttl = 64, .proto = IPPROTO_UDP_,
			.saddr = htonl(0x0a590002), .daddr = htonl(0x0a590001) },
		.udp = { .sport = htons(68), .dport = htons(67),
			 .len = htons(12) },
		.data = { 1, 2, 3, 4 },
	};
	ip_fix(&f.ip);
	return f;
}

static void test_udp(void **state)
{
	struct udp_frame f = udp_good();
	struct frame_ip4 ip;
	struct frame_l4 u;

	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_udp(&ip, &u), 0);
	assert_int_equal(u.sport, 68);
	assert_int_equal(u.dport, 67);
	assert_int_equal(u.hlen, 8);
	assert_int_equal(u.data.left, 4);

	f.udp.len = htons(10);		/* shorter than the IP payload: fine */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_udp(&ip, &u), 0);
	assert_int_equal(u.data.left, 2);
	f.udp.len = htons(13);		/* longer than the IP payload */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_udp(&ip, &u), -EBADMSG);
	f.udp.len = htons(7);		/* shorter than the header */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_udp(&ip, &u), -EBADMSG);

	f = udp_good();			/* header cut by the IP length */
	f.ip.tot_len = htons(27);
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_udp(&ip, &u), -EBADMSG);
	f = udp_good(); f.ip.frag_off = htons(IP4_MF);
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_udp(&ip, &u), -EOPNOTSUPP);
	f = udp_good(); f.ip.proto = IPPROTO_TCP_;
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_udp(&ip, &u), -EPROTO);
}

static struct tcp_frame tcp_good(void)
{
	struct tcp_frame f = {
		.eth = { .dst = GW_MAC, .src = VM_MAC,
			 .type = htons(ETHTYPE_IP4) },
		.ip = { .ver_ihl = 0x45, .tot_len = htons(20 + 24 + 2),
			.ttl = 64, .proto = IPPROTO_TCP_,
			.saddr = htonl(0x0a590002), .daddr = htonl(0x0a590001) },
		.tcp = { .sport = htons(40000), .dport = htons(53),
			 .doff = 6 << 4, .flags = 0x18 },
		.opts = { 1, 1, 1, 1 },
		.data = { 'h', 'i' },
	};
	ip_fix(&f.ip);
	return f;
}

static void test_tcp(void **state)
{
	struct tcp_frame f = tcp_good();
	struct frame_ip4 ip;
	struct frame_l4 t;

	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_tcp(&ip, &t), 0);
	assert_int_equal(t.sport, 40000);
	assert_int_equal(t.dport, 53);
	assert_int_equal(t.hlen, 24);
	assert_int_equal(t.flags, 0x18);
	assert_int_equal(t.data.left, 2);
	assert_memory_equal(t.data.p, "hi", 2);

	f.tcp.doff = 4 << 4;		/* below 5 words */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_tcp(&ip, &t), -EBADMSG);
	f.tcp.doff = 7 << 4;		/* 28 > 26 bytes of segment */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_tcp(&ip, &t), -EBADMSG);
	f.tcp.doff = 15 << 4;
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_tcp(&ip, &t), -EBADMSG);

	f = tcp_good(); f.ip.tot_len = htons(20 + 19);	/* header cut */
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_tcp(&ip, &t), -EBADMSG);
	f = tcp_good(); f.ip.frag_off = htons(5);
	assert_int_equal(parse_ip(&f, sizeof(f), &ip), 0);
	assert_int_equal(frame_parse_tcp(&ip, &t), -EOPNOTSUPP);
}

static void test_csum(void **state)
{
	struct icmp_frame f = icmp_good();

	/* a header with its checksum in place sums to zero */
	assert_int_equal(csum_fold(csum_partial(&f.ip, 20, 0)), 0);
	/* RFC 1071 example: words 0001 f203 f4f5 f6f7 sum to ddf2 */
	{
		static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03,
					     0xf4, 0xf5, 0xf6, 0xf7 };
		uint16_t s = (uint16_t)~csum_fold(csum_partial(b, 8, 0));

		assert_int_equal(ntohs(s), 0xddf2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_ip4_good),
		cmocka_unit_test(test_ip4_bad),
		cmocka_unit_test(test_ip4_fragments),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_csum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
