// SPDX-License-Identifier: MIT
/*
 * gw_dns_tcp.c - DNS over TCP from guests (RFC 7766): the far end of a
 *		  TCP flow to gateway:53
 *
 * Theory of operation
 * -------------------
 * The NAT's TCP engine terminates the guest's connection (gw_nat_tcp.c)
 * and splices its byte stream to an AF_UNIX stream socket from
 * gw_dns_tcp_open(); the other end of that socketpair is a session here,
 * watched in the NAT's epoll set (GW_NAT_EV_DNS_TCP, the slot as index).
 * A session is a small DNS-over-TCP server:
 *
 *   - queries arrive behind a two-byte length (dns/dns_tcp.h), pipelined
 *     and split anywhere, into a bounded input buffer (one query of at
 *     most GW_DNS_QUERY_MAX; a longer one closes the session: the stream
 *     cannot be resynchronised);
 *   - each is answered like a UDP query (gw_dns_answer(): the same zones
 *     and the view of the guest the flow belongs to) but over_tcp: up to
 *     65535 bytes, never TC; names that are not local go to the forwarder
 *     (gw_dns_fwd.c) with the session as their destination (struct
 *     gw_dns_to), and their answers come back through gw_dns_tcp_answer(),
 *     in whatever order the upstreams answer (RFC 7766 7: clients match
 *     by ID); internal networks answer REFUSED;
 *   - answers are framed into an output buffer and written as the socket
 *     takes them. Backpressure: a session reads and answers new queries
 *     only while its output buffer is empty and fewer than
 *     GW_DNS_TCP_INFLIGHT of its queries are upstream, so a guest that
 *     does not read its answers stops being read (the engine's window
 *     closes) rather than growing anything. A forwarded answer arriving
 *     when the buffer cannot take it is dropped whole (counted), never cut.
 *
 * The socket is watched level-triggered: EPOLLIN while the session takes
 * queries, EPOLLOUT while it has bytes to write (gw_dns_tcp_answer() also
 * asks for EPOLLOUT, so the loop comes back to a session that stopped
 * reading and resumes it from there, never from inside the forwarder).
 * The guest's FIN (EOF) is answered by closing once every query read has
 * been answered; a peer gone altogether (EPOLLHUP), a write error or an
 * idle session (no byte either way for GW_DNS_TCP_IDLE_MS, RFC 7766
 * 6.2.3; gw_dns_tcp_tick(), from the gateway's timers) is closed at once.
 *
 * Limits: GW_DNS_TCP_SESSIONS sessions per network; at the cap, a new
 * connection takes the slot of the longest idle session with nothing
 * upstream (RFC 7766 6.2.3 allows closing idle connections under
 * pressure), else it is refused (the guest gets a RST). Buffers
 * (GW_DNS_TCP_IN + GW_DNS_TCP_OUT) are allocated when a session opens and
 * freed when it closes; both ends of the socketpair count against the NAT's
 * fd budget.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "dns/dns_tcp.h"
#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"

#define GW_DNS_TCP_SESSIONS	32	/* per network */
#define GW_DNS_TCP_IDLE_MS	10000	/* RFC 7766 6.2.3: "e.g. 10 s" */
#define GW_DNS_TCP_INFLIGHT	8	/* a session's queries upstream */
#define GW_DNS_TCP_IN		(DNS_TCP_PREFIX + GW_DNS_QUERY_MAX)
#define GW_DNS_TCP_OUT		(2 * (DNS_TCP_PREFIX + GW_DNS_FWD_TCP_MAX))
#define GW_DNS_TCP_EV		(EPOLLIN | EPOLLRDHUP)

/**
 * struct gw_dns_tcp_sess - one guest connection
 * @fd:		our end of the socketpair; -1: free slot
 * @gen:	generation, so that a late forwarded answer for an earlier
 *		session in this slot is recognised
 * @client:	the guest's address (host order): its DNS view
 * @events:	what @fd is watched for now
 * @last_ns:	last byte read or written (idle timeout)
 * @inflight:	its queries upstream, not answered yet
 * @eof:	the guest closed its side
 * @in, @out:	queries read, answers not yet written (one allocation)
 */
struct gw_dns_tcp_sess {
	int fd;
	uint32_t gen;
	uint32_t client;
	uint32_t events;
	uint64_t last_ns;
	unsigned inflight;
	bool eof;
	struct dns_tcp_buf in, out;
};

/** struct gw_dns_tcp - a network's DNS-over-TCP sessions and counters */
struct gw_dns_tcp {
	struct gw_dns_tcp_sess s[GW_DNS_TCP_SESSIONS];
	unsigned n;
	uint32_t gen;
	uint64_t opened, queries, idle_closed, evicted, refused, too_long;
	uint64_t answers_dropped;
};

static struct gw_dns_tcp *gw_dns_tcp_get(const struct gw *gw)
{
	return gw->nat ? gw->nat->dtcp : NULL;
}

static void sess_close(struct gw *gw, struct gw_dns_tcp *d,
		       struct gw_dns_tcp_sess *s)
{
	gw_nat_close(gw, s->fd);
	free(s->in.p);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	d->n--;
}

static void sess_watch(struct gw *gw, struct gw_dns_tcp_sess *s,
		       unsigned slot, uint32_t ev)
{
	if (s->events == ev)
		return;
	if (!gw_nat_rewatch(gw, s->fd, gw_nat_ev(GW_NAT_EV_DNS_TCP, slot, 0),
			    ev))
		s->events = ev;
}

/* a free slot, or the longest idle one with nothing upstream (evicted) */
static struct gw_dns_tcp_sess *sess_slot(struct gw *gw, struct gw_dns_tcp *d)
{
	struct gw_dns_tcp_sess *old = NULL;
	unsigned i;

	for (i = 0; i < GW_DNS_TCP_SESSIONS; i++) {
		struct gw_dns_tcp_sess *s = &d->s[i];

		if (s->fd < 0)
			return s;
		if (!s->inflight && (!old || s->last_ns < old->last_ns))
			old = s;
	}
	if (old) {
		d->evicted++;
		sess_close(gw, d, old);
	}
	return old;
}

int gw_dns_tcp_open(struct gw *gw, uint32_t client_ip)
{
	struct gw_dns_tcp *d = gw_dns_tcp_get(gw);
	struct gw_dns_tcp_sess *s;
	uint8_t *mem;
	unsigned slot, i;
	int sv[2], ret;

	if (!gw->nat)
		return -ENOTCONN;
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		for (i = 0; i < GW_DNS_TCP_SESSIONS; i++)
			d->s[i].fd = -1;
		gw->nat->dtcp = d;
	}
	s = sess_slot(gw, d);
	if (!s) {
		d->refused++;
		return -EBUSY;
	}
	slot = (unsigned)(s - d->s);
	mem = malloc(GW_DNS_TCP_IN + GW_DNS_TCP_OUT);
	if (!mem)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv)) {
		int e = errno;

		free(mem);
		return -e;
	}
	/* both ends count: gw_nat_close() gives each back */
	if (gw_nat_fd_account(gw)) {
		close(sv[0]);
		close(sv[1]);
		free(mem);
		return -EMFILE;
	}
	if (gw_nat_fd_account(gw)) {
		gw_nat_close(gw, sv[0]);	/* gives the first back */
		close(sv[1]);
		free(mem);
		return -EMFILE;
	}
	ret = gw_nat_watch(gw, sv[0], gw_nat_ev(GW_NAT_EV_DNS_TCP, slot, 0),
			   GW_DNS_TCP_EV);
	if (ret) {
		gw_nat_close(gw, sv[0]);
		gw_nat_close(gw, sv[1]);
		free(mem);
		return ret;
	}
	s->fd = sv[0];
	s->gen = ++d->gen;
	s->client = client_ip;
	s->events = GW_DNS_TCP_EV;
	s->last_ns = now_mono_ns();
	s->inflight = 0;
	s->eof = false;
	s->in = (struct dns_tcp_buf){ .p = mem, .cap = GW_DNS_TCP_IN };
	s->out = (struct dns_tcp_buf){ .p = mem + GW_DNS_TCP_IN,
				       .cap = GW_DNS_TCP_OUT };
	d->n++;
	d->opened++;
	return sv[1];
}

/* write what @s->out holds; 0 (all, or the socket is full) or -errno */
static int sess_flush(struct gw_dns_tcp_sess *s, uint64_t now)
{
	while (s->out.len) {
		ssize_t w = send(s->fd, s->out.p, s->out.len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN ? 0 : -errno;
		dns_tcp_consume(&s->out, (size_t)w);
		s->last_ns = now;
	}
	return 0;
}

/* answer one query (the output buffer is empty), or send it upstream */
static void sess_query(struct gw *gw, struct gw_dns_tcp *d, unsigned slot,
		       const uint8_t *msg, size_t len)
{
	struct gw_dns_tcp_sess *s = &d->s[slot];
	uint8_t *resp = s->out.p + s->out.len + DNS_TCP_PREFIX;
	size_t rlen = 0;
	int ret;

	d->queries++;
	ret = gw_dns_answer(gw, s->client, msg, len, 1, resp,
			    dns_tcp_room(&s->out), &rlen);
	if (ret == DNS_ANSWER) {
		if (dns_tcp_append(&s->out, resp, rlen))
			d->answers_dropped++;
	} else if (ret == DNS_FORWARD) {
		struct gw_dns_to to = {
			.ip = s->client, .sess = (uint16_t)(slot + 1),
			.gen = s->gen,
		};

		s->inflight++;	/* an immediate SERVFAIL takes it back */
		if (gw_dns_fwd_query(gw, &to, msg, len) && s->inflight)
			s->inflight--;
	}
}

/* read, answer and write what can be now; may close the session */
static void sess_pump(struct gw *gw, struct gw_dns_tcp *d, unsigned slot)
{
	struct gw_dns_tcp_sess *s = &d->s[slot];
	uint64_t now = now_mono_ns();
	uint32_t ev;

	for (;;) {
		const uint8_t *msg = NULL;
		size_t len = 0;
		ssize_t r;
		long n;

		if (sess_flush(s, now))
			goto close;
		if (s->out.len || s->inflight >= GW_DNS_TCP_INFLIGHT)
			break;
		n = dns_tcp_next(&s->in, GW_DNS_QUERY_MAX, &msg, &len);
		if (n < 0) {
			d->too_long++;
			goto close;
		}
		if (n > 0) {
			sess_query(gw, d, slot, msg, len);
			dns_tcp_consume(&s->in, (size_t)n);
			continue;
		}
		if (s->eof) {
			if (!s->inflight)
				goto close;	/* all answered */
			break;
		}
		if (s->in.len == s->in.cap)
			goto close;	/* cannot happen: next() took it */
		r = recv(s->fd, s->in.p + s->in.len, s->in.cap - s->in.len,
			 MSG_DONTWAIT);
		if (r > 0) {
			s->in.len += (size_t)r;
			s->last_ns = now;
		} else if (!r) {
			s->eof = true;
		} else if (errno == EAGAIN) {
			break;
		} else if (errno != EINTR) {
			goto close;
		}
	}
	if (s->out.len)
		ev = EPOLLOUT;
	else if (s->eof || s->inflight >= GW_DNS_TCP_INFLIGHT)
		ev = 0;		/* until an answer comes (EPOLLHUP still does) */
	else
		ev = GW_DNS_TCP_EV;
	sess_watch(gw, s, slot, ev);
	return;
close:
	sess_close(gw, d, s);
}

void gw_dns_tcp_event(struct gw *gw, uint32_t idx, uint32_t events)
{
	struct gw_dns_tcp *d = gw_dns_tcp_get(gw);

	if (!d || idx >= GW_DNS_TCP_SESSIONS || d->s[idx].fd < 0)
		return;
	/* the flow's end is gone: nobody to answer */
	if (events & (EPOLLHUP | EPOLLERR)) {
		sess_close(gw, d, &d->s[idx]);
		return;
	}
	sess_pump(gw, d, idx);
}

void gw_dns_tcp_answer(struct gw *gw, const struct gw_dns_to *to,
		       const uint8_t *msg, size_t len)
{
	struct gw_dns_tcp *d = gw_dns_tcp_get(gw);
	struct gw_dns_tcp_sess *s;
	unsigned slot = to->sess - 1u;

	if (!d || !to->sess || slot >= GW_DNS_TCP_SESSIONS)
		return;
	s = &d->s[slot];
	if (s->fd < 0 || s->gen != to->gen)
		return;		/* closed since: nobody asks any more */
	if (s->inflight)
		s->inflight--;
	if (len && dns_tcp_append(&s->out, msg, len))
		d->answers_dropped++;
	/* the loop comes back (writable) to write it and read on */
	sess_watch(gw, s, slot, s->events | EPOLLOUT);
}

void gw_dns_tcp_tick(struct gw *gw, uint64_t now_ns)
{
	struct gw_dns_tcp *d = gw_dns_tcp_get(gw);
	unsigned i;

	for (i = 0; d && d->n && i < GW_DNS_TCP_SESSIONS; i++) {
		struct gw_dns_tcp_sess *s = &d->s[i];

		/* (@now_ns may be older than a session opened meanwhile) */
		if (s->fd >= 0 && now_ns > s->last_ns &&
		    now_ns - s->last_ns >= GW_DNS_TCP_IDLE_MS * 1000000ull) {
			d->idle_closed++;
			sess_close(gw, d, s);
		}
	}
}

int gw_dns_tcp_timeout_ms(const struct gw *gw, uint64_t now_ns)
{
	const struct gw_dns_tcp *d = gw_dns_tcp_get(gw);
	uint64_t min = UINT64_MAX;
	unsigned i;

	if (!d || !d->n)
		return -1;
	for (i = 0; i < GW_DNS_TCP_SESSIONS; i++)
		if (d->s[i].fd >= 0 && d->s[i].last_ns < min)
			min = d->s[i].last_ns;
	min += GW_DNS_TCP_IDLE_MS * 1000000ull;
	if (min <= now_ns)
		return 0;
	min = (min - now_ns + 999999) / 1000000;
	return min > 1000 ? 1000 : (int)min;
}

void gw_dns_tcp_stats(const struct gw *gw, struct json_object *o)
{
	const struct gw_dns_tcp *d = gw_dns_tcp_get(gw);
	struct json_object *t = json_object_new_object();

	json_add_u64(t, "sessions", d ? d->n : 0);
	json_add_u64(t, "max_sessions", GW_DNS_TCP_SESSIONS);
	json_add_u64(t, "opened", d ? d->opened : 0);
	json_add_u64(t, "queries", d ? d->queries : 0);
	json_add_u64(t, "idle_closed", d ? d->idle_closed : 0);
	json_add_u64(t, "evicted", d ? d->evicted : 0);
	json_add_u64(t, "refused", d ? d->refused : 0);
	json_add_u64(t, "too_long", d ? d->too_long : 0);
	json_add_u64(t, "answers_dropped", d ? d->answers_dropped : 0);
	json_object_object_add(o, "tcp", t);
}

void gw_dns_tcp_free(struct gw *gw)
{
	struct gw_dns_tcp *d = gw_dns_tcp_get(gw);
	unsigned i;

	if (!d)
		return;
	for (i = 0; i < GW_DNS_TCP_SESSIONS; i++)
		if (d->s[i].fd >= 0)
			sess_close(gw, d, &d->s[i]);
	free(d);
	gw->nat->dtcp = NULL;
}
