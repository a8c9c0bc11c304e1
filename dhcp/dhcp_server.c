// SPDX-License-Identifier: MIT
/*
 * dhcp_server.c - the RFC 2131 server state machine over a lease table
 *
 * Theory of operation
 *
 * Each request is parsed into a struct dhcp_msg on the stack, decided on
 * against the lease table, and answered by building the reply straight
 * into the caller's struct dhcp_reply: nothing is allocated per packet.
 * The server keeps no per-client state besides the lease table: RFC 2131
 * client states are told apart from the fields of each REQUEST (4.3.2).
 *
 * Options go out in this order: message type, server identifier, lease
 * times, subnet mask (RFC 2132 3.3: before the router), then what the
 * client asked for in option 55, in its order, then the remaining
 * configured options. Each option is added only if it still fits in the
 * client's maximum message size, so the optional ones are the ones left
 * out. Option 121 is sent only when requested (RFC 3442), and carries the
 * default route too, since a client that uses it ignores option 3.
 */
#include "dhcp/dhcp_server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DHCP_SEARCH_ENC_MAX	1024	/* encoded option 119, split by 255 */

struct dhcp_server {
	struct dhcp_config cfg;
	struct dhcp_lease_table *leases;
	uint8_t search[DHCP_SEARCH_ENC_MAX];	/* option 119 data */
	size_t search_len;
	uint8_t routes[DHCP_OPT_DATA_MAX];	/* option 121 data */
	size_t routes_len;
	uint8_t domain_len;			/* option 15 length */
	struct dhcp_server_stats st;
};

/* A route list with the default route via @router appended if missing */
static int encode_routes(struct dhcp_server *s)
{
	const struct dhcp_config *c = &s->cfg;
	struct dhcp_route r[DHCP_MAX_ROUTES + 1];
	unsigned i, n = c->n_routes;
	bool dflt = false;
	int len;

	memcpy(r, c->routes, n * sizeof(r[0]));
	for (i = 0; i < n; i++)
		dflt |= r[i].prefix == 0;
	if (n && c->router && !dflt)
		r[n++] = (struct dhcp_route){ .gw = c->router };
	len = dhcp_encode_routes(r, n, s->routes, sizeof(s->routes));
	if (len < 0)
		return -EINVAL;
	s->routes_len = (size_t)len;
	return 0;
}

static int check_config(struct dhcp_server *s)
{
	struct dhcp_config *c = &s->cfg;
	const char *names[DHCP_SEARCH_MAX_DOMAINS];
	const char *dom = c->domain;
	uint8_t tmp[DHCP_DOMAIN_MAX + 2];
	uint32_t bcast = cidr4_broadcast(&c->subnet);
	unsigned i;
	int len;

	if (c->subnet.prefix < 8 || c->subnet.prefix > 30 ||
	    (c->subnet.addr & ~cidr4_mask(c->subnet.prefix)) ||
	    !cidr4_contains(&c->subnet, c->server_ip) ||
	    c->server_ip == c->subnet.addr || c->server_ip == bcast ||
	    (c->router && !cidr4_contains(&c->subnet, c->router)) ||
	    (c->mtu && c->mtu < 68) ||
	    (c->lease_time && c->lease_time < DHCP_MIN_LEASE) ||
	    c->n_search > DHCP_SEARCH_MAX_DOMAINS ||
	    c->n_routes > DHCP_MAX_ROUTES)
		return -EINVAL;
	if (!c->lease_time)
		c->lease_time = DHCP_DEFAULT_LEASE;
	if (memchr(c->domain, '\0', sizeof(c->domain)) == NULL)
		return -EINVAL;
	if (c->domain[0]) {	/* valid as a name: reuse the 119 encoder */
		if (dhcp_encode_search(&dom, 1, tmp, sizeof(tmp)) < 0)
			return -EINVAL;
		s->domain_len = (uint8_t)strlen(c->domain);
	}
	for (i = 0; i < c->n_search; i++) {
		if (memchr(c->search[i], '\0', sizeof(c->search[i])) == NULL)
			return -EINVAL;
		names[i] = c->search[i];
	}
	len = dhcp_encode_search(names, c->n_search, s->search,
				 sizeof(s->search));
	if (len < 0)
		return -EINVAL;
	s->search_len = (size_t)len;
	return encode_routes(s);
}

int dhcp_server_new(const struct dhcp_config *cfg, struct dhcp_server **out)
{
	struct dhcp_lease_params lp = {
		.subnet = cfg->subnet,
		.server_ip = cfg->server_ip,
		.max_dynamic = cfg->max_leases,
		.max_static = cfg->max_static,
	};
	struct dhcp_server *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	r = check_config(s);
	if (!r)
		r = dhcp_lease_table_new(&lp, &s->leases);
	if (r) {
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void dhcp_server_free(struct dhcp_server *s)
{
	if (!s)
		return;
	dhcp_lease_table_free(s->leases);
	free(s);
}

struct dhcp_lease_table *dhcp_server_leases(struct dhcp_server *s)
{
	return s->leases;
}

void dhcp_server_get_stats(const struct dhcp_server *s,
			   struct dhcp_server_stats *st)
{
	*st = s->st;
}

/* Add one configured option; -ENOENT when there is nothing to send */
static int put_opt(const struct dhcp_server *s, struct dhcp_builder *b,
		   const struct dhcp_msg *m, uint8_t code, const char *hostname)
{
	const struct dhcp_config *c = &s->cfg;

	switch (code) {
	case DHCP_OPT_SUBNET_MASK:
		return dhcp_build_opt_ip(b, code, cidr4_mask(c->subnet.prefix));
	case DHCP_OPT_ROUTER:
		return c->router ? dhcp_build_opt_ip(b, code, c->router) : -ENOENT;
	case DHCP_OPT_DNS:
		return c->dns ? dhcp_build_opt_ip(b, code, c->dns) : -ENOENT;
	case DHCP_OPT_HOSTNAME:
		if (!hostname || !hostname[0])
			return -ENOENT;
		return dhcp_build_opt(b, code, hostname, strlen(hostname));
	case DHCP_OPT_DOMAIN:
		if (!s->domain_len)
			return -ENOENT;
		return dhcp_build_opt(b, code, c->domain, s->domain_len);
	case DHCP_OPT_MTU:
		return c->mtu ? dhcp_build_opt_u16(b, code, c->mtu) : -ENOENT;
	case DHCP_OPT_BROADCAST:
		return dhcp_build_opt_ip(b, code, cidr4_broadcast(&c->subnet));
	case DHCP_OPT_SEARCH:
		if (!s->search_len)
			return -ENOENT;
		return dhcp_build_opt(b, code, s->search, s->search_len);
	case DHCP_OPT_ROUTES:
		/* RFC 3442: only to clients that asked for it */
		if (!s->routes_len || !dhcp_msg_requested(m, code))
			return -ENOENT;
		return dhcp_build_opt(b, code, s->routes, s->routes_len);
	default:
		return -ENOENT;
	}
}

/* Sent unasked too, after the requested ones, while they fit */
static const uint8_t default_opts[] = {
	DHCP_OPT_ROUTER, DHCP_OPT_DNS, DHCP_OPT_HOSTNAME, DHCP_OPT_DOMAIN,
	DHCP_OPT_BROADCAST, DHCP_OPT_MTU, DHCP_OPT_SEARCH,
};

/* The configuration options, in the order described at the top */
static void put_config(const struct dhcp_server *s, struct dhcp_builder *b,
		       const struct dhcp_msg *m, const char *hostname)
{
	uint8_t done[256 / 8] = { 0 };
	unsigned i;

	/* RFC 2132 3.3: the subnet mask goes before the router */
	put_opt(s, b, m, DHCP_OPT_SUBNET_MASK, hostname);
	done[DHCP_OPT_SUBNET_MASK / 8] |= 1u << (DHCP_OPT_SUBNET_MASK % 8);
	/* RFC 2131 4.3.1: what the client asked for, in its order */
	for (i = 0; i < m->prl_len; i++) {
		uint8_t code = m->prl[i];

		if (done[code / 8] & (1u << (code % 8)))
			continue;
		done[code / 8] |= (uint8_t)(1u << (code % 8));
		put_opt(s, b, m, code, hostname);
	}
	for (i = 0; i < sizeof(default_opts); i++) {
		uint8_t code = default_opts[i];

		if (!(done[code / 8] & (1u << (code % 8))))
			put_opt(s, b, m, code, hostname);
	}
}

/*
 * RFC 2131 4.1, "Constructing and sending DHCP messages": where a reply
 * to @m goes.
 */
static void deliver(const struct dhcp_server *s, const struct dhcp_msg *m,
		    uint8_t type, uint32_t yiaddr, struct dhcp_reply *out)
{
	out->src_ip = s->cfg.server_ip;
	out->src_port = DHCP_SERVER_PORT;
	out->dst_port = DHCP_CLIENT_PORT;
	out->via_relay = false;
	out->broadcast = false;
	memcpy(out->dst_mac, m->chaddr, 6);
	if (m->giaddr) {
		/* to the relay's server port; a NAK gets the broadcast bit
		 * so that the relay broadcasts it to the client */
		out->dst_ip = m->giaddr;
		out->dst_port = DHCP_SERVER_PORT;
		out->via_relay = true;
		memset(out->dst_mac, 0, 6);
		if (type == DHCP_NAK)
			out->data[offsetof(struct dhcp_hdr, flags)] |= 0x80;
		return;
	}
	if (type != DHCP_NAK && m->ciaddr) {
		out->dst_ip = m->ciaddr;	/* renewing, or INFORM */
		return;
	}
	/* NAKs are always broadcast; so is everything the client asked to
	 * get broadcast, or that it cannot receive unicast yet */
	if (type == DHCP_NAK || (m->flags & DHCP_FLAG_BROADCAST) || !yiaddr) {
		out->dst_ip = 0xffffffffu;
		out->broadcast = true;
		memset(out->dst_mac, 0xff, 6);
		return;
	}
	out->dst_ip = yiaddr;
}

/* Build a reply of @type; @lease 0 for no lease times. Returns 1. */
static int reply(struct dhcp_server *s, const struct dhcp_msg *m,
		 uint8_t type, uint32_t ciaddr, uint32_t yiaddr, uint32_t lease,
		 const char *hostname, struct dhcp_reply *out)
{
	size_t limit = dhcp_msg_max_reply(m);
	struct dhcp_builder b;

	if (limit > sizeof(out->data))
		limit = sizeof(out->data);
	/* the reply must also fit the link; RFC 2131 2: 576 at least */
	if (s->cfg.mtu >= DHCP_MIN_MAX_SIZE &&
	    limit > (size_t)s->cfg.mtu - DHCP_IPUDP_LEN)
		limit = s->cfg.mtu - DHCP_IPUDP_LEN;
	/* limit >= 548 > DHCP_BOOTP_MIN_LEN: cannot fail, nor can the
	 * mandatory options below */
	dhcp_build_start(&b, out->data, limit, m, type, ciaddr, yiaddr);
	dhcp_build_opt_ip(&b, DHCP_OPT_SERVER_ID, s->cfg.server_ip);
	if (lease) {
		/* RFC 2131 4.4.5: T1 0.5, T2 0.875 of the lease */
		dhcp_build_opt_u32(&b, DHCP_OPT_LEASE_TIME, lease);
		dhcp_build_opt_u32(&b, DHCP_OPT_RENEWAL, lease / 2);
		dhcp_build_opt_u32(&b, DHCP_OPT_REBINDING,
				   (uint32_t)((uint64_t)lease * 7 / 8));
	}
	if (type != DHCP_NAK)	/* RFC 2131 table 3: a NAK carries no more */
		put_config(s, &b, m, hostname);
	out->len = dhcp_build_end(&b);
	deliver(s, m, type, yiaddr, out);
	return 1;
}

static int nak(struct dhcp_server *s, const struct dhcp_msg *m,
	       struct dhcp_reply *out)
{
	s->st.naks++;
	return reply(s, m, DHCP_NAK, 0, 0, 0, NULL, out);
}

/* Lease to grant: the configured time, or less if the client asks less */
static uint32_t lease_secs(const struct dhcp_server *s,
			   const struct dhcp_msg *m)
{
	uint32_t t = s->cfg.lease_time;

	if ((m->have & DHCP_HAVE_LEASE_TIME) && m->lease_time < t)
		t = m->lease_time < DHCP_MIN_LEASE ? DHCP_MIN_LEASE :
						     m->lease_time;
	return t;
}

static const char *lease_hostname(const struct dhcp_server *s,
				  const struct dhcp_client *c)
{
	const struct dhcp_lease *l = dhcp_lease_find(s->leases, c);

	return l ? l->hostname : NULL;
}

/* RFC 2131 4.3.1: DISCOVER -> OFFER, or silence when nothing is free */
static int on_discover(struct dhcp_server *s, const struct dhcp_msg *m,
		       const struct dhcp_client *c, uint64_t now,
		       struct dhcp_reply *out)
{
	uint32_t req = (m->have & DHCP_HAVE_REQUESTED_IP) ? m->requested_ip : 0;
	uint32_t ip;

	if (dhcp_lease_offer(s->leases, c, req, now, &ip)) {
		s->st.refused++;
		return 0;
	}
	s->st.offers++;
	return reply(s, m, DHCP_OFFER, 0, ip, lease_secs(s, m),
		     lease_hostname(s, c), out);
}

/* Bind @ip and ACK, NAK when it is not the client's, silent when full */
static int ack_or_nak(struct dhcp_server *s, const struct dhcp_msg *m,
		      const struct dhcp_client *c, uint32_t ip, uint64_t now,
		      struct dhcp_reply *out)
{
	uint32_t secs = lease_secs(s, m);
	int r = dhcp_lease_bind(s->leases, c, ip, secs, now);

	if (r == -ENOSPC) {
		s->st.refused++;
		return 0;
	}
	if (r)
		return nak(s, m, out);
	s->st.acks++;
	return reply(s, m, DHCP_ACK, m->ciaddr, ip, secs, lease_hostname(s, c),
		     out);
}

/* RFC 2131 4.3.2: the four kinds of DHCPREQUEST */
static int on_request(struct dhcp_server *s, const struct dhcp_msg *m,
		      const struct dhcp_client *c, uint64_t now,
		      struct dhcp_reply *out)
{
	const struct dhcp_lease *l = dhcp_lease_find(s->leases, c);
	uint32_t ip;

	if (m->have & DHCP_HAVE_SERVER_ID) {
		/* SELECTING: the client answers one server's OFFER */
		if (m->server_id != s->cfg.server_ip) {
			/* it chose another server: our offer is free again */
			if (l && !l->is_static && l->state == DHCP_LEASE_OFFERED)
				dhcp_lease_release(s->leases, c, l->ip, now);
			s->st.ignored++;
			return 0;
		}
		if (!(m->have & DHCP_HAVE_REQUESTED_IP) || m->ciaddr) {
			s->st.ignored++;	/* MUST fill 50, MUST NOT ciaddr */
			return 0;
		}
		if (l && l->ip != m->requested_ip)
			return nak(s, m, out);	/* not what we offered */
		return ack_or_nak(s, m, c, m->requested_ip, now, out);
	}
	if (m->have & DHCP_HAVE_REQUESTED_IP) {
		/* INIT-REBOOT: a client verifying a remembered address */
		ip = m->requested_ip;
		if (!cidr4_contains(&s->cfg.subnet, ip))
			return nak(s, m, out);	/* wrong network */
		if (!l) {
			/* "If the DHCP server has no record of this client,
			 * then it MUST remain silent" */
			s->st.ignored++;
			return 0;
		}
		if (l->ip != ip)
			return nak(s, m, out);
		return ack_or_nak(s, m, c, ip, now, out);
	}
	if (m->ciaddr) {
		/* RENEWING (unicast) or REBINDING (broadcast): extend the
		 * lease on ciaddr after checking it is right for the client.
		 * Without a record the free address is granted: this server
		 * is the only one on its network. */
		ip = m->ciaddr;
		if (!cidr4_contains(&s->cfg.subnet, ip) || (l && l->ip != ip))
			return nak(s, m, out);
		return ack_or_nak(s, m, c, ip, now, out);
	}
	s->st.ignored++;	/* no address anywhere: not a valid REQUEST */
	return 0;
}

/* RFC 2131 4.3.3 / 4.3.4: DECLINE and RELEASE are never answered */
static int on_decline_release(struct dhcp_server *s, const struct dhcp_msg *m,
			      const struct dhcp_client *c, uint64_t now)
{
	if ((m->have & DHCP_HAVE_SERVER_ID) &&
	    m->server_id != s->cfg.server_ip) {
		s->st.ignored++;
		return 0;
	}
	if (m->type == DHCP_DECLINE) {
		/* the address in use is in option 50 */
		if ((m->have & DHCP_HAVE_REQUESTED_IP) &&
		    !dhcp_lease_decline(s->leases, c, m->requested_ip, now))
			s->st.declines++;
		else
			s->st.ignored++;
	} else {
		/* the released address is ciaddr */
		if (!dhcp_lease_release(s->leases, c, m->ciaddr, now))
			s->st.releases++;
		else
			s->st.ignored++;
	}
	return 0;
}

/* RFC 2131 4.3.5: INFORM -> ACK with configuration, no address, no lease */
static int on_inform(struct dhcp_server *s, const struct dhcp_msg *m,
		     const struct dhcp_client *c, struct dhcp_reply *out)
{
	if (m->ciaddr && !cidr4_contains(&s->cfg.subnet, m->ciaddr)) {
		s->st.ignored++;
		return 0;
	}
	s->st.informs++;
	return reply(s, m, DHCP_ACK, m->ciaddr, 0, 0, lease_hostname(s, c),
		     out);
}

int dhcp_server_input(struct dhcp_server *s, const uint8_t *payload,
		      size_t len, uint64_t now, struct dhcp_reply *out)
{
	struct dhcp_client c = { .id_len = 0 };
	struct dhcp_msg m;

	if (dhcp_msg_parse(payload, len, &m) || m.op != DHCP_BOOTREQUEST ||
	    !m.type) {
		s->st.malformed++;
		return -EBADMSG;
	}
	/* we serve Ethernet clients on our own subnet only: a request
	 * relayed from another subnet is not ours to answer */
	if (m.htype != DHCP_HTYPE_ETHER || m.hlen != 6 ||
	    (m.giaddr && !cidr4_contains(&s->cfg.subnet, m.giaddr))) {
		s->st.ignored++;
		return 0;
	}
	memcpy(c.mac, m.chaddr, 6);
	if (m.have & DHCP_HAVE_CLIENT_ID) {
		c.id_len = m.client_id_len;
		c.id = m.client_id;
	}
	switch (m.type) {
	case DHCP_DISCOVER:
		return on_discover(s, &m, &c, now, out);
	case DHCP_REQUEST:
		return on_request(s, &m, &c, now, out);
	case DHCP_DECLINE:
	case DHCP_RELEASE:
		return on_decline_release(s, &m, &c, now);
	case DHCP_INFORM:
		return on_inform(s, &m, &c, out);
	default:
		s->st.ignored++;	/* server-to-client types */
		return 0;
	}
}
