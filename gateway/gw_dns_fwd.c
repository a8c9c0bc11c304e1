// SPDX-License-Identifier: MIT
/*
 * gw_dns_fwd.c - forwarding guests' DNS queries to the host's resolvers
 *
 * Theory of operation
 * -------------------
 * On a network that forwards (nat), a query dns_server_answer() does not
 * answer itself goes to an upstream resolver over UDP, from mvmd's own
 * socket: one non-blocking socket per upstream, connect()ed (so the kernel
 * drops datagrams from any other source), watched by the switch's epoll
 * as an fd of the gateway port (tag GW_DNS_FWD_TAG + index).
 *
 * Each query in flight takes a slot of a fixed table (GW_DNS_PENDING);
 * when it is full the query gets SERVFAIL at once (counted in
 * "pending_full"). The query's ID is replaced by a fresh random one
 * (getrandom(), unique among those in flight) and the question recorded
 * (dns_fwd_prepare()), so a reply must come from the upstream's address
 * and port, carry our ID and the same question (dns_fwd_reply(), RFC 5452
 * 9.1); anything else is dropped and the slot keeps waiting. The reply is
 * relayed to the client with its own ID.
 *
 * A query not answered within the timeout (GW_DNS_TIMEOUT_MS, checked by
 * gw_tick() from the switch loop, whose epoll timeout follows
 * gw_timeout_ms()) gets SERVFAIL, and new queries then go to the next
 * upstream. ECONNREFUSED on an upstream socket (nothing listens there)
 * fails its queries at once the same way.
 *
 * Truncation: an upstream reply with TC=1 is retried over TCP to the same
 * upstream (gw_dns_fwd_tcp.c), and relayed as it is only when that cannot
 * start. A reply larger than the network allows (MTU - 28; the gateway
 * does not fragment) is replaced by an empty one with TC=1.
 *
 * Where the answer goes: each query in flight remembers its client
 * (struct gw_dns_to): a UDP address, or the DNS-over-TCP session it came
 * on (gw_dns_tcp.c), which gets the answer on its stream, whole (65535
 * bytes at most, never TC) or SERVFAIL. A session closed meanwhile is
 * recognised by its generation and the answer dropped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "gateway/gw_priv.h"
#include "pkt/wire.h"
#include "vswitch/port.h"

#define GW_DNS_FWD_BURST	32	/* replies read per wakeup and upstream */

/* hand answer @msg (@len bytes; it may be gw_udp_payload() already) to
 * @to: a UDP reply (sent now if @emit, else left pending) or the stream */
static void gw_dns_fwd_deliver(struct gw *gw, const struct gw_dns_to *to,
			   const uint8_t *msg, size_t len, bool emit)
{
	if (to->sess) {
		gw_dns_tcp_answer(gw, to, msg, len);
		return;
	}
	if (msg != gw_udp_payload(gw))
		memmove(gw_udp_payload(gw), msg, len);
	gw_udp_reply(gw, to->mac, gw->ip, DNS_PORT, to->ip, to->port, len);
	if (emit)
		gw_emit(gw);
}

/* free @q's slot; Return: where its answer goes */
static struct gw_dns_to gw_dns_fwd_done(struct gw *gw, struct gw_dns_fwd_q *q)
{
	q->used = false;
	gw->n_fwd--;
	return q->to;
}

/**
 * gw_dns_fwd_fail() - answer @q with SERVFAIL and free its slot (and its TCP
 * retry, if any)
 * @emit:	send it now (from the loop), else leave it pending (while a
 *		guest's frame is being handled)
 */
void gw_dns_fwd_fail(struct gw *gw, struct gw_dns_fwd_q *q, bool emit)
{
	uint8_t sf[DNS_UDP_MIN];
	struct gw_dns_to to;
	size_t len = 0;
	int ret;

	if (q->tcp)
		gw_dns_fwd_tcp_close(gw, q->tcp - 1u);
	ret = dns_fwd_servfail(&q->f, sf, sizeof(sf), &len);
	to = gw_dns_fwd_done(gw, q);
	if (ret) {
		gw->dns_st.dropped++;
		if (to.sess)	/* the session still waits for it */
			gw_dns_tcp_answer(gw, &to, NULL, 0);
		return;
	}
	gw->dns_st.servfail++;
	gw_dns_fwd_deliver(gw, &to, sf, len, emit);
}

static void gw_dns_fwd_close(struct gw *gw)
{
	unsigned i;

	for (i = 0; i < GW_DNS_PENDING; i++)
		if (gw->fwd[i].used)
			gw_dns_fwd_fail(gw, &gw->fwd[i], true);
	for (i = 0; i < GW_DNS_UPSTREAMS; i++) {
		if (gw->up[i].fd < 0)
			continue;
		if (gw->port)
			vsw_port_unwatch(gw->port, gw->up[i].fd);
		close(gw->up[i].fd);
		gw->up[i].fd = -1;
	}
	gw->n_up = gw->cur_up = 0;
}

void gw_dns_fwd_free(struct gw *gw)
{
	unsigned i;

	/* no SERVFAILs on the way out: just drop what is in flight */
	gw_dns_fwd_tcp_free(gw);
	for (i = 0; i < GW_DNS_PENDING; i++)
		gw->fwd[i].used = false;
	gw->n_fwd = 0;
	gw_dns_fwd_close(gw);
	free(gw->fwd_keep);
	gw->fwd_keep = NULL;
}

int gw_dns_fwd_configure(struct gw *gw, const struct gw_services_config *c)
{
	struct gw_upstream up[GW_DNS_UPSTREAMS];
	size_t i, n = 0;
	int ret = 0;

	for (i = 0; c->forward && i < c->n_upstreams && n < GW_DNS_UPSTREAMS;
	     i++, n++)
		if (sockaddr_parse(c->upstreams[i], DNS_PORT, &up[n].ss, &up[n].len))
			return -EINVAL;
	gw_dns_fwd_close(gw);
	if (n && !gw->tcp_buf) {	/* TCP retries: allocated once */
		gw->tcp_buf = malloc(GW_DNS_FWD_TCP * (GW_DNS_FWD_TCP_MAX + 2));
		if (!gw->tcp_buf)
			return -ENOMEM;
	}
	if (n && !gw->fwd_keep) {
		gw->fwd_keep = malloc((size_t)GW_DNS_PENDING * GW_DNS_FWD_QKEEP);
		if (!gw->fwd_keep)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		int fd = socket(up[i].ss.ss_family,
				SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&up[i].ss,
				      up[i].len)) {
			ret = -errno;
			if (fd >= 0)
				close(fd);
			break;
		}
		if (gw->port) {
			ret = vsw_port_watch(gw->port, fd,
					     GW_DNS_FWD_TAG + (unsigned)i, EPOLLIN);
			if (ret) {
				close(fd);
				break;
			}
		}
		gw->up[i] = up[i];
		gw->up[i].fd = fd;
		gw->n_up++;
	}
	if (ret)
		gw_dns_fwd_close(gw);
	return ret;
}

/* a random query ID not in flight (RFC 5452 9.2) */
static uint16_t gw_dns_fwd_id(struct gw *gw)
{
	for (;;) {
		uint16_t id;
		unsigned i;

		if (!gw->n_rnd) {
			ssize_t r = getrandom(gw->rnd, sizeof(gw->rnd),
					      GRND_NONBLOCK);

			if (r != (ssize_t)sizeof(gw->rnd)) {
				/* pool not ready: weaker, but never stuck */
				uint64_t t = now_mono_ns();

				for (i = 0; i < 64; i++) {
					t = t * 6364136223846793005ull + 1;
					gw->rnd[i] = (uint16_t)(t >> 48);
				}
			}
			gw->n_rnd = 64;
		}
		id = gw->rnd[--gw->n_rnd];
		for (i = 0; i < GW_DNS_PENDING; i++)
			if (gw->fwd[i].used && gw->fwd[i].f.upstream_id == id)
				break;
		if (i == GW_DNS_PENDING)
			return id;
	}
}

int gw_dns_fwd_query(struct gw *gw, const struct gw_dns_to *to,
		 const uint8_t *msg, size_t len)
{
	struct gw_dns_fwd_q *q = NULL;
	unsigned i;

	if (len > GW_DNS_QUERY_MAX || !gw->n_up) {
		gw->dns_st.dropped++;
		return -EINVAL;
	}
	for (i = 0; i < GW_DNS_PENDING; i++) {
		if (!gw->fwd[i].used) {
			q = &gw->fwd[i];
			break;
		}
	}
	memcpy(gw->scratch, msg, len);
	if (!q) {
		struct gw_dns_fwd_q tmp = { .used = true, .to = *to };

		gw->dns_st.pending_full++;
		if (dns_fwd_prepare(gw->scratch, len, 0, &tmp.f)) {
			gw->dns_st.dropped++;
			return -EBADMSG;
		}
		gw->n_fwd++;	/* gw_dns_fwd_fail() takes it back */
		gw_dns_fwd_fail(gw, &tmp, false);
		return 0;
	}
	if (dns_fwd_prepare(gw->scratch, len, gw_dns_fwd_id(gw), &q->f)) {
		gw->dns_st.dropped++;
		return -EBADMSG;
	}
	q->used = true;
	q->tcp = 0;
	q->upstream = (uint8_t)gw->cur_up;
	q->to = *to;
	/* the query as sent, for a retry over TCP (RFC 7766 keeps DO, the
	 * cookie and every other option of the client's) */
	q->qlen = 0;
	if (gw->fwd_keep && len <= GW_DNS_FWD_QKEEP) {
		memcpy(gw->fwd_keep + (size_t)i * GW_DNS_FWD_QKEEP, gw->scratch, len);
		q->qlen = (uint16_t)len;
	}
	q->deadline_ns = now_mono_ns() + (uint64_t)(gw->cfg.timeout_ms ?
		gw->cfg.timeout_ms : GW_DNS_TIMEOUT_MS) * 1000000ull;
	gw->n_fwd++;
	if (send(gw->up[gw->cur_up].fd, gw->scratch, len, MSG_DONTWAIT) < 0 &&
	    send(gw->up[gw->cur_up].fd, gw->scratch, len, MSG_DONTWAIT) < 0) {
		/* twice: the first may only report an old ECONNREFUSED */
		gw_dns_fwd_fail(gw, q, false);
		return 0;
	}
	gw->dns_st.forwarded++;
	return 0;
}

size_t gw_dns_fwd_max(const struct gw *gw, const struct gw_dns_fwd_q *q, bool edns)
{
	size_t max = DNS_UDP_MIN;

	if (q->to.sess)
		return DNS_TCP_MAX;
	if (gw->mtu > 28 + DNS_UDP_MIN)
		max = gw->mtu - 28u;
	if (edns && q->f.edns_udp < max)
		max = q->f.edns_udp > DNS_UDP_MIN ? q->f.edns_udp : DNS_UDP_MIN;
	return max;
}

/* the slot waiting for @id from upstream @idx, or NULL */
static struct gw_dns_fwd_q *gw_dns_fwd_find(struct gw *gw, unsigned idx, uint16_t id)
{
	unsigned i;

	for (i = 0; i < GW_DNS_PENDING; i++)
		if (gw->fwd[i].used && !gw->fwd[i].tcp &&
		    gw->fwd[i].upstream == idx && gw->fwd[i].f.upstream_id == id)
			return &gw->fwd[i];
	return NULL;
}

/* every query waiting on upstream @idx fails; new ones go to the next */
static void gw_dns_fwd_fail_upstream(struct gw *gw, unsigned idx)
{
	unsigned i;

	for (i = 0; i < GW_DNS_PENDING; i++)
		if (gw->fwd[i].used && gw->fwd[i].upstream == idx)
			gw_dns_fwd_fail(gw, &gw->fwd[i], true);
	if (gw->cur_up == idx && gw->n_up)
		gw->cur_up = (idx + 1) % gw->n_up;
}

void gw_dns_fwd_event(struct gw *gw, unsigned idx)
{
	unsigned n;

	if (idx >= gw->n_up || gw->up[idx].fd < 0)
		return;
	for (n = 0; n < GW_DNS_FWD_BURST; n++) {
		ssize_t r = recv(gw->up[idx].fd, gw->scratch, GW_DNS_QUERY_MAX,
				 MSG_DONTWAIT);
		struct gw_dns_fwd_q *q;
		int ret;

		if (r < 0) {
			if (errno == ECONNREFUSED)
				gw_dns_fwd_fail_upstream(gw, idx);
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			return;
		}
		if (r < 2) {
			gw->dns_st.dropped++;
			continue;
		}
		q = gw_dns_fwd_find(gw, idx, (uint16_t)(gw->scratch[0] << 8 |
						    gw->scratch[1]));
		ret = q ? dns_fwd_reply(&q->f, gw->scratch, (size_t)r) : -ESRCH;
		if (ret < 0) {
			gw->dns_st.dropped++;	/* stale or spoofed */
			continue;
		}
		if (ret == DNS_FWD_TRUNCATED && !gw_dns_fwd_tcp_start(gw, q))
			continue;		/* the answer comes over TCP */
		/* the upstream sized it for the client (its query as sent) */
		gw_dns_fwd_relay(gw, q, gw->scratch, (size_t)r,
			     gw_dns_fwd_max(gw, q, false));
	}
}

/**
 * gw_dns_fwd_relay() - send an accepted upstream reply to @q's client, free
 * the slot
 * @msg, @len:	the reply (its ID already the client's)
 * @max:	the largest the client may get; a longer reply becomes an
 *		empty answer with TC=1 (@msg is then not read)
 */
void gw_dns_fwd_relay(struct gw *gw, struct gw_dns_fwd_q *q, const uint8_t *msg,
		  size_t len, size_t max)
{
	struct gw_dns_to to;

	if (len > max && q->to.sess) {	/* over TCP, TC means nothing */
		gw_dns_fwd_fail(gw, q, true);
		return;
	}
	if (len > max) {
		uint8_t *p = gw_udp_payload(gw);

		if (dns_fwd_servfail(&q->f, p, DNS_UDP_MIN, &len)) {
			gw->dns_st.dropped++;
			gw_dns_fwd_done(gw, q);
			return;
		}
		p[2] |= DNS_F_TC >> 8;
		p[3] &= (uint8_t)~DNS_F_RCODE;
		msg = p;
	}
	to = gw_dns_fwd_done(gw, q);
	gw_dns_fwd_deliver(gw, &to, msg, len, true);
}

void gw_dns_fwd_tick(struct gw *gw, uint64_t now_ns)
{
	unsigned i;

	gw_dns_tcp_tick(gw, now_ns);
	for (i = 0; gw->n_fwd && i < GW_DNS_PENDING; i++) {
		struct gw_dns_fwd_q *q = &gw->fwd[i];

		if (!q->used || q->deadline_ns > now_ns)
			continue;
		gw->dns_st.timeouts++;
		if (gw->cur_up == q->upstream && gw->n_up)
			gw->cur_up = (q->upstream + 1u) % gw->n_up;
		gw_dns_fwd_fail(gw, q, true);
	}
}

int gw_dns_fwd_timeout_ms(const struct gw *gw, uint64_t now_ns)
{
	int t = gw_dns_tcp_timeout_ms(gw, now_ns);
	uint64_t min = UINT64_MAX;
	unsigned i;

	if (!gw->n_fwd)
		return t;
	for (i = 0; i < GW_DNS_PENDING; i++)
		if (gw->fwd[i].used && gw->fwd[i].deadline_ns < min)
			min = gw->fwd[i].deadline_ns;
	if (min <= now_ns)
		return 0;
	min = (min - now_ns + 999999) / 1000000;
	if (min > 1000)
		min = 1000;
	return t >= 0 && (uint64_t)t < min ? t : (int)min;
}
