// SPDX-License-Identifier: MIT
/*
 * gw_nat_pub.c - published ports: host sockets whose traffic goes to a guest
 *
 * Theory of operation
 * -------------------
 * mvmd binds the socket (TCP: listening; UDP: bound), makes it
 * non-blocking and hands it over with gw_publish_add(); from then on it
 * is ours. Each network keeps up to GW_PUBLISH_MAX of them in a table of
 * slots, allocated with the first one; each socket sits in the NAT's epoll
 * set (level-triggered EPOLLIN, tag GW_NAT_EV_PUB + slot).
 *
 * TCP: a readable listener accept4()s a bounded burst (the rest waits for
 * the next round: level-triggered). Every accepted socket is counted
 * against the NAT's fd budget (gw_nat_fd_account(); refused: the client
 * gets a reset). The flow toward the guest is
 *   guest = the publication's address and port,
 *   remote = the client's address and port, so a client elsewhere keeps
 *	its real source address inside the guest; a client on the host's
 *	loopback (or one whose address the guest would take for a neighbour
 *	on its own subnet) becomes the gateway address instead, so the guest
 *	answers through the gateway;
 * and nat_tcp_open() sends the guest a SYN. The accepted socket becomes
 * the flow's host socket (gw_nat_tcp_adopt()) and from there on the flow
 * is like any other (gw_nat_tcp.c): data the client sends before the
 * guest answers waits in the socket and goes out when the connection is
 * established. The guest refusing (RST) resets the client; a guest that
 * does not answer - down, not booted yet, or its MAC not known, so the
 * SYN cannot even leave (gw_nat_guest_mac()) - gets the SYN again with
 * backoff until the engine's connect timeout, then the client is reset.
 * So a guest that appears a moment later is reached.
 *
 * UDP: a readable socket recvfrom()s a bounded burst; each datagram goes to
 * gw_nat_udp_pub_input(), which keeps the flow whose replies return
 * through the same socket (gw_nat_udp.c).
 *
 * Removal (gw_publish_remove(owner)): an owner's sockets are closed, and
 * what they started goes too: the TCP flows toward the publication's
 * guest address and port are reset both ways (nat_tcp_abort()) - a walk
 * of the flow table, so a connection the guest itself opened from that
 * very port goes as well (acceptable: removal means the guest is going) -
 * and the UDP flows answering through the socket are dropped
 * (gw_nat_udp_pub_drop()).
 *
 * A socket that fails for good (accept4() / recvfrom() with EBADF, EINVAL:
 * say, shut down behind our back) would keep a level-triggered
 * EPOLLHUP / EPOLLERR coming: it is taken out of the epoll set and its slot
 * waits for its owner's removal.
 *
 * Descriptor exhaustion: when accept4() fails for want of descriptors the
 * pending connection would keep the level-triggered listener readable and
 * spin the switch thread; a reserved descriptor (/dev/null) is released
 * for a moment to accept the client and reset it at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"

#define GW_PUB_ACCEPT_BURST	16	/* connections per event */
#define GW_PUB_RECV_BURST	32	/* datagrams per event */
#define GW_PUB_DGRAM_MAX	65536

/**
 * struct gw_pub_slot - one published socket
 * @used:	false = free
 * @dead:	the socket failed for good (accept4() / recvfrom() errors
 *		that do not go away): no longer watched, kept until removed
 * @p:		the publication, as added
 */
struct gw_pub_slot {
	bool used;
	bool dead;
	struct gw_publish p;
};

struct gw_nat_pub {
	struct gw_pub_slot slot[GW_PUBLISH_MAX];
	unsigned n;
	int spare_fd;			/* reserved for fd exhaustion, or -1 */
	uint8_t buf[GW_PUB_DGRAM_MAX];	/* one UDP datagram */
};

static struct gw_nat_pub *gw_pub_get(struct gw *gw)
{
	struct gw_nat_pub *pub = gw->nat->pub;

	if (pub)
		return pub;
	pub = calloc(1, sizeof(*pub));
	if (!pub)
		return NULL;
	pub->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	gw->nat->pub = pub;
	return pub;
}

/* close a socket the NAT does not count (ours from mvmd, not budgeted) */
static void gw_pub_close_raw(struct gw *gw, int fd, bool reset)
{
	if (reset) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	epoll_ctl(gw->nat->epfd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

static bool gw_pub_sock_is(int fd, int type, bool listening)
{
	int v = 0;
	socklen_t sl = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &sl) || v != type)
		return false;
	if (!listening)
		return true;
	sl = sizeof(v);
	return !getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &sl) && v;
}

/* a guest address: inside the subnet, not the gateway, network, broadcast */
static bool gw_pub_guest_ok(const struct gw *gw, uint32_t ip)
{
	uint8_t prefix = gw->subnet.prefix;
	uint32_t mask = prefix ? ~0u << (32 - prefix) : 0;

	if (!prefix || (ip & mask) != (gw->subnet.addr & mask) || ip == gw->ip)
		return false;
	if (prefix < 31 && ((ip & ~mask) == 0 || (ip & ~mask) == ~mask))
		return false;
	return true;
}

int gw_nat_pub_add(struct gw *gw, const struct gw_publish *p)
{
	struct gw_nat_pub *pub;
	unsigned i, free_slot = GW_PUBLISH_MAX;
	int ret;

	if (p->fd < 0 || !p->guest_port || !p->host_port ||
	    !gw_pub_guest_ok(gw, p->guest_ip))
		return -EINVAL;
	if (p->proto == IPPROTO_TCP) {
		if (!gw_pub_sock_is(p->fd, SOCK_STREAM, true))
			return -EINVAL;
	} else if (p->proto == IPPROTO_UDP) {
		if (!gw_pub_sock_is(p->fd, SOCK_DGRAM, false))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	/* a blocking socket would stall the switch thread in accept4() */
	ret = fcntl(p->fd, F_GETFL);
	if (ret < 0 || (!(ret & O_NONBLOCK) &&
			fcntl(p->fd, F_SETFL, ret | O_NONBLOCK)))
		return -EINVAL;
	pub = gw_pub_get(gw);
	if (!pub)
		return -ENOMEM;
	for (i = 0; i < GW_PUBLISH_MAX; i++) {
		if (!pub->slot[i].used) {
			if (free_slot == GW_PUBLISH_MAX)
				free_slot = i;
		} else if (pub->slot[i].p.fd == p->fd) {
			return -EINVAL;		/* the same socket twice */
		}
	}
	if (free_slot == GW_PUBLISH_MAX)
		return -ENOSPC;
	ret = gw_nat_watch(gw, p->fd, gw_nat_ev(GW_NAT_EV_PUB, free_slot, 0),
			   EPOLLIN);
	if (ret)
		return ret;
	pub->slot[free_slot].used = true;
	pub->slot[free_slot].dead = false;
	pub->slot[free_slot].p = *p;
	pub->n++;
	return 0;
}

/* reset every TCP flow toward (@ip, @port): what a publication started */
static void gw_pub_reset_flows(struct gw *gw, uint32_t ip, uint16_t port)
{
	struct gw_nat *nat = gw->nat;
	struct nat_flow *f, *next;

	if (!nat->ft || !nat->tcp)
		return;
	for (f = nat_flow_first(nat->ft); f; f = next) {
		next = nat_flow_next(nat->ft, f);
		if (f->key.proto == NAT_PROTO_TCP && f->key.guest_ip == ip &&
		    f->key.guest_port == port)
			nat_tcp_abort(nat->tcp, f, now_mono_ns());
	}
}

static void gw_pub_release(struct gw *gw, struct gw_pub_slot *s, bool flows)
{
	struct gw_nat_pub *pub = gw->nat->pub;

	if (s->p.proto == IPPROTO_TCP) {
		if (flows)
			gw_pub_reset_flows(gw, s->p.guest_ip, s->p.guest_port);
	} else if (gw->nat->ft) {
		gw_nat_udp_pub_drop(gw, s->p.fd);
	}
	gw_pub_close_raw(gw, s->p.fd, false);
	s->used = false;
	pub->n--;
}

int gw_nat_pub_remove(struct gw *gw, uint32_t owner)
{
	struct gw_nat_pub *pub = gw->nat->pub;
	int n = 0;
	unsigned i;

	if (!pub)
		return 0;
	for (i = 0; i < GW_PUBLISH_MAX; i++) {
		if (!pub->slot[i].used || pub->slot[i].p.owner != owner)
			continue;
		gw_pub_release(gw, &pub->slot[i], true);
		n++;
	}
	return n;
}

/* the remote end the guest sees for a client at @ss (see the top) */
static bool gw_pub_remote(const struct gw *gw,
			  const struct sockaddr_storage *ss,
			  uint32_t *ip, uint16_t *port)
{
	uint32_t mask = gw->subnet.prefix ? ~0u << (32 - gw->subnet.prefix) : 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		*ip = ntohl(sin->sin_addr.s_addr);
		*port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			memcpy(ip, &s6->sin6_addr.s6_addr[12], 4);
		else
			*ip = 0;	/* an IPv6 client: the gateway */
		*ip = ntohl(*ip);
		*port = ntohs(s6->sin6_port);
	} else {
		return false;
	}
	if (*ip >> 24 == 127 || *ip >> 24 == 0 ||
	    (*ip & mask) == (gw->subnet.addr & mask))
		*ip = gw->ip;
	return true;
}

/* accept4() ran out of descriptors: take the client with the spare, reset */
static void gw_pub_shed(struct gw *gw, int lfd)
{
	struct gw_nat_pub *pub = gw->nat->pub;
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	int fd;

	if (pub->spare_fd < 0)
		return;
	close(pub->spare_fd);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(fd);
	}
	pub->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* errors after which a socket will never work again */
static bool gw_pub_fatal(int err)
{
	return err == EBADF || err == EINVAL || err == ENOTSOCK ||
	       err == EOPNOTSUPP || err == EFAULT;
}

/* stop watching slot @idx for good (see the top) */
static void gw_pub_kill(struct gw *gw, uint32_t idx, int err)
{
	struct gw_pub_slot *s = &gw->nat->pub->slot[idx];

	epoll_ctl(gw->nat->epfd, EPOLL_CTL_DEL, s->p.fd, NULL);
	s->dead = true;
	gw->nat->st.sock_errors++;
	warn("published port %u (%s): %s; disabled until removed",
	     s->p.host_port, s->p.proto == IPPROTO_TCP ? "tcp" : "udp",
	     strerror(err));
}

/* Return: 0, or a fatal errno of the listener */
static int gw_pub_accept(struct gw *gw, const struct gw_publish *p)
{
	struct gw_nat *nat = gw->nat;
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	unsigned i;

	for (i = 0; i < GW_PUB_ACCEPT_BURST && gw->nat; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct nat_flow_key k = {
			.guest_ip = p->guest_ip, .guest_port = p->guest_port,
			.proto = NAT_PROTO_TCP,
		};
		struct nat_flow *f;
		int fd;

		fd = accept4(p->fd, (struct sockaddr *)&ss, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EPROTO)
				continue;
			if (gw_pub_fatal(errno))
				return errno;
			if (errno == EMFILE || errno == ENFILE) {
				nat->st.sock_errors++;
				gw_pub_shed(gw, p->fd);
			} else if (errno != EAGAIN) {
				nat->st.sock_errors++;
			}
			return 0;
		}
		if (gw_nat_fd_account(gw)) {
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
			close(fd);	/* not counted: not gw_nat_close() */
			continue;
		}
		if (!gw_pub_remote(gw, &ss, &k.remote_ip, &k.remote_port) ||
		    nat_tcp_open(nat->tcp, &k, fd, nat->now_ns, &f)) {
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
			gw_nat_close(gw, fd);
			continue;
		}
		gw_nat_tcp_adopt(gw, f, fd, false, GW_NAT_TCP_EV);
		nat->st.pub_accepted++;
	}
	return 0;
}

/* Return: 0, or a fatal errno of the socket */
static int gw_pub_recv(struct gw *gw, const struct gw_publish *p)
{
	struct gw_nat_pub *pub = gw->nat->pub;
	unsigned i;

	for (i = 0; i < GW_PUB_RECV_BURST && gw->nat; i++) {
		struct sockaddr_storage ss;
		struct sockaddr_in from = { .sin_family = AF_INET };
		socklen_t sl = sizeof(ss);
		ssize_t n;

		n = recvfrom(p->fd, pub->buf, sizeof(pub->buf), MSG_DONTWAIT,
			     (struct sockaddr *)&ss, &sl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (gw_pub_fatal(errno))
				return errno;
			if (errno != EAGAIN)
				gw->nat->st.sock_errors++;
			return 0;
		}
		if (ss.ss_family == AF_INET) {
			memcpy(&from, &ss, sizeof(from));
		} else if (ss.ss_family == AF_INET6 &&
			   IN6_IS_ADDR_V4MAPPED(
				&((struct sockaddr_in6 *)&ss)->sin6_addr)) {
			const struct sockaddr_in6 *s6 = (const void *)&ss;

			memcpy(&from.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
			from.sin_port = s6->sin6_port;
		} else {
			continue;	/* no IPv6 toward guests */
		}
		gw_nat_udp_pub_input(gw, p->fd, &from, p->guest_ip,
				     p->guest_port, pub->buf, (size_t)n);
	}
	return 0;
}

void gw_nat_pub_event(struct gw *gw, uint32_t idx, uint32_t events)
{
	struct gw_nat_pub *pub = gw->nat->pub;
	struct gw_publish p;
	int err;

	(void)events;	/* IN, or ERR / HUP: accept / recv tell which */
	if (!pub || idx >= GW_PUBLISH_MAX || !pub->slot[idx].used ||
	    pub->slot[idx].dead)
		return;
	p = pub->slot[idx].p;	/* a copy: the slot may go meanwhile */
	if (p.proto == IPPROTO_TCP)
		err = gw_pub_accept(gw, &p);
	else
		err = gw_pub_recv(gw, &p);
	if (err && gw->nat && gw->nat->pub && pub->slot[idx].used)
		gw_pub_kill(gw, idx, err);
}

void gw_nat_pub_free(struct gw *gw)
{
	struct gw_nat_pub *pub = gw->nat ? gw->nat->pub : NULL;
	unsigned i;

	if (!pub)
		return;
	/* the flows go with the engine (gw_nat_free()): close only */
	for (i = 0; i < GW_PUBLISH_MAX; i++)
		if (pub->slot[i].used)
			gw_pub_release(gw, &pub->slot[i], false);
	if (pub->spare_fd >= 0)
		close(pub->spare_fd);
	free(pub);
	gw->nat->pub = NULL;
}
