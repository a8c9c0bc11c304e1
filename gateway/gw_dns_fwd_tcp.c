// SPDX-License-Identifier: MIT
/*
 * gw_dns_fwd_tcp.c - retrying a truncated upstream answer over TCP
 *
 * Theory of operation
 * -------------------
 * When an upstream answers a forwarded query over UDP with TC=1
 * (dns_fwd_reply() says DNS_FWD_TRUNCATED), gw_dns_fwd.c hands the query here
 * instead of relaying the stub. The query keeps its slot in gw->fwd (and
 * its upstream ID) and takes one of GW_DNS_FWD_TCP connection slots:
 *
 *   1. a non-blocking TCP socket connect()s to the same upstream address
 *	and port, watched by the switch's epoll for EPOLLOUT (tag
 *	GW_DNS_FWD_TCP_TAG + slot);
 *   2. once writable, the query is written with its 2-byte length
 *	prefix (RFC 1035 4.2.2): the client's query exactly as it went out
 *	over UDP (our ID in it), which gw_dns_fwd.c keeps for every query in
 *	flight up to GW_DNS_FWD_QKEEP bytes, so its EDNS options (the DO bit,
 *	a cookie) reach the upstream again. A longer query (rare: a name is
 *	at most 255 bytes) is rebuilt from what dns_fwd_prepare() recorded
 *	(name, type, class, RD/CD, a bare OPT RR), counted as
 *	"tcp_fallbacks_rebuilt";
 *   3. then watched for EPOLLIN, the reply is read into the slot's fixed
 *	buffer (GW_DNS_FWD_TCP_MAX; a longer reply is not read: the client gets
 *	an empty answer with TC=1), checked by dns_fwd_reply() like a UDP one
 *	and relayed to the client: over UDP if it fits the client's EDNS size
 *	(512 without EDNS) and the network's MTU, else as an empty answer
 *	with TC=1, so that the client retries over TCP itself; to a client
 *	that asked over TCP (gw_dns_tcp.c) whole, or SERVFAIL if too long.
 *
 * The query's timeout starts again with the TCP attempt; when it expires
 * (gw_tick()), or the connection fails, closes early or brings a bad
 * reply, the client gets SERVFAIL (gw_dns_fwd_fail(), which closes the slot).
 * With every slot busy the truncated UDP answer is relayed as it is.
 * Buffers are allocated once, when forwarding is configured: nothing is
 * allocated per query.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "dns/dns_server.h"
#include "gateway/gw_priv.h"
#include "vswitch/port.h"

/*
 * write the query with its length prefix into @t->out: the client's own as
 * sent over UDP (our ID in it) when kept, else rebuilt from @q->f
 */
static int gw_dns_fwd_tcp_query(struct gw *gw, struct gw_dns_fwd_tcp *t,
			    const struct gw_dns_fwd_q *q)
{
	const struct dns_fwd *f = &q->f;
	struct dns_builder b;
	size_t len;

	if (q->qlen && gw->fwd_keep) {
		len = q->qlen;
		memcpy(t->out + 2, gw->fwd_keep +
		       (size_t)(q - gw->fwd) * GW_DNS_FWD_QKEEP, len);
		goto prefix;
	}
	gw->dns_st.tcp_rebuilt++;
	if (dns_b_init(&b, t->out + 2, GW_DNS_FWD_TCP_QMAX, f->upstream_id,
		       f->flags & (DNS_F_RD | DNS_F_CD)))
		return -ENOBUFS;
	if (f->edns)
		dns_b_reserve(&b, DNS_OPT_LEN);
	if (dns_b_question(&b, &f->qname, f->qtype, f->qclass) ||
	    (f->edns && dns_b_opt(&b, DNS_EDNS_SIZE, DNS_R_NOERROR)))
		return -ENOBUFS;
	len = dns_b_finish(&b);
prefix:
	t->out[0] = (uint8_t)(len >> 8);
	t->out[1] = (uint8_t)len;
	t->out_len = (uint16_t)(len + 2);
	t->out_off = 0;
	return 0;
}

/**
 * gw_dns_fwd_tcp_start() - retry query @q over TCP to its upstream
 * @gw:		gateway (forwarding configured, inside a switch)
 * @q:		a query in flight whose UDP answer was truncated
 * Return: 0 (the reply or a SERVFAIL follows later), or -errno: -EBUSY
 * (every slot in use), -ENOTCONN (no switch loop), or the socket's error;
 * then the caller relays the truncated answer
 */
int gw_dns_fwd_tcp_start(struct gw *gw, struct gw_dns_fwd_q *q)
{
	const struct gw_upstream *up = &gw->up[q->upstream];
	struct gw_dns_fwd_tcp *t = NULL;
	unsigned i;
	int fd, ret;

	if (!gw->tcp_buf || !gw->port)
		return -ENOTCONN;
	for (i = 0; i < GW_DNS_FWD_TCP && !t; i++)
		if (!gw->tcp[i].used)
			t = &gw->tcp[i];
	if (!t)
		return -EBUSY;
	i = (unsigned)(t - gw->tcp);
	if (gw_dns_fwd_tcp_query(gw, t, q))
		return -ENOBUFS;
	fd = socket(up->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&up->ss, up->len) &&
	    errno != EINPROGRESS) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = vsw_port_watch(gw->port, fd, GW_DNS_FWD_TCP_TAG + i, EPOLLOUT);
	if (ret) {
		close(fd);
		return ret;
	}
	t->used = true;
	t->reading = false;
	t->fd = fd;
	t->q = (unsigned)(q - gw->fwd);
	t->in = gw->tcp_buf + (size_t)i * (GW_DNS_FWD_TCP_MAX + 2);
	t->in_len = 0;
	q->tcp = (uint8_t)(i + 1);
	q->deadline_ns = now_mono_ns() + (uint64_t)(gw->cfg.timeout_ms ?
		gw->cfg.timeout_ms : GW_DNS_TIMEOUT_MS) * 1000000ull;
	gw->dns_st.tcp_fallbacks++;
	return 0;
}

/**
 * gw_dns_fwd_tcp_close() - close TCP slot @slot and detach it from its query
 * The query itself stays in flight (the caller answers or fails it).
 */
void gw_dns_fwd_tcp_close(struct gw *gw, unsigned slot)
{
	struct gw_dns_fwd_tcp *t = &gw->tcp[slot];

	if (!t->used)
		return;
	if (gw->port)
		vsw_port_unwatch(gw->port, t->fd);
	close(t->fd);
	gw->fwd[t->q].tcp = 0;
	t->used = false;
}

/** gw_dns_fwd_tcp_free() - close every slot and free the buffers */
void gw_dns_fwd_tcp_free(struct gw *gw)
{
	unsigned i;

	for (i = 0; i < GW_DNS_FWD_TCP; i++)
		gw_dns_fwd_tcp_close(gw, i);
	free(gw->tcp_buf);
	gw->tcp_buf = NULL;
}

/* connected (or failed): write the query, then wait for the reply */
static int gw_dns_fwd_tcp_write(struct gw *gw, struct gw_dns_fwd_tcp *t,
			    unsigned slot)
{
	ssize_t w = send(t->fd, t->out + t->out_off,
			 (size_t)(t->out_len - t->out_off),
			 MSG_DONTWAIT | MSG_NOSIGNAL);

	if (w < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	t->out_off = (uint16_t)(t->out_off + w);
	if (t->out_off < t->out_len)
		return 0;
	t->reading = true;
	vsw_port_unwatch(gw->port, t->fd);
	return vsw_port_watch(gw->port, t->fd, GW_DNS_FWD_TCP_TAG + slot, EPOLLIN);
}

/*
 * read what there is; 1 when the reply is complete (or too long to keep,
 * then *@len is 0), 0 to wait, -errno on failure
 */
static int gw_dns_fwd_tcp_read(struct gw_dns_fwd_tcp *t, size_t *len)
{
	for (;;) {
		size_t want = 2, mlen = 0;
		ssize_t r;

		if (t->in_len >= 2) {
			mlen = (size_t)(t->in[0] << 8 | t->in[1]);
			if (mlen > GW_DNS_FWD_TCP_MAX) {
				*len = 0;
				return 1;
			}
			if (t->in_len == 2 + mlen) {
				*len = mlen;
				return 1;
			}
			want = 2 + mlen;
		}
		r = recv(t->fd, t->in + t->in_len, want - t->in_len,
			 MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (!r)
			return -ECONNRESET;	/* closed before the end */
		t->in_len += (size_t)r;
	}
}

/**
 * gw_dns_fwd_tcp_event() - the switch loop says TCP slot @slot is ready
 * @gw:		gateway
 * @slot:	index in gw->tcp
 * @events:	epoll events
 */
void gw_dns_fwd_tcp_event(struct gw *gw, unsigned slot, uint32_t events)
{
	struct gw_dns_fwd_tcp *t;
	struct gw_dns_fwd_q *q;
	size_t len = 0;
	int ret;

	if (slot >= GW_DNS_FWD_TCP || !gw->tcp[slot].used)
		return;
	t = &gw->tcp[slot];
	q = &gw->fwd[t->q];
	if (!t->reading) {
		ret = (events & EPOLLERR) ? -ECONNREFUSED :
			gw_dns_fwd_tcp_write(gw, t, slot);
		if (ret)
			gw_dns_fwd_fail(gw, q, true);
		return;
	}
	ret = gw_dns_fwd_tcp_read(t, &len);
	if (!ret)
		return;
	if (ret < 0 || (len && dns_fwd_reply(&q->f, t->in + 2, len) < 0)) {
		gw->dns_st.dropped += ret > 0;	/* a bad reply */
		gw_dns_fwd_fail(gw, q, true);
		return;
	}
	gw_dns_fwd_tcp_close(gw, slot);
	/* what the client can take: over UDP its EDNS size and the network's
	 * MTU; too long to read (len 0): an empty answer with TC=1 (over
	 * TCP: SERVFAIL) */
	gw_dns_fwd_relay(gw, q, t->in + 2, len ? len : SIZE_MAX,
		     gw_dns_fwd_max(gw, q, true));
}
