// SPDX-License-Identifier: MIT
/*
 * test_gw_services.c - the gateway's DHCP and DNS through a running switch
 *
 * Fake guests are socketpair "taps" as in test_vsw.c. Frames are built as
 * struct literals with correct checksums; replies are checked down to the
 * UDP checksum. Forwarding talks to a fake upstream: a UDP socket on
 * 127.0.0.1 owned by the test. Nothing leaves the loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "pkt/csum.h"
#include "dhcp/dhcp_msg.h"
#include "dns/dns_msg.h"
#include "pkt/frame.h"
#include "vswitch/vsw.h"
#include "gw_testlib.h"
#include "tap_testlib.h"

#define GW_IP	0x0a590001u	/* 10.89.0.1 */
#define NET	0x0a590000u
#define NOWAIT	100
#define WAIT	3000

static const uint8_t gw_mac[6] = { 0x02, 0x6d, 0x76, 0x00, 0x00, 0x01 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct guest {
	int fd;
	unsigned id;
	uint8_t mac[6];
	uint32_t ip;
};

struct env {
	struct vsw *sw;
	struct guest g[2];
	int up;			/* fake upstream resolver, or -1 */
	char upstream[32];
};

static struct vsw *make_switch(const char *name, uint32_t net)
{
	struct vsw *sw = NULL;

	sw = testlib_switch(name, net + 1, net, 0, gw_mac);
	return sw;
}

static void add_guest(struct vsw *sw, struct guest *g, unsigned n)
{
	g->fd = tap_attach(sw, "g/eth0", &g->id);
	memset(g->mac, 0, 6);
	g->mac[0] = 0x02;
	g->mac[5] = (uint8_t)(0x10 + n);
	g->ip = NET + 10 + n;
}

static void configure(struct vsw *sw, const char *domain, bool router,
		      const char *upstream)
{
	const char *ups[1] = { upstream };
	struct gw_services_config c = {
		.domain = domain, .dhcp = true, .dns = true, .router = router,
		.forward = upstream != NULL, .upstreams = ups,
		.n_upstreams = upstream ? 1 : 0, .timeout_ms = 300,
	};

	assert_int_equal(gw_services_configure(testlib_gw(sw), &c), 0);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	unsigned i;

	e->sw = make_switch("test", NET);
	for (i = 0; i < 2; i++)
		add_guest(e->sw, &e->g[i], i);
	e->up = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(e->up, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(e->up, (struct sockaddr *)&a, &al), 0);
	snprintf(e->upstream, sizeof(e->upstream), "127.0.0.1:%u",
		 ntohs(a.sin_port));
	configure(e->sw, "test.mvm", true, e->upstream);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	testlib_switch_destroy(e->sw);
	close(e->g[0].fd);
	close(e->g[1].fd);
	close(e->up);
	free(e);
	return 0;
}

static void send_vh(const struct guest *g, const struct virtio_net_hdr_v1 *vh,
		    const void *frame, size_t len)
{
	tap_send(g->fd, vh, frame, len);
}

static ssize_t recv_frame(const struct guest *g, uint8_t *buf, size_t size,
			  int ms)
{
	return tap_recv(g->fd, buf, size, ms);
}

/* a UDP/IPv4/Ethernet frame with correct checksums into @f */
static size_t build_udp(uint8_t *f, const uint8_t *dmac, const uint8_t *smac,
			uint32_t src, uint16_t sport, uint32_t dst,
			uint16_t dport, const void *data, size_t len)
{
	struct eth_hdr eh = { .type = htons(ETHTYPE_IP4) };
	struct ip4_hdr ip = {
		.ver_ihl = 0x45, .ttl = 64, .proto = IPPROTO_UDP_,
		.tot_len = htons((uint16_t)(28 + len)),
		.saddr = htonl(src), .daddr = htonl(dst),
	};
	struct udp_hdr u = {
		.sport = htons(sport), .dport = htons(dport),
		.len = htons((uint16_t)(8 + len)),
	};

	memcpy(eh.dst, dmac, 6);
	memcpy(eh.src, smac, 6);
	ip.check = frame_ip4_csum(&ip, sizeof(ip));
	memcpy(f, &eh, 14);
	memcpy(f + 14, &ip, 20);
	memcpy(f + 34, &u, 8);
	memcpy(f + 42, data, len);
	u.check = csum_fold(csum_partial(f + 34, 8 + len,
		csum_ip4_pseudo(ip.saddr, ip.daddr, IPPROTO_UDP_,
				(uint16_t)(8 + len))));
	memcpy(f + 34 + 6, &u.check, 2);
	return 42 + len;
}

/*
 * check a reply frame from the gateway: Ethernet source, IPv4 header
 * checksum, UDP checksum and ports; returns the UDP payload
 */
static const uint8_t *check_udp(const uint8_t *f, size_t len,
				const uint8_t *dmac, uint32_t dst,
				uint16_t sport, uint16_t dport, size_t *plen)
{
	struct frame_eth eth;
	struct frame_ip4 ip;
	struct frame_l4 udp;

	assert_int_equal(frame_parse_eth(f, len, &eth), 0);
	assert_memory_equal(eth.src, gw_mac, 6);
	assert_memory_equal(eth.dst, dmac, 6);
	assert_int_equal(eth.type, ETHTYPE_IP4);
	assert_int_equal(frame_parse_ip4(&eth, &ip), 0);
	assert_true(ip.csum_ok);
	assert_int_equal(ip.saddr, GW_IP);
	assert_int_equal(ip.daddr, dst);
	assert_int_equal(frame_parse_udp(&ip, &udp), 0);
	assert_int_equal(udp.sport, sport);
	assert_int_equal(udp.dport, dport);
	assert_int_equal(csum_fold(csum_partial(ip.l4.p, 8 + udp.data.left,
		csum_ip4_pseudo(htonl(ip.saddr), htonl(ip.daddr),
				IPPROTO_UDP_, (uint16_t)(8 + udp.data.left)))),
		0);
	*plen = udp.data.left;
	return udp.data.p;
}

/* the data of DHCP option @code in a reply, or NULL */
static const uint8_t *dhcp_opt(const uint8_t *p, size_t len, uint8_t code,
			       uint8_t *olen)
{
	size_t i = DHCP_MIN_LEN;

	while (i < len && p[i] != DHCP_OPT_END) {
		if (p[i] == DHCP_OPT_PAD) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + p[i + 1] > len)
			return NULL;
		if (p[i] == code) {
			*olen = p[i + 1];
			return p + i + 2;
		}
		i += 2u + p[i + 1];
	}
	return NULL;
}

static size_t build_discover(uint8_t *p, const uint8_t *mac, uint16_t flags)
{
	struct dhcp_hdr h = {
		.op = DHCP_BOOTREQUEST, .htype = 1, .hlen = 6,
		.xid = htonl(0x12345678), .flags = htons(flags),
	};
	uint32_t cookie = htonl(DHCP_MAGIC_COOKIE);
	static const uint8_t opts[] = { 53, 1, DHCP_DISCOVER,
		55, 6, 1, 3, 6, 15, 26, 119, 255 };

	memcpy(h.chaddr, mac, 6);
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &cookie, 4);
	memcpy(p + DHCP_MIN_LEN, opts, sizeof(opts));
	memset(p + DHCP_MIN_LEN + sizeof(opts), 0, 60);
	return DHCP_MIN_LEN + sizeof(opts) + 60;
}

static void test_dhcp_offer(void **state)
{
	struct env *e = *state;
	struct guest *g = &e->g[0];
	uint8_t msg[512], f[2048], olen;
	const uint8_t *p, *o;
	size_t len, plen;
	ssize_t n;
	uint32_t v;

	assert_false(gw_dhcp_ip_in_use(testlib_gw(e->sw), g->ip));
	assert_int_equal(gw_dhcp_static(testlib_gw(e->sw), g->mac, g->ip, "web", true), 0);
	assert_true(gw_dhcp_ip_in_use(testlib_gw(e->sw), g->ip));
	len = build_discover(msg, g->mac, 0);
	len = build_udp(f, bcast, g->mac, 0, 68, 0xffffffffu, 67, msg, len);
	send_vh(g, NULL, f, len);
	n = recv_frame(g, f, sizeof(f), WAIT);
	assert_true(n > 0);
	/* no broadcast flag: unicast to yiaddr at chaddr, without ARP */
	p = check_udp(f, (size_t)n, g->mac, g->ip, 67, 68, &plen);
	assert_true(plen >= DHCP_MIN_LEN);
	assert_int_equal(p[0], DHCP_BOOTREPLY);
	memcpy(&v, p + offsetof(struct dhcp_hdr, yiaddr), 4);
	assert_int_equal(ntohl(v), g->ip);
	o = dhcp_opt(p, plen, DHCP_OPT_MSG_TYPE, &olen);
	assert_non_null(o);
	assert_int_equal(o[0], DHCP_OFFER);
	o = dhcp_opt(p, plen, DHCP_OPT_ROUTER, &olen);
	assert_non_null(o);
	memcpy(&v, o, 4);
	assert_int_equal(ntohl(v), GW_IP);
	o = dhcp_opt(p, plen, DHCP_OPT_DNS, &olen);
	assert_non_null(o);
	o = dhcp_opt(p, plen, DHCP_OPT_DOMAIN, &olen);
	assert_non_null(o);
	assert_int_equal(olen, 8);
	assert_memory_equal(o, "test.mvm", 8);
	o = dhcp_opt(p, plen, DHCP_OPT_HOSTNAME, &olen);
	assert_non_null(o);
	assert_memory_equal(o, "web", 3);
	o = dhcp_opt(p, plen, DHCP_OPT_MTU, &olen);
	assert_non_null(o);
	assert_int_equal(o[0] << 8 | o[1], 1500);

	/* broadcast flag: broadcast reply; internal network: no router */
	configure(e->sw, "test.mvm", false, NULL);
	len = build_discover(msg, g->mac, DHCP_FLAG_BROADCAST);
	len = build_udp(f, bcast, g->mac, 0, 68, 0xffffffffu, 67, msg, len);
	send_vh(g, NULL, f, len);
	n = recv_frame(g, f, sizeof(f), WAIT);
	assert_true(n > 0);
	p = check_udp(f, (size_t)n, bcast, 0xffffffffu, 67, 68, &plen);
	memcpy(&v, p + offsetof(struct dhcp_hdr, yiaddr), 4);
	assert_int_equal(ntohl(v), g->ip);	/* the static lease survived */
	assert_null(dhcp_opt(p, plen, DHCP_OPT_ROUTER, &olen));

	/* a wrong UDP checksum is dropped, unless the sender offloaded it */
	len = build_discover(msg, g->mac, 0);
	len = build_udp(f, bcast, g->mac, 0, 68, 0xffffffffu, 67, msg, len);
	f[41] ^= 0x55;
	send_vh(g, NULL, f, len);
	assert_int_equal(recv_frame(g, f + 1024, 1024, NOWAIT), -1);
	{
		struct virtio_net_hdr_v1 vh = {
			.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.csum_start = 34, .csum_offset = 6,
		};

		send_vh(g, &vh, f, len);
		assert_true(recv_frame(g, f, sizeof(f), WAIT) > 0);
	}
}

/* a DNS query for @name (dotted) of @type into @p */
static size_t build_query(uint8_t *p, uint16_t id, const char *name,
			  uint16_t type)
{
	struct dns_hdr h = { .id = htons(id), .flags = htons(DNS_F_RD),
			     .qdcount = htons(1) };
	size_t n = sizeof(h);
	const char *s = name;

	memcpy(p, &h, sizeof(h));
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		p[n++] = (uint8_t)l;
		memcpy(p + n, s, l);
		n += l;
		s += l + (dot ? 1 : 0);
	}
	p[n++] = 0;
	p[n++] = 0;
	p[n++] = (uint8_t)type;
	p[n++] = 0;
	p[n++] = DNS_C_IN;
	return n;
}

/* ask the gateway as @g; returns the rcode, the answer's first A in @a */
static int ask(const struct guest *g, const char *name, uint16_t type,
	       uint32_t *a, uint16_t *ancount)
{
	uint8_t q[512], f[2048];
	const uint8_t *p;
	size_t len, plen;
	ssize_t n;

	len = build_query(q, 0x4242, name, type);
	len = build_udp(f, gw_mac, g->mac, g->ip, 40000, GW_IP, 53, q, len);
	send_vh(g, NULL, f, len);
	n = recv_frame(g, f, sizeof(f), WAIT);
	if (n < 0)
		return -1;
	p = check_udp(f, (size_t)n, g->mac, g->ip, 53, 40000, &plen);
	assert_true(plen >= 12);
	assert_int_equal(p[0] << 8 | p[1], 0x4242);
	assert_true(p[2] & 0x80);	/* QR */
	*ancount = (uint16_t)(p[6] << 8 | p[7]);
	if (*ancount && type == DNS_T_A) {
		/* last 4 bytes of the first (only) A record */
		memcpy(a, p + plen - 4, 4);
		*a = ntohl(*a);
	}
	return p[3] & 0x0f;
}

static void test_dns_answer(void **state)
{
	struct env *e = *state;
	const char *alias[] = { "www" };
	uint32_t a = 0;
	uint16_t an;

	assert_int_equal(gw_dns_owner_add(testlib_gw(e->sw), NULL, 1, "web", alias, 1,
					   e->g[0].ip), 0);
	assert_int_equal(ask(&e->g[1], "web.test.mvm", DNS_T_A, &a, &an), 0);
	assert_int_equal(an, 1);
	assert_int_equal(a, e->g[0].ip);
	assert_int_equal(ask(&e->g[1], "web", DNS_T_A, &a, &an), 0);
	assert_int_equal(a, e->g[0].ip);
	assert_int_equal(ask(&e->g[1], "WWW", DNS_T_A, &a, &an), 0);
	assert_int_equal(ask(&e->g[1], "web", DNS_T_AAAA, &a, &an), 0);
	assert_int_equal(an, 0);		/* NODATA */
	assert_int_equal(ask(&e->g[1], "nope.test.mvm", DNS_T_A, &a, &an),
			 DNS_R_NXDOMAIN);
	assert_int_equal(gw_dns_owner_remove(testlib_gw(e->sw), NULL, 1), 0);
	/* (a bare name nobody has would be forwarded: ask the FQDN) */
	assert_int_equal(ask(&e->g[1], "web.test.mvm", DNS_T_A, &a, &an),
			 DNS_R_NXDOMAIN);
}

/* names of another network are seen only by its guests (views) */
static void test_dns_views(void **state)
{
	struct env *e = *state;
	struct vsw *b = make_switch("other", 0x0a5a0000u);
	uint32_t a = 0, db = 0x0a5a0007u;
	uint16_t an;

	configure(b, "other.mvm", true, NULL);
	assert_int_equal(gw_dns_owner_add(testlib_gw(b), NULL, 7, "db", NULL, 0, db), 0);
	assert_int_equal(gw_dns_owner_add(testlib_gw(e->sw), NULL, 1, "web", NULL, 0,
					   e->g[0].ip), 0);
	/* g0 is on both networks: mvmd replicates "other" into this switch */
	assert_int_equal(gw_dns_view_add(testlib_gw(e->sw), e->g[0].ip, "other.mvm",
					  0x0a5a0000u, 24), 1);
	assert_int_equal(gw_dns_view_add(testlib_gw(e->sw), e->g[0].ip, "other.mvm",
					  0x0a5a0000u, 24), 0);
	assert_int_equal(gw_dns_owner_add(testlib_gw(e->sw), "other.mvm", 7, "db", NULL,
					   0, db), 0);
	assert_int_equal(gw_dns_owner_add(testlib_gw(e->sw), "third.mvm", 7, "db", NULL,
					   0, db), -ENOENT);

	assert_int_equal(ask(&e->g[0], "db.other.mvm", DNS_T_A, &a, &an), 0);
	assert_int_equal(a, db);
	assert_int_equal(ask(&e->g[0], "db", DNS_T_A, &a, &an), 0);
	assert_int_equal(ask(&e->g[0], "web", DNS_T_A, &a, &an), 0);
	assert_int_equal(a, e->g[0].ip);
	/* g1 is only on this network */
	assert_int_equal(ask(&e->g[1], "db.other.mvm", DNS_T_A, &a, &an),
			 DNS_R_NXDOMAIN);
	configure(e->sw, "test.mvm", true, NULL);	/* bare: not forwarded */
	assert_int_equal(ask(&e->g[1], "db", DNS_T_A, &a, &an),
			 DNS_R_REFUSED);
	/* g0 leaves the other network: the replica goes */
	assert_int_equal(gw_dns_view_remove(testlib_gw(e->sw), e->g[0].ip), 1);
	assert_int_equal(ask(&e->g[0], "db.other.mvm", DNS_T_A, &a, &an),
			 DNS_R_NXDOMAIN);
	assert_int_equal(gw_dns_owner_add(testlib_gw(e->sw), "other.mvm", 8, "x", NULL,
					   0, db), -ENOENT);
	testlib_switch_destroy(b);
}

static uint16_t stat_dns(struct vsw *sw, const char *key)
{
	struct json_object *o = testlib_stats(sw), *d, *v;
	int64_t r = -1;

	if (json_object_object_get_ex(o, "dns", &d) &&
	    json_object_object_get_ex(d, key, &v))
		r = json_object_get_int64(v);
	json_object_put(o);
	return (uint16_t)r;
}

static void test_dns_forward(void **state)
{
	struct env *e = *state;
	struct guest *g = &e->g[0];
	uint8_t q[512], f[2048], up[512];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct pollfd pfd = { .fd = e->up, .events = POLLIN };
	const uint8_t *p;
	size_t len, plen;
	ssize_t n, ql;
	uint16_t uid;

	len = build_query(q, 0x1111, "example.com", DNS_T_A);
	len = build_udp(f, gw_mac, g->mac, g->ip, 40001, GW_IP, 53, q, len);
	send_vh(g, NULL, f, len);
	assert_int_equal(poll(&pfd, 1, WAIT), 1);
	ql = recvfrom(e->up, up, sizeof(up), 0, (struct sockaddr *)&from, &fl);
	assert_true(ql > 12);
	uid = (uint16_t)(up[0] << 8 | up[1]);
	/* same question; the ID is ours, not the client's (random: retry
	 * the comparison of everything else) */
	assert_memory_equal(up + 2, q + 2, (size_t)ql - 2);

	/* a reply with another ID is dropped */
	up[2] |= 0x80;
	up[0] ^= 0xff;
	sendto(e->up, up, (size_t)ql, 0, (struct sockaddr *)&from, fl);
	assert_int_equal(recv_frame(g, f, sizeof(f), NOWAIT), -1);
	up[0] ^= 0xff;
	sendto(e->up, up, (size_t)ql, 0, (struct sockaddr *)&from, fl);
	n = recv_frame(g, f, sizeof(f), WAIT);
	assert_true(n > 0);
	p = check_udp(f, (size_t)n, g->mac, g->ip, 53, 40001, &plen);
	assert_int_equal(plen, (size_t)ql);
	assert_int_equal(p[0] << 8 | p[1], 0x1111);
	assert_int_equal(stat_dns(e->sw, "forwarded"), 1);
	(void)uid;

	/* nobody answers: SERVFAIL after the timeout (300 ms here) */
	len = build_query(q, 0x2222, "example.org", DNS_T_A);
	len = build_udp(f, gw_mac, g->mac, g->ip, 40002, GW_IP, 53, q, len);
	send_vh(g, NULL, f, len);
	n = recv_frame(g, f, sizeof(f), WAIT);
	assert_true(n > 0);
	p = check_udp(f, (size_t)n, g->mac, g->ip, 53, 40002, &plen);
	assert_int_equal(p[0] << 8 | p[1], 0x2222);
	assert_int_equal(p[3] & 0x0f, DNS_R_SERVFAIL);
	assert_int_equal(stat_dns(e->sw, "timeouts"), 1);
	assert_int_equal(stat_dns(e->sw, "pending"), 0);
	while (recv(e->up, up, sizeof(up), MSG_DONTWAIT) > 0)
		;
}

/* a TCP listener on the fake upstream's address and port */
static int tcp_upstream(const struct env *e)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(getsockname(e->up, (struct sockaddr *)&a, &al), 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* the guest asks @name (with an OPT RR of @edns bytes unless 0; with
 * @do_cookie, the DO bit and a client cookie in it); the fake upstream
 * answers over UDP with an empty TC=1 reply; returns the query as the
 * upstream got it, which is copied to @sent unless NULL */
static size_t ask_truncated(struct env *e, uint16_t id, const char *name,
			    uint16_t edns, bool do_cookie, uint8_t *q,
			    uint8_t *sent)
{
	struct guest *g = &e->g[0];
	struct pollfd pfd = { .fd = e->up, .events = POLLIN };
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	uint8_t f[2048], up[512];
	size_t len;
	ssize_t ql;

	len = build_query(q, id, name, DNS_T_A);
	if (edns) {
		const uint8_t opt[11] = { 0, 0, 41, (uint8_t)(edns >> 8),
					  (uint8_t)edns, 0, 0, 0, 0, 0, 0 };

		/* RFC 7873 4.1: COOKIE, a client cookie of 8 bytes */
		static const uint8_t cookie[12] = { 0, 10, 0, 8, 0xc0, 0x0c,
			0x1e, 0xca, 0xfe, 0xf0, 0x0d, 0x42 };

		q[11] = 1;	/* ARCOUNT */
		memcpy(q + len, opt, sizeof(opt));
		if (do_cookie) {
			q[len + 7] = 0x80;		/* DO (RFC 3225) */
			q[len + 10] = sizeof(cookie);	/* RDLEN */
			memcpy(q + len + sizeof(opt), cookie, sizeof(cookie));
			len += sizeof(cookie);
		}
		len += sizeof(opt);
	}
	len = build_udp(f, gw_mac, g->mac, g->ip, 40010, GW_IP, 53, q, len);
	send_vh(g, NULL, f, len);
	assert_int_equal(poll(&pfd, 1, WAIT), 1);
	ql = recvfrom(e->up, up, sizeof(up), 0, (struct sockaddr *)&from, &fl);
	assert_true(ql > 12);
	if (sent)
		memcpy(sent, up, (size_t)ql);
	up[2] = 0x83;		/* QR, TC, RD */
	up[3] = 0x80;		/* RA */
	sendto(e->up, up, (size_t)ql, 0, (struct sockaddr *)&from, fl);
	return (size_t)ql;
}

/* accept the gateway's TCP retry, read its query into @qbuf; the socket */
static int tcp_accept_query(int lfd, uint8_t *qbuf, size_t *qlen)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	uint8_t hdr[2];
	size_t got = 0;
	int fd;

	assert_int_equal(poll(&pfd, 1, WAIT), 1);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	assert_int_equal(recv(fd, hdr, 2, MSG_WAITALL), 2);
	*qlen = (size_t)(hdr[0] << 8 | hdr[1]);
	assert_true(*qlen > 12 && *qlen < 512);
	while (got < *qlen) {
		ssize_t r = recv(fd, qbuf + got, *qlen - got, 0);

		assert_true(r > 0);
		got += (size_t)r;
	}
	return fd;
}

/* answer query @qb over TCP with @n A records */
static size_t tcp_answer(int fd, const uint8_t *qb, size_t ql, unsigned n)
{
	uint8_t r[2048];
	size_t qend = 12, len;
	unsigned i;

	while (qb[qend])
		qend += 1u + qb[qend];
	qend += 5;
	memcpy(r + 2, qb, qend);
	r[2 + 2] = 0x81;	/* QR, RD */
	r[2 + 3] = 0x80;
	r[2 + 6] = 0;
	r[2 + 7] = (uint8_t)n;	/* ANCOUNT */
	r[2 + 10] = r[2 + 11] = 0;	/* no OPT back */
	len = qend;
	for (i = 0; i < n; i++) {
		const uint8_t rr[16] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60,
					 0, 4, 192, 0, 2, (uint8_t)i };

		memcpy(r + 2 + len, rr, sizeof(rr));
		len += sizeof(rr);
	}
	(void)ql;
	r[0] = (uint8_t)(len >> 8);
	r[1] = (uint8_t)len;
	assert_int_equal(send(fd, r, len + 2, 0), (ssize_t)(len + 2));
	return len;
}

static void test_dns_forward_tcp(void **state)
{
	struct env *e = *state;
	struct guest *g = &e->g[0];
	uint8_t q[512], tq[512], f[2048], sent[512];
	const uint8_t *p;
	size_t plen, tl, full, ql;
	ssize_t n;
	int lfd = tcp_upstream(e), fd;

	/* EDNS 4096: the whole TCP answer (40 records, 669 bytes) */
	ql = ask_truncated(e, 0x3333, "big.example", 4096, false, q, sent);
	fd = tcp_accept_query(lfd, tq, &tl);
	/* the same question, with the ID sent over UDP, RD, and an OPT */
	assert_int_equal(tq[2] & 0x81, 0x01);
	assert_memory_equal(tq + 12, q + 12, 17);	/* \3big\7example A IN */
	assert_int_equal(tq[11], 1);
	/* the client's query itself, as it went out over UDP */
	assert_int_equal(tl, ql);
	assert_memory_equal(tq, sent, ql);
	full = tcp_answer(fd, tq, tl, 40);
	n = recv_frame(g, f, sizeof(f), WAIT);
	assert_true(n > 0);
	p = check_udp(f, (size_t)n, g->mac, g->ip, 53, 40010, &plen);
	assert_int_equal(plen, full);
	assert_int_equal(p[0] << 8 | p[1], 0x3333);
	assert_int_equal(p[2] & 0x02, 0);		/* not truncated */
	assert_int_equal(p[7], 40);
	close(fd);
	assert_int_equal(stat_dns(e->sw, "tcp_fallbacks"), 1);

	/* DO and a cookie: the retry repeats them (the client's own bytes) */
	ql = ask_truncated(e, 0x3434, "signed.example", 1232, true, q, sent);
	fd = tcp_accept_query(lfd, tq, &tl);
	assert_int_equal(tl, ql);
	assert_memory_equal(tq, sent, ql);
	assert_int_equal(tq[tl - 23 + 7] & 0x80, 0x80);		/* DO */
	assert_memory_equal(tq + tl - 12, "\0\12\0\10\xc0\x0c\x1e\xca", 8);
	assert_int_equal(tq[0] << 8 | tq[1], sent[0] << 8 | sent[1]);
	tcp_answer(fd, tq, tl, 1);
	n = recv_frame(g, f, sizeof(f), WAIT);
	assert_true(n > 0);
	p = check_udp(f, (size_t)n, g->mac, g->ip, 53, 40010, &plen);
	assert_int_equal(p[0] << 8 | p[1], 0x3434);
	assert_int_equal(p[7], 1);
	close(fd);

	/* no EDNS: 512 bytes at most, so an empty answer with TC=1 */
	ask_truncated(e, 0x4444, "big.example", 0, false, q, NULL);
	fd = tcp_accept_query(lfd, tq, &tl);
	assert_int_equal(tq[11], 0);			/* no OPT */
	tcp_answer(fd, tq, tl, 40);
	n = recv_frame(g, f, sizeof(f), WAIT);
	assert_true(n > 0);
	p = check_udp(f, (size_t)n, g->mac, g->ip, 53, 40010, &plen);
	assert_true(plen <= 512);
	assert_int_equal(p[0] << 8 | p[1], 0x4444);
	assert_int_equal(p[2] & 0x02, 0x02);		/* TC */
	assert_int_equal(p[3] & 0x0f, DNS_R_NOERROR);
	assert_int_equal(p[7], 0);
	close(fd);

	/* a small answer over TCP fits 512: relayed whole */
	ask_truncated(e, 0x5555, "small.example", 0, false, q, NULL);
	fd = tcp_accept_query(lfd, tq, &tl);
	full = tcp_answer(fd, tq, tl, 2);
	n = recv_frame(g, f, sizeof(f), WAIT);
	assert_true(n > 0);
	p = check_udp(f, (size_t)n, g->mac, g->ip, 53, 40010, &plen);
	assert_int_equal(plen, full);
	assert_int_equal(p[7], 2);
	close(fd);

	/* the upstream accepts and never answers: SERVFAIL on time */
	ask_truncated(e, 0x6666, "mute.example", 0, false, q, NULL);
	fd = tcp_accept_query(lfd, tq, &tl);
	n = recv_frame(g, f, sizeof(f), WAIT);
	assert_true(n > 0);
	p = check_udp(f, (size_t)n, g->mac, g->ip, 53, 40010, &plen);
	assert_int_equal(p[0] << 8 | p[1], 0x6666);
	assert_int_equal(p[3] & 0x0f, DNS_R_SERVFAIL);
	close(fd);

	/* the upstream closes half-way through its answer: SERVFAIL at once */
	ask_truncated(e, 0x7777, "cut.example", 0, false, q, NULL);
	fd = tcp_accept_query(lfd, tq, &tl);
	assert_int_equal(send(fd, "\x02\x00\x12", 3, 0), 3);
	close(fd);
	n = recv_frame(g, f, sizeof(f), 250);	/* before the 300 ms timeout */
	assert_true(n > 0);
	p = check_udp(f, (size_t)n, g->mac, g->ip, 53, 40010, &plen);
	assert_int_equal(p[0] << 8 | p[1], 0x7777);
	assert_int_equal(p[3] & 0x0f, DNS_R_SERVFAIL);
	assert_int_equal(stat_dns(e->sw, "tcp_fallbacks"), 6);
	assert_int_equal(stat_dns(e->sw, "tcp_fallbacks_rebuilt"), 0);
	assert_int_equal(stat_dns(e->sw, "timeouts"), 1);
	assert_int_equal(stat_dns(e->sw, "pending"), 0);
	close(lfd);
}

/* host.mvm.internal: the configured address, or nothing at all */
static void test_host_internal(void **state)
{
	struct env *e = *state;
	const char *ups[1] = { e->upstream };
	struct gw_services_config c = {
		.domain = "test.mvm", .dhcp = true, .dns = true, .router = true,
		.forward = true, .upstreams = ups, .n_upstreams = 1,
		.host_addr = GW_IP,
	};
	uint32_t a = 0;
	uint16_t an;

	assert_int_equal(ask(&e->g[0], "host.mvm.internal", DNS_T_A, &a, &an),
			 DNS_R_NXDOMAIN);
	assert_int_equal(gw_services_configure(testlib_gw(e->sw), &c), 0);
	assert_int_equal(ask(&e->g[0], "Host.MVM.internal", DNS_T_A, &a, &an),
			 DNS_R_NOERROR);
	assert_int_equal(an, 1);
	assert_int_equal(a, GW_IP);
	assert_int_equal(ask(&e->g[0], "host.mvm.internal", DNS_T_AAAA, &a,
			     &an), DNS_R_NOERROR);
	assert_int_equal(an, 0);			/* NODATA */
	/* host access off again (an internal network): gone, not forwarded */
	c.host_addr = 0;
	c.forward = false;
	c.n_upstreams = 0;
	assert_int_equal(gw_services_configure(testlib_gw(e->sw), &c), 0);
	assert_int_equal(ask(&e->g[0], "host.mvm.internal", DNS_T_A, &a, &an),
			 DNS_R_NXDOMAIN);
}

static void test_no_forward_internal(void **state)
{
	struct env *e = *state;
	uint32_t a;
	uint16_t an;

	configure(e->sw, "test.mvm", false, NULL);
	assert_int_equal(ask(&e->g[0], "example.com", DNS_T_A, &a, &an),
			 DNS_R_REFUSED);
}

static void test_tcp_reset(void **state)
{
	struct env *e = *state;
	struct guest *g = &e->g[0];
	struct eth_hdr eh = { .type = htons(ETHTYPE_IP4) };
	struct ip4_hdr ip = {
		.ver_ihl = 0x45, .ttl = 64, .proto = IPPROTO_TCP_,
		.tot_len = htons(40), .saddr = htonl(g->ip),
		.daddr = htonl(GW_IP),
	};
	struct tcp_hdr t = {
		.sport = htons(40000), .dport = htons(53),
		.seq = htonl(1000), .doff = 5 << 4, .flags = 0x02,
		.win = htons(65535),
	};
	uint8_t f[2048];
	struct frame_eth fe;
	struct frame_ip4 fi;
	struct frame_l4 ft;
	ssize_t n;

	memcpy(eh.dst, gw_mac, 6);
	memcpy(eh.src, g->mac, 6);
	ip.check = frame_ip4_csum(&ip, sizeof(ip));
	t.check = csum_fold(csum_partial(&t, sizeof(t), csum_ip4_pseudo(
		ip.saddr, ip.daddr, IPPROTO_TCP_, sizeof(t))));
	memcpy(f, &eh, 14);
	memcpy(f + 14, &ip, 20);
	memcpy(f + 34, &t, 20);
	send_vh(g, NULL, f, 54);
	n = recv_frame(g, f, sizeof(f), WAIT);
	assert_true(n > 0);
	assert_int_equal(frame_parse_eth(f, (size_t)n, &fe), 0);
	assert_int_equal(frame_parse_ip4(&fe, &fi), 0);
	assert_int_equal(frame_parse_tcp(&fi, &ft), 0);
	assert_int_equal(ft.flags, 0x14);	/* RST|ACK */
	assert_int_equal(csum_fold(csum_partial(fi.l4.p, 20, csum_ip4_pseudo(
		htonl(fi.saddr), htonl(fi.daddr), IPPROTO_TCP_, 20))), 0);
	assert_int_equal(ntohl(((const struct tcp_hdr *)fi.l4.p)->ack), 1001);
}

static void test_leases_export(void **state)
{
	struct env *e = *state;
	struct json_object *o = NULL;

	assert_int_equal(gw_leases_export(testlib_gw(e->sw), &o), 0);
	assert_non_null(o);
	assert_true(gw_leases_import(testlib_gw(e->sw), o) >= 0);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dhcp_offer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dns_answer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dns_views, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dns_forward, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dns_forward_tcp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_host_internal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_forward_internal,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_reset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_leases_export, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
