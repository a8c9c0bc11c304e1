// SPDX-License-Identifier: MIT
/*
 * test_gw_nat_pub.c - published ports through a running switch
 *
 * A real switch (vsw_create) with services and the NAT; the guest is a
 * socketpair "tap" as in test_vsw.c, driven by a tiny scripted TCP peer:
 * the test reads the frames the gateway sends it (parsed with the engine's
 * own nat_tcp_parse(), which checks the TCP checksum) and answers with
 * segments built by nat_tcp_build(). The published socket is a real
 * listening socket on 127.0.0.1 and the clients real connect()s to it, so
 * everything but the guest's kernel is the production path:
 * gw_publish_add() -> epoll -> accept4() -> nat_tcp_open() -> SYN at the
 * port -> SYN-ACK -> data both ways -> gw_publish_remove() resets.
 * Nothing leaves the loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "pkt/csum.h"
#include "nat/nat_tcp.h"
#include "pkt/frame.h"
#include "vswitch/vsw.h"
#include "gw_testlib.h"
#include "tap_testlib.h"

#define NET		0x0a590000u	/* 10.89.0.0/24 */
#define GW_IP		(NET + 1)
#define GUEST_IP	(NET + 10)
#define GUEST_PORT	8080
#define G_ISN		0x12345678u
#define WAIT		3000
#define OTHER_IP	0xc0000201u	/* 192.0.2.1: a non-loopback client */

static bool have_other;	/* OTHER_IP is a local address (own netns) */

static const uint8_t gw_mac[6] = { 0x02, 0x6d, 0x76, 0x00, 0x00, 0x01 };
static const uint8_t g_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x10 };

struct env {
	struct vsw *sw;
	int g;			/* the guest's end of its tap */
	int lfd;		/* the published listener (until handed over) */
	uint16_t port;		/* its port on 127.0.0.1 */
};

static int listener(int type, uint16_t *port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct gw_services_config sc = { .dhcp = true, .dns = true };
	struct gw_nat_config nc = { .egress = false, .host_access = false };
	unsigned id;

	e->sw = testlib_switch("pub", GW_IP, NET, 0, gw_mac);
	e->g = tap_attach(e->sw, "g/eth0", &id);
	assert_int_equal(gw_services_configure(testlib_gw(e->sw), &sc), 0);
	/*
	 * Let the switch thread settle in epoll_wait() first: it computes
	 * its timeout (gw_timeout_ms() -> gw_nat_timeout_ms()) outside the
	 * switch lock, and a NAT being configured meanwhile has no flow
	 * table yet (NULL dereference; reported, vsw.c is not this test's).
	 */
	usleep(100000);
	assert_int_equal(gw_nat_configure(testlib_gw(e->sw), &nc), 0);
	e->lfd = listener(SOCK_STREAM, &e->port);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	testlib_switch_destroy(e->sw);
	close(e->g);
	if (e->lfd >= 0)
		close(e->lfd);
	free(e);
	return 0;
}

static struct gw_publish pub_of(struct env *e, uint32_t owner)
{
	struct gw_publish p = {
		.proto = IPPROTO_TCP, .fd = e->lfd,
		.host_ip = INADDR_LOOPBACK, .host_port = e->port,
		.guest_ip = GUEST_IP, .guest_port = GUEST_PORT,
		.owner = owner,
	};
	return p;
}

static void publish(struct env *e)
{
	struct gw_publish p = pub_of(e, 1);

	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), 0);
	e->lfd = -1;		/* the switch's now */
}

/* ---- the guest's side ---- */

static void guest_send(struct env *e, const void *frame, size_t len)
{
	tap_send(e->g, NULL, frame, len);
}

/* the next TCP segment to the guest within @ms, parsed; false if none */
static bool guest_recv(struct env *e, struct nat_seg *s, uint8_t *buf,
		       size_t size, int ms)
{
	struct frame_eth eth;
	struct frame_ip4 ip;
	struct frame_l4 l4;
	ssize_t n;

	for (;;) {
		n = tap_recv(e->g, buf, size, ms);
		if (n < 14)
			return false;
		if (frame_parse_eth(buf, (size_t)n, &eth) ||
		    eth.type != ETHTYPE_IP4 || frame_parse_ip4(&eth, &ip) ||
		    ip.proto != IPPROTO_TCP_)
			continue;	/* not for the TCP peer */
		assert_memory_equal(eth.src, gw_mac, 6);
		assert_memory_equal(eth.dst, g_mac, 6);
		assert_true(ip.csum_ok);
		assert_int_equal(frame_parse_tcp(&ip, &l4), 0);
		assert_int_equal(nat_tcp_parse(&ip, &l4, false, s), 0);
		return true;
	}
}

/* a segment from the guest (addresses reversed from @to, which it answers) */
static void guest_seg(struct env *e, const struct nat_seg *to, uint8_t flags,
		      uint32_t seq, uint32_t ack, const char *data)
{
	uint8_t f[14 + NAT_TCP_HDR_MAX + 256];
	struct eth_hdr eh = { .type = htons(ETHTYPE_IP4) };
	struct nat_seg s = {
		.saddr = to->daddr, .sport = to->dport,
		.daddr = to->saddr, .dport = to->sport,
		.seq = seq, .ack = ack, .flags = flags, .win = 65535,
		.wscale = -1,
		.data = (const uint8_t *)data, .len = data ? strlen(data) : 0,
	};
	ssize_t n;

	if (flags & NAT_TCP_SYN) {
		s.mss = 1400;
		s.wscale = 2;
	}
	memcpy(eh.dst, gw_mac, 6);
	memcpy(eh.src, g_mac, 6);
	memcpy(f, &eh, 14);
	n = nat_tcp_build(&s, 1, f + 14, sizeof(f) - 14);
	assert_true(n > 0);
	guest_send(e, f, 14 + (size_t)n);
}

/* the guest says something the NAT learns its MAC from: a ping to us */
static void guest_hello(struct env *e)
{
	uint8_t f[14 + 20 + 8];
	struct eth_hdr eh = { .type = htons(ETHTYPE_IP4) };
	struct ip4_hdr ip = {
		.ver_ihl = 0x45, .ttl = 64, .proto = IPPROTO_ICMP_,
		.tot_len = htons(28), .saddr = htonl(GUEST_IP),
		.daddr = htonl(GW_IP),
	};
	uint8_t icmp[8] = { 8, 0, 0, 0, 0, 1, 0, 1 };
	uint16_t c;

	memcpy(eh.dst, gw_mac, 6);
	memcpy(eh.src, g_mac, 6);
	ip.check = frame_ip4_csum(&ip, sizeof(ip));
	c = csum_fold(csum_partial(icmp, 8, 0));
	memcpy(icmp + 2, &c, 2);
	memcpy(f, &eh, 14);
	memcpy(f + 14, &ip, 20);
	memcpy(f + 34, icmp, 8);
	guest_send(e, f, sizeof(f));
}

/* ---- the client's side ---- */

static int client(struct env *e)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET, .sin_port = htons(e->port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	return ntohs(a.sin_port);
}

/* what recv() on @fd ends with within @ms: bytes, 0 (EOF) or -errno */
static ssize_t client_recv(int fd, char *buf, size_t size, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return -ETIMEDOUT;
	n = recv(fd, buf, size, MSG_DONTWAIT);
	return n < 0 ? -errno : n;
}

static int64_t nat_stat(struct vsw *sw, const char *key)
{
	struct json_object *o = testlib_stats(sw), *n, *v;
	int64_t r = -1;

	if (json_object_object_get_ex(o, "nat", &n) &&
	    json_object_object_get_ex(n, key, &v))
		r = json_object_get_int64(v);
	json_object_put(o);
	return r;
}

/* ---- tests ---- */

/* a connection from the host's loopback reaches the guest, both ways */
static void test_pub_tcp(void **state)
{
	struct env *e = *state;
	uint8_t buf[2048];
	struct nat_seg s, syn;
	char rb[64];
	int c;

	guest_hello(e);
	publish(e);
	c = client(e);
	/* the SYN toward the guest: from the gateway (loopback client) */
	assert_true(guest_recv(e, &syn, buf, sizeof(buf), WAIT));
	assert_int_equal(syn.flags, NAT_TCP_SYN);
	assert_int_equal(syn.saddr, GW_IP);
	assert_int_equal(syn.sport, local_port(c));
	assert_int_equal(syn.daddr, GUEST_IP);
	assert_int_equal(syn.dport, GUEST_PORT);
	assert_int_equal(syn.mss, 1460);
	assert_int_equal(syn.wscale, 7);

	/* data the client sends before the guest answers is not lost */
	assert_int_equal(send(c, "hello", 5, 0), 5);
	usleep(50000);
	guest_seg(e, &syn, NAT_TCP_SYN | NAT_TCP_ACK, G_ISN, syn.seq + 1,
		  NULL);
	assert_true(guest_recv(e, &s, buf, sizeof(buf), WAIT));
	assert_int_equal(s.flags & NAT_TCP_ACK, NAT_TCP_ACK);
	assert_int_equal(s.ack, G_ISN + 1);
	assert_int_equal(s.seq, syn.seq + 1);
	if (!s.len)	/* the ACK alone first, then the data */
		assert_true(guest_recv(e, &s, buf, sizeof(buf), WAIT));
	assert_int_equal(s.len, 5);
	assert_memory_equal(s.data, "hello", 5);

	/* guest -> client, acknowledging the client's bytes */
	guest_seg(e, &syn, NAT_TCP_ACK | NAT_TCP_PSH, G_ISN + 1,
		  syn.seq + 1 + 5, "world");
	assert_int_equal(client_recv(c, rb, sizeof(rb), WAIT), 5);
	assert_memory_equal(rb, "world", 5);
	assert_true(guest_recv(e, &s, buf, sizeof(buf), WAIT));
	assert_int_equal(s.ack, G_ISN + 1 + 5);
	assert_int_equal(nat_stat(e->sw, "published_accepted"), 1);

	/* the publication goes: the guest and the client see resets */
	assert_int_equal(gw_publish_remove(testlib_gw(e->sw), 2), 0);
	assert_int_equal(gw_publish_remove(testlib_gw(e->sw), 1), 1);
	assert_true(guest_recv(e, &s, buf, sizeof(buf), WAIT));
	assert_int_equal(s.flags & NAT_TCP_RST, NAT_TCP_RST);
	assert_int_equal(s.seq, syn.seq + 1 + 5);
	assert_int_equal(client_recv(c, rb, sizeof(rb), WAIT), -ECONNRESET);
	close(c);
	/* and the port is closed */
	{
		struct sockaddr_in a = {
			.sin_family = AF_INET, .sin_port = htons(e->port),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		};
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		assert_int_equal(connect(fd, (struct sockaddr *)&a,
					 sizeof(a)), -1);
		assert_int_equal(errno, ECONNREFUSED);
		close(fd);
	}
	assert_int_equal(gw_publish_remove(testlib_gw(e->sw), 1), 0);
}

/* nothing listens in the guest: its RST resets the client */
static void test_pub_guest_refuses(void **state)
{
	struct env *e = *state;
	uint8_t buf[2048];
	struct nat_seg syn;
	char rb[8];
	int c;

	guest_hello(e);
	publish(e);
	c = client(e);
	assert_true(guest_recv(e, &syn, buf, sizeof(buf), WAIT));
	guest_seg(e, &syn, NAT_TCP_RST | NAT_TCP_ACK, 0, syn.seq + 1, NULL);
	assert_int_equal(client_recv(c, rb, sizeof(rb), WAIT), -ECONNRESET);
	close(c);
}

/* the guest's MAC is not known yet: the SYN's retransmission reaches it
 * once the guest has spoken */
static void test_pub_guest_late(void **state)
{
	struct env *e = *state;
	uint8_t buf[2048];
	struct nat_seg syn;
	int c;

	publish(e);
	c = client(e);
	assert_false(guest_recv(e, &syn, buf, sizeof(buf), 300));
	guest_hello(e);
	assert_true(guest_recv(e, &syn, buf, sizeof(buf), WAIT));
	assert_int_equal(syn.flags, NAT_TCP_SYN);
	assert_int_equal(syn.dport, GUEST_PORT);
	close(c);
}

/* beyond the NAT's fd budget a client is reset at once */
static void test_pub_budget(void **state)
{
	struct env *e = *state;
	uint8_t buf[2048];
	struct nat_seg syn;
	char rb[8];
	int c1, c2;

	guest_hello(e);
	publish(e);
	gw_nat_fd_budget(1);
	c1 = client(e);
	assert_true(guest_recv(e, &syn, buf, sizeof(buf), WAIT));
	c2 = client(e);
	assert_int_equal(client_recv(c2, rb, sizeof(rb), WAIT), -ECONNRESET);
	gw_nat_fd_budget(0);
	assert_int_equal(nat_stat(e->sw, "drop_fd_budget"), 1);
	assert_int_equal(nat_stat(e->sw, "published_accepted"), 1);
	assert_false(guest_recv(e, &syn, buf, sizeof(buf), 200) &&
		     syn.flags == NAT_TCP_SYN && syn.sport == local_port(c2));
	close(c1);
	close(c2);
}

/* a listener shut down behind the switch's back is dropped from epoll,
 * not spun on; its removal still works */
static void test_pub_dead_listener(void **state)
{
	struct env *e = *state;
	int dup_fd = fcntl(e->lfd, F_DUPFD_CLOEXEC, 0);

	assert_true(dup_fd >= 0);
	publish(e);
	assert_int_equal(shutdown(dup_fd, SHUT_RDWR), 0);
	usleep(300000);
	assert_int_equal(nat_stat(e->sw, "socket_errors"), 1);
	usleep(200000);
	assert_int_equal(nat_stat(e->sw, "socket_errors"), 1);
	assert_int_equal(gw_publish_remove(testlib_gw(e->sw), 1), 1);
	close(dup_fd);
}

/* a client not on loopback keeps its address inside the guest */
static void test_pub_real_source(void **state)
{
	struct env *e = *state;
	struct sockaddr_in a = {
		.sin_family = AF_INET, .sin_addr.s_addr = htonl(OTHER_IP),
	};
	uint8_t buf[2048];
	struct nat_seg syn;
	int c;

	if (!have_other)
		skip();		/* no network namespace of our own */
	guest_hello(e);
	publish(e);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(c, (struct sockaddr *)&a, sizeof(a)), 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(e->port);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_true(guest_recv(e, &syn, buf, sizeof(buf), WAIT));
	assert_int_equal(syn.flags, NAT_TCP_SYN);
	assert_int_equal(syn.saddr, OTHER_IP);
	assert_int_equal(syn.sport, local_port(c));
	close(c);
}

/*
 * Give the test its own network namespace (rootless: with a user
 * namespace) where 192.0.2.1 is a second address on lo, so a client can
 * connect from a non-loopback address. Done before any thread exists;
 * without namespaces, test_pub_real_source() skips.
 */
static void own_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int fd;

	if (unshare(getuid() ? CLONE_NEWUSER | CLONE_NEWNET : CLONE_NEWNET))
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		abort();
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		abort();	/* no loopback: every test would fail */
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo:1");
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(OTHER_IP);
	have_other = !ioctl(fd, SIOCSIFADDR, &ifr);
	close(fd);
}

/* what gw_publish_add() refuses; the caller keeps the socket then */
static void test_pub_validate(void **state)
{
	struct env *e = *state;
	struct gw_publish p = pub_of(e, 1);
	uint16_t uport;
	int u = listener(SOCK_DGRAM, &uport);
	int fds[GW_PUBLISH_MAX];
	unsigned i;

	p.guest_ip = NET + 256 + 10;		/* another subnet */
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), -EINVAL);
	p.guest_ip = GW_IP;			/* the gateway */
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), -EINVAL);
	p.guest_ip = NET + 255;			/* broadcast */
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), -EINVAL);
	p = pub_of(e, 1);
	p.guest_port = 0;
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), -EINVAL);
	p = pub_of(e, 1);
	p.proto = IPPROTO_ICMP;
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), -EINVAL);
	p.proto = IPPROTO_UDP;			/* a stream socket */
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), -EINVAL);
	p = pub_of(e, 1);
	p.fd = u;				/* a datagram socket */
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), -EINVAL);
	/* the listener is still ours and open */
	assert_int_equal(fcntl(e->lfd, F_GETFD), FD_CLOEXEC);
	/* a blocking socket is made non-blocking (never stall the switch) */
	assert_int_equal(fcntl(u, F_SETFL, 0), 0);

	/* UDP is taken; the same socket twice is not */
	p.proto = IPPROTO_UDP;
	p.host_port = uport;
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), 0);
	assert_true(fcntl(u, F_GETFL) & O_NONBLOCK);
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), -EINVAL);

	/* GW_PUBLISH_MAX per network */
	for (i = 0; i < GW_PUBLISH_MAX - 1; i++) {
		uint16_t port;

		fds[i] = listener(SOCK_DGRAM, &port);
		p.fd = fds[i];
		p.host_port = port;
		p.owner = 7;
		assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), 0);
	}
	p = pub_of(e, 1);
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), -ENOSPC);
	assert_int_equal(gw_publish_remove(testlib_gw(e->sw), 7),
			 GW_PUBLISH_MAX - 1);
	for (i = 0; i < GW_PUBLISH_MAX - 1; i++)	/* closed by then */
		assert_int_equal(fcntl(fds[i], F_GETFD), -1);
	assert_int_equal(gw_publish_add(testlib_gw(e->sw), &p), 0);
	e->lfd = -1;
	assert_int_equal(gw_publish_remove(testlib_gw(e->sw), 1), 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_pub_tcp),
		T(test_pub_guest_refuses),
		T(test_pub_guest_late),
		T(test_pub_budget),
		T(test_pub_real_source),
		T(test_pub_dead_listener),
		T(test_pub_validate),
	};

	own_netns();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
