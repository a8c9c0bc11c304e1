/* SPDX-License-Identifier: MIT */
/*
 * frame.h - Ethernet, ARP, IPv4, ICMP, UDP and TCP wire formats and parsers
 *
 * The wire structs are packed and size-asserted; they are used to *build*
 * frames (the gateway's replies, tests) and, once a parser has checked the
 * length, to name fields. Parsing is done through common/cursor.h only: the
 * frame_parse_*() functions take the bytes a guest handed us and return
 * small descriptors (host-order fields plus cursors over the payload) that
 * never point outside the original buffer.
 *
 * Layering: frame_parse_eth() -> frame_parse_arp() / frame_parse_ip4() ->
 * frame_parse_icmp() / frame_parse_udp() / frame_parse_tcp(). Each level
 * only looks at the cursor the previous level handed it, so a lower level's
 * length limit (e.g. IPv4 total length, which excludes Ethernet padding)
 * bounds everything above it.
 */
#ifndef MVM_VSWITCH_FRAME_H
#define MVM_VSWITCH_FRAME_H

#include <assert.h>
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt/cursor.h"

static_assert(sizeof(struct virtio_net_hdr_v1) == 12,
	      "virtio_net_hdr_v1 is 12 bytes on the wire");

/*
 * The trailing underscores keep these apart from the same names in
 * <linux/if_ether.h> and <netinet/in.h>, which some users also include.
 */
#define ETH_ALEN_	6
#define ETH_HLEN_	14
#define ETH_ZLEN_	60	/* minimum frame length without FCS */
/* largest frame a port may carry: a 64 KiB GSO super-frame plus headers */
#define FRAME_MAX	65550

#define ETHTYPE_IP4	0x0800
#define ETHTYPE_ARP	0x0806
#define ETHTYPE_VLAN	0x8100
#define ETHTYPE_QINQ	0x88a8
#define ETHTYPE_IP6	0x86dd

#define FRAME_MAX_VLAN	2	/* 802.1Q tags skipped at most (QinQ) */

#define IPPROTO_ICMP_	1
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17

#define ARP_OP_REQUEST	1
#define ARP_OP_REPLY	2

#define ICMP_ECHOREPLY_	0
#define ICMP_ECHO_	8

/** struct eth_hdr - Ethernet II header */
struct eth_hdr {
	uint8_t dst[ETH_ALEN_];
	uint8_t src[ETH_ALEN_];
	uint16_t type;		/* network order */
} __attribute__((packed));
static_assert(sizeof(struct eth_hdr) == ETH_HLEN_, "eth_hdr");

/** struct vlan_tag - 802.1Q tag that follows the addresses */
struct vlan_tag {
	uint16_t tci;		/* network order: PCP, DEI, VID */
	uint16_t type;		/* network order: encapsulated EtherType */
} __attribute__((packed));
static_assert(sizeof(struct vlan_tag) == 4, "vlan_tag");

/** struct arp_ip4 - ARP for IPv4 over Ethernet (RFC 826) */
struct arp_ip4 {
	uint16_t htype;		/* 1 = Ethernet */
	uint16_t ptype;		/* 0x0800 */
	uint8_t hlen;		/* 6 */
	uint8_t plen;		/* 4 */
	uint16_t op;		/* 1 request, 2 reply */
	uint8_t sha[ETH_ALEN_];
	uint8_t spa[4];		/* network order (unaligned: bytes) */
	uint8_t tha[ETH_ALEN_];
	uint8_t tpa[4];
} __attribute__((packed));
static_assert(sizeof(struct arp_ip4) == 28, "arp_ip4");

/** struct ip4_hdr - IPv4 header without options (RFC 791) */
struct ip4_hdr {
	uint8_t ver_ihl;	/* version << 4 | header length in words */
	uint8_t tos;
	uint16_t tot_len;	/* network order, header + payload */
	uint16_t id;
	uint16_t frag_off;	/* network order: flags << 13 | offset (8 B) */
	uint8_t ttl;
	uint8_t proto;
	uint16_t check;
	uint32_t saddr;		/* network order */
	uint32_t daddr;
} __attribute__((packed));
static_assert(sizeof(struct ip4_hdr) == 20, "ip4_hdr");

#define IP4_DF		0x4000
#define IP4_MF		0x2000
#define IP4_OFFMASK	0x1fff

/** struct icmp_hdr - ICMP header; @id and @seq are those of echo messages */
struct icmp_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t check;
	uint16_t id;
	uint16_t seq;
} __attribute__((packed));
static_assert(sizeof(struct icmp_hdr) == 8, "icmp_hdr");

/** struct udp_hdr - UDP header (RFC 768) */
struct udp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint16_t len;
	uint16_t check;
} __attribute__((packed));
static_assert(sizeof(struct udp_hdr) == 8, "udp_hdr");

/** struct tcp_hdr - TCP header without options (RFC 9293) */
struct tcp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t doff;		/* data offset in words << 4 */
	uint8_t flags;
	uint16_t win;
	uint16_t check;
	uint16_t urg;
} __attribute__((packed));
static_assert(sizeof(struct tcp_hdr) == 20, "tcp_hdr");

/**
 * struct frame_eth - a parsed Ethernet frame
 * @dst, @src:	the addresses (point into the frame)
 * @type:	EtherType after any VLAN tags, host order
 * @vlans:	number of 802.1Q/802.1ad tags skipped
 * @vid:	VLAN id of the outermost tag (0 when untagged)
 * @l3_off:	offset of the L3 header from the start of the frame
 * @l3:		cursor over everything after the header (may include padding)
 */
struct frame_eth {
	const uint8_t *dst;
	const uint8_t *src;
	uint16_t type;
	unsigned vlans;
	uint16_t vid;
	size_t l3_off;
	struct cursor l3;
};

/**
 * struct frame_arp - a parsed Ethernet/IPv4 ARP packet
 * @op:		operation, host order
 * @sha, @tha:	sender / target hardware addresses (point into the frame)
 * @spa, @tpa:	sender / target protocol addresses, host order
 */
struct frame_arp {
	uint16_t op;
	const uint8_t *sha;
	const uint8_t *tha;
	uint32_t spa;
	uint32_t tpa;
};

/**
 * struct frame_ip4 - a parsed IPv4 header
 * @hdr:	the header (ihl bytes, points into the frame)
 * @ihl:	header length in bytes (20..60)
 * @tot_len:	total length from the header
 * @proto:	protocol
 * @ttl:	time to live
 * @saddr, @daddr: addresses, host order
 * @frag:	true for any fragment (MF set or offset non-zero)
 * @csum_ok:	the header checksum verifies
 * @l4:		cursor over the payload, bounded by @tot_len (no padding)
 */
struct frame_ip4 {
	const struct ip4_hdr *hdr;
	unsigned ihl;
	uint16_t tot_len;
	uint8_t proto;
	uint8_t ttl;
	uint32_t saddr;
	uint32_t daddr;
	bool frag;
	bool csum_ok;
	struct cursor l4;
};

/**
 * struct frame_icmp - a parsed ICMP message
 * @type, @code: from the header
 * @id, @seq:	echo identifier and sequence number, host order
 * @msg:	cursor over the whole message (header included), for checksums
 * @data:	cursor over the bytes after the 8-byte header
 */
struct frame_icmp {
	uint8_t type;
	uint8_t code;
	uint16_t id;
	uint16_t seq;
	struct cursor msg;
	struct cursor data;
};

/**
 * struct frame_l4 - a parsed UDP datagram or TCP segment header
 * @sport, @dport: ports, host order
 * @hlen:	header length (8 for UDP, data offset for TCP)
 * @flags:	TCP flags (0 for UDP)
 * @data:	cursor over the payload (UDP: bounded by the UDP length)
 */
struct frame_l4 {
	uint16_t sport;
	uint16_t dport;
	unsigned hlen;
	uint8_t flags;
	struct cursor data;
};

/** mac_is_multicast() - group bit set (multicast or broadcast)? */
static inline bool mac_is_multicast(const uint8_t *mac)
{
	return mac[0] & 1;
}

/** mac_is_broadcast() - ff:ff:ff:ff:ff:ff? */
static inline bool mac_is_broadcast(const uint8_t *mac)
{
	return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}

/** mac_is_zero() - 00:00:00:00:00:00? */
static inline bool mac_is_zero(const uint8_t *mac)
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

/**
 * frame_parse_eth() - parse the Ethernet header, skipping VLAN tags
 * @buf, @len:	the frame (without virtio header)
 * @out:	receives the result
 * Return: 0, -EBADMSG when shorter than a header or a tag, -E2BIG for more
 *	   than FRAME_MAX_VLAN tags
 */
int frame_parse_eth(const void *buf, size_t len, struct frame_eth *out);

/**
 * frame_parse_arp() - parse an Ethernet/IPv4 ARP packet
 * @eth:	a frame whose @type is ETHTYPE_ARP
 * @out:	receives the result
 * Return: 0, -EBADMSG when truncated, -EPROTONOSUPPORT for another
 *	   hardware/protocol type or address size
 */
int frame_parse_arp(const struct frame_eth *eth, struct frame_arp *out);

/**
 * frame_parse_ip4() - parse and check an IPv4 header
 * @eth:	a frame whose @type is ETHTYPE_IP4
 * @out:	receives the result
 * Checks: version 4, 20 <= IHL*4 <= total length <= bytes present. The
 * header checksum is verified into @out->csum_ok, not enforced.
 * Return: 0 or -EBADMSG
 */
int frame_parse_ip4(const struct frame_eth *eth, struct frame_ip4 *out);

/**
 * frame_parse_icmp() - parse an ICMP message
 * @ip:		an unfragmented IPv4 packet with protocol 1
 * @out:	receives the result
 * Return: 0, -EBADMSG when shorter than 8 bytes, -EPROTO if @ip is not
 *	   ICMP, -EOPNOTSUPP for a fragment (no reassembly)
 */
int frame_parse_icmp(const struct frame_ip4 *ip, struct frame_icmp *out);

/**
 * frame_parse_udp() - parse a UDP header
 * @ip:		an unfragmented IPv4 packet with protocol 17
 * @out:	receives the result
 * Return: 0, -EBADMSG when truncated or the UDP length is below 8 or beyond
 *	   the IP payload, -EPROTO if not UDP, -EOPNOTSUPP for a fragment
 */
int frame_parse_udp(const struct frame_ip4 *ip, struct frame_l4 *out);

/**
 * frame_parse_tcp() - parse a TCP header
 * @ip:		an unfragmented IPv4 packet with protocol 6
 * @out:	receives the result
 * Return: 0, -EBADMSG when truncated or the data offset is below 5 words or
 *	   beyond the segment, -EPROTO if not TCP, -EOPNOTSUPP for a fragment
 */
int frame_parse_tcp(const struct frame_ip4 *ip, struct frame_l4 *out);

/**
 * frame_ip4_csum() - compute an IPv4 header checksum
 * @hdr:	header whose checksum field is zero
 * @ihl:	header length in bytes
 * Return: the checksum, in network order, to store in ip4_hdr.check
 */
uint16_t frame_ip4_csum(const void *hdr, size_t ihl);

#endif
