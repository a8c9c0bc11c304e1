/* SPDX-License-Identifier: MIT */
/*
 * dhcp_msg.h - DHCP wire format: parse a request, build a reply (RFC 2131/2132)
 *
 * A DHCP message is a fixed 236-byte BOOTP header, the magic cookie and a
 * list of type-length-value options. dhcp_msg_parse() reads a UDP payload
 * only through common/cursor.h into a struct dhcp_msg holding the fields a
 * server needs, in host byte order. The builder writes a reply into a
 * caller-supplied buffer and never writes past the limit it was given:
 * an option that does not fit is refused (-ENOSPC) and the message stays
 * well formed, so the caller can drop optional options and carry on.
 *
 * Addresses are host byte order everywhere in this API, as in common/addr.h.
 */
#ifndef MVM_DHCP_MSG_H
#define MVM_DHCP_MSG_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt/wire.h"

#define DHCP_MAGIC_COOKIE	0x63825363u	/* RFC 2131 3 */
#define DHCP_HDR_LEN		236		/* BOOTP header, RFC 2131 2 */
#define DHCP_MIN_LEN		(DHCP_HDR_LEN + 4)	/* header + cookie */
#define DHCP_IPUDP_LEN		28		/* IPv4 + UDP headers */
#define DHCP_MIN_MAX_SIZE	576	/* RFC 2132 9.10: smallest legal 57 */
#define DHCP_BOOTP_MIN_LEN	300	/* RFC 1542 2.1: replies padded to this */
#define DHCP_FLAG_BROADCAST	0x8000	/* RFC 2131 2, figure 2 */
#define DHCP_HTYPE_ETHER	1
#define DHCP_CHADDR_LEN		16
#define DHCP_OPT_DATA_MAX	255	/* one option's data */

/* RFC 2131 2: op */
enum dhcp_op {
	DHCP_BOOTREQUEST = 1,
	DHCP_BOOTREPLY = 2,
};

/* RFC 2132 9.6: DHCP message type (option 53) */
enum dhcp_type {
	DHCP_DISCOVER = 1,
	DHCP_OFFER = 2,
	DHCP_REQUEST = 3,
	DHCP_DECLINE = 4,
	DHCP_ACK = 5,
	DHCP_NAK = 6,
	DHCP_RELEASE = 7,
	DHCP_INFORM = 8,
};

/* Option codes used here (RFC 2132 unless noted) */
enum dhcp_opt {
	DHCP_OPT_PAD = 0,
	DHCP_OPT_SUBNET_MASK = 1,
	DHCP_OPT_ROUTER = 3,
	DHCP_OPT_DNS = 6,
	DHCP_OPT_HOSTNAME = 12,
	DHCP_OPT_DOMAIN = 15,
	DHCP_OPT_MTU = 26,
	DHCP_OPT_BROADCAST = 28,
	DHCP_OPT_REQUESTED_IP = 50,
	DHCP_OPT_LEASE_TIME = 51,
	DHCP_OPT_OVERLOAD = 52,
	DHCP_OPT_MSG_TYPE = 53,
	DHCP_OPT_SERVER_ID = 54,
	DHCP_OPT_PRL = 55,
	DHCP_OPT_MESSAGE = 56,
	DHCP_OPT_MAX_SIZE = 57,
	DHCP_OPT_RENEWAL = 58,
	DHCP_OPT_REBINDING = 59,
	DHCP_OPT_CLIENT_ID = 61,
	DHCP_OPT_SEARCH = 119,		/* RFC 3397 */
	DHCP_OPT_ROUTES = 121,		/* RFC 3442 */
	DHCP_OPT_END = 255,
};

/**
 * struct dhcp_hdr - the fixed BOOTP header as on the wire (network order)
 *
 * Only ever filled by copying bytes out of a cursor or written into a
 * builder's buffer: never cast onto a received buffer.
 */
struct dhcp_hdr {
	uint8_t op;		/* enum dhcp_op */
	uint8_t htype;		/* hardware type, 1 = Ethernet */
	uint8_t hlen;		/* hardware address length, 6 for Ethernet */
	uint8_t hops;		/* relay hops */
	uint32_t xid;		/* transaction id chosen by the client */
	uint16_t secs;		/* seconds since the client began */
	uint16_t flags;		/* DHCP_FLAG_BROADCAST */
	uint32_t ciaddr;	/* client address when bound/renewing */
	uint32_t yiaddr;	/* "your" address, set by the server */
	uint32_t siaddr;	/* next server (boot), 0 here */
	uint32_t giaddr;	/* relay agent */
	uint8_t chaddr[DHCP_CHADDR_LEN];	/* client hardware address */
	uint8_t sname[64];	/* server name, or options when overloaded */
	uint8_t file[128];	/* boot file, or options when overloaded */
} __attribute__((packed));
static_assert(sizeof(struct dhcp_hdr) == DHCP_HDR_LEN, "BOOTP header is 236 bytes");

/* Bits of struct dhcp_msg.have: which options were present */
#define DHCP_HAVE_REQUESTED_IP	(1u << 0)
#define DHCP_HAVE_SERVER_ID	(1u << 1)
#define DHCP_HAVE_LEASE_TIME	(1u << 2)
#define DHCP_HAVE_MAX_SIZE	(1u << 3)
#define DHCP_HAVE_CLIENT_ID	(1u << 4)
#define DHCP_HAVE_HOSTNAME	(1u << 5)
#define DHCP_HAVE_PRL		(1u << 6)
#define DHCP_HAVE_OVERLOAD	(1u << 7)

/**
 * struct dhcp_msg - a parsed DHCP message, host byte order
 *
 * Variable-length options that appear more than once are concatenated
 * (RFC 3396 3); together they may not exceed DHCP_OPT_DATA_MAX bytes.
 */
struct dhcp_msg {
	uint8_t op;			/* enum dhcp_op */
	uint8_t htype;
	uint8_t hlen;			/* <= DHCP_CHADDR_LEN (checked) */
	uint8_t hops;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[DHCP_CHADDR_LEN];

	uint32_t have;			/* DHCP_HAVE_* */
	uint8_t type;			/* 53: enum dhcp_type, 0 when absent */
	uint32_t requested_ip;		/* 50 */
	uint32_t server_id;		/* 54 */
	uint32_t lease_time;		/* 51, seconds */
	uint16_t max_size;		/* 57, as sent (may be < 576) */
	uint8_t overload;		/* 52: 1 file, 2 sname, 3 both */
	uint8_t client_id_len;		/* 61: >= 2 when present */
	uint8_t client_id[DHCP_OPT_DATA_MAX];
	uint8_t hostname_len;		/* 12 */
	char hostname[DHCP_OPT_DATA_MAX + 1];	/* NUL-terminated copy */
	uint8_t prl_len;		/* 55 */
	uint8_t prl[DHCP_OPT_DATA_MAX];
};

/**
 * dhcp_msg_parse() - parse a DHCP message from a UDP payload
 * @buf:	payload as received (any content)
 * @len:	its length
 * @m:		receives the message; undefined on failure
 *
 * Checks the header length, the magic cookie, hlen (at most 16) and every
 * option's length; pad options are skipped, parsing stops at the end
 * option. A missing end option is tolerated when the last option ends
 * exactly at the end of the payload (real clients do this); an option that
 * runs past the end is not. When option 52 (overload) is present, the file
 * and/or sname fields are parsed as further options (RFC 2131 4.1).
 * Fixed-size options (50, 51, 53, 54, 57) with the wrong length, a client
 * identifier shorter than 2 bytes (RFC 2132 9.14) and repeated options
 * longer than 255 bytes together make the message invalid. Unknown
 * options are skipped.
 *
 * Return: 0, or -EBADMSG when the message is malformed
 */
int dhcp_msg_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m);

/**
 * dhcp_msg_max_reply() - largest reply payload the client accepts
 * @m:		the client's message
 *
 * RFC 2132 9.10: option 57 is the largest DHCP message (IP + UDP + payload)
 * the client accepts, never less than 576; without it, 576.
 * Return: the UDP payload limit in bytes (at least 548)
 */
size_t dhcp_msg_max_reply(const struct dhcp_msg *m);

/**
 * dhcp_msg_requested() - did the client ask for option @code (option 55)?
 * Return: 1 or 0
 */
int dhcp_msg_requested(const struct dhcp_msg *m, uint8_t code);

/** struct dhcp_builder - a reply being written into a caller's buffer */
struct dhcp_builder {
	uint8_t *buf;		/* caller's buffer */
	size_t len;		/* bytes written so far */
	size_t limit;		/* never write at or past this */
};

/**
 * dhcp_build_start() - start a BOOTREPLY to @req
 * @b:		builder to set up
 * @buf:	output buffer, owned by the caller
 * @limit:	bytes available in @buf (the caller also applies the client's
 *		maximum here); at least DHCP_BOOTP_MIN_LEN
 * @req:	the request being answered: xid, flags, giaddr, htype, hlen
 *		and chaddr are copied (RFC 2131 4.3.1 table 3)
 * @type:	enum dhcp_type of the reply, written as option 53
 * @ciaddr:	ciaddr of the reply (0 except in an ACK to a renewing client)
 * @yiaddr:	yiaddr of the reply (0 in a NAK or an ACK to an INFORM)
 *
 * Return: 0, or -ENOSPC when @limit is below DHCP_BOOTP_MIN_LEN
 */
int dhcp_build_start(struct dhcp_builder *b, uint8_t *buf, size_t limit,
		     const struct dhcp_msg *req, uint8_t type, uint32_t ciaddr,
		     uint32_t yiaddr);

/**
 * dhcp_build_opt() - append option @code with @len bytes of @data
 * @b:		builder
 * @code:	option code (not pad or end)
 * @data:	option data, @len bytes
 * @len:	data length; above 255 the option is split into several
 *		instances of the same code (RFC 3396 3)
 *
 * Room for the end option is always kept. The option is written entirely
 * or not at all.
 * Return: 0, -ENOSPC when it does not fit, -EINVAL for code 0/255 or an
 * empty option
 */
int dhcp_build_opt(struct dhcp_builder *b, uint8_t code, const void *data,
		   size_t len);

/** dhcp_build_opt_ip() - append a 4-byte address option; as dhcp_build_opt() */
int dhcp_build_opt_ip(struct dhcp_builder *b, uint8_t code, uint32_t ip);

/** dhcp_build_opt_u32() - append a 32-bit big-endian option */
int dhcp_build_opt_u32(struct dhcp_builder *b, uint8_t code, uint32_t v);

/** dhcp_build_opt_u16() - append a 16-bit big-endian option */
int dhcp_build_opt_u16(struct dhcp_builder *b, uint8_t code, uint16_t v);

/**
 * dhcp_build_end() - write the end option and pad to DHCP_BOOTP_MIN_LEN
 * Return: the length of the finished message
 */
size_t dhcp_build_end(struct dhcp_builder *b);

#define DHCP_SEARCH_MAX_DOMAINS	8	/* names in one search list */

/**
 * dhcp_encode_search() - encode a domain search list as option 119 data
 * @names:	domain names ("a.example", trailing dot optional)
 * @n:		how many, at most DHCP_SEARCH_MAX_DOMAINS
 * @out:	receives RFC 1035 encoded names, compressed as RFC 3397 2
 *		allows: a suffix already written is replaced by a pointer,
 *		its offset counted from the start of the option data
 * @size:	bytes available at @out
 *
 * Return: bytes written, -EINVAL for an invalid name (empty label, label
 * over 63 bytes, name over 253 bytes, too many names) or -ENOSPC
 */
int dhcp_encode_search(const char *const *names, size_t n, uint8_t *out,
		       size_t size);

/** struct dhcp_route - one classless static route (RFC 3442) */
struct dhcp_route {
	uint32_t dest;		/* destination network, host bits zero */
	uint8_t prefix;		/* 0..32 */
	uint32_t gw;		/* router, 0 = on-link */
};

/**
 * dhcp_encode_routes() - encode routes as option 121 data (RFC 3442)
 * @r, @n:	routes
 * @out:	receives width byte, significant destination octets, router
 * @size:	bytes available at @out
 *
 * Return: bytes written, -EINVAL for a prefix over 32 or host bits set in
 * a destination, -ENOSPC
 */
int dhcp_encode_routes(const struct dhcp_route *r, size_t n, uint8_t *out,
		       size_t size);

#endif
