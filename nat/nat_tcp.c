// SPDX-License-Identifier: MIT
/*
 * nat_tcp.c - the NAT's TCP engine: state machine and host events
 *
 * Theory of operation
 * ===================
 *
 * Model. As in passt, a guest's TCP connection is not translated packet by
 * packet: it is terminated here, and its byte stream is spliced to an
 * ordinary host socket that the caller owns (ops). The guest talks TCP to
 * us; the host kernel talks TCP to the remote end. We keep only sequence
 * state, never a copy of the stream.
 *
 * Sequence spaces (names from RFC 9293 3.3.1, seen from our side):
 *
 *   guest -> host ("rcv"):  irs ... rcv_nxt ... rcv_edge
 *       Bytes before rcv_nxt were taken by the host socket (ops->write)
 *       and acknowledged. rcv_edge is the right edge of the largest window
 *       we advertised. The window is what the host socket can take now
 *       (ops->space), so nothing is buffered here: a short write is
 *       backpressure - we acknowledge only what the socket took, the rest
 *       stays the guest's to retransmit, and when the socket drains
 *       (nat_tcp_host_writable()) a window update reopens the flow.
 *
 *   host -> guest ("snd"):  iss ... snd_una ... snd_nxt ... snd_max
 *       snd_una is the oldest byte the guest has not acknowledged, and the
 *       first byte of the host socket's receive queue.
 *
 * Retransmission: MSG_PEEK, not a buffer. Bytes from the host are read with
 * MSG_PEEK (ops->peek at offset snd_nxt - snd_una) and stay queued in the
 * host socket until the guest acknowledges them; only then are they
 * consumed (ops->discard). To retransmit - on RTO or on three duplicate
 * ACKs - snd_nxt is rewound to snd_una and the same bytes are peeked
 * again (go-back-N: on a virtual link, loss means the guest dropped a
 * burst, and resending the window is cheap). Consequences: per-connection
 * memory is the fixed struct nat_tcp_conn (no per-flow data buffer); the
 * amount in flight is bounded by the host socket's receive buffer, which
 * the kernel already accounts and limits; the socket's receive window
 * toward the remote end naturally closes while the guest is slow.
 * The caller needs SO_PEEK_OFF (or peeks from the head and skips @off
 * bytes) and EPOLLET for EPOLLIN (queued, unacked data keeps the socket
 * readable).
 *
 * States (enum nat_tcp_state):
 *   CONNECTING   guest SYN seen, ops->connect() in progress; nothing is
 *                sent to the guest (a retransmitted SYN is ignored) until
 *                the host connect completes: success -> SYN-ACK, refusal or
 *                connect timeout -> RST (the guest sees ECONNREFUSED at once)
 *   SYN_RCVD     SYN-ACK sent (retransmitted on RTO and on a duplicate SYN)
 *   SYN_SENT     the other way round (published ports): the host socket is
 *                already connected (an accepted client), nat_tcp_open()
 *                sent the guest a SYN, retransmitted with backoff until
 *                connect_timeout_ms. The guest's SYN-ACK -> ACK and
 *                ESTABLISHED, where host data that arrived meanwhile goes
 *                out at once (the edge-triggered EPOLLIN came already: it
 *                only set PENDING); its RST -> the host socket is aborted
 *                so the client sees a reset too. Acceptance follows RFC
 *                9293 3.10.7.3; simultaneous open is not supported (a bare
 *                SYN from the guest is dropped).
 *   ESTABLISHED  data both ways. Half-closes are flags, not states:
 *                GUEST_FIN (guest FIN accepted in sequence -> SHUT_WR on the
 *                host socket, host data keeps flowing to the guest) and
 *                HOST_EOF / FIN_SENT / FIN_ACKED (host EOF -> FIN once the
 *                queue is sent; the guest may keep sending).
 *   LINGER       both FINs exchanged and acknowledged: the host socket is
 *                closed at once; the table entry stays linger_ms to ACK a
 *                retransmitted FIN (a short TIME-WAIT stand-in holding no
 *                socket), then is freed.
 *
 * Segment acceptance follows RFC 9293 3.10.7.4 in order: sequence check
 * (unacceptable -> duplicate ACK, unless RST), RST check (RFC 5961 3.2:
 * exactly rcv_nxt resets, elsewhere in the window -> challenge ACK), SYN
 * check (RFC 5961 4.2: challenge ACK), ACK processing (snd_una, window
 * update with the wl1/wl2 rule, duplicate ACK counting per RFC 5681 2),
 * then data and FIN. Out-of-order data is not queued (that would need a
 * buffer): it is dropped with a duplicate ACK so the guest retransmits
 * from rcv_nxt; data beyond the window is trimmed.
 *
 * Options: MSS (ours is MTU - 40; we send at most the guest's MSS, 536
 * without the option) and window scaling (RFC 7323: only when the guest
 * offered it; SYN windows unscaled). SACK-permitted is not offered - with
 * go-back-N from the host socket there is nothing to gain from selective
 * acknowledgments - and neither are timestamps, so the guest sends
 * neither.
 *
 * Timers (nat_tcp_timer.c): RFC 6298 estimator and backoff; a zero window
 * with data waiting arms the persist timer, which sends window probes;
 * every segment from the guest, including keepalive probes (which are
 * answered: an old sequence number is unacceptable, so it gets an ACK),
 * and every byte sent to it refresh the idle timeout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "nat/nat_tcp_priv.h"

struct nat_tcp_config nat_tcp_config_default(uint16_t mtu)
{
	struct nat_tcp_config c = {
		.mtu = mtu,
		.wscale = 7,
		.connect_timeout_ms = 30000,
		.idle_timeout_ms = 7200000,	/* Linux's keepalive_time */
		.linger_ms = 5000,
		.rto_init_ms = 1000,		/* RFC 6298 2.1 */
		/*
		 * RFC 6298 2.4 asks for a 1 s floor; like Linux we use
		 * 200 ms: the guest is a local virtual link.
		 */
		.rto_min_ms = 200,
		.rto_max_ms = 60000,
		.max_retries = 12,
	};

	return c;
}

int nat_tcp_create(const struct nat_tcp_config *cfg, struct nat_flow_table *ft,
		   const struct nat_tcp_ops *ops, void *ctx,
		   struct nat_tcp **out)
{
	struct nat_tcp *t;

	if (cfg->mtu < 68 + 40 || cfg->wscale > NAT_TCP_WS_MAX ||
	    cfg->seg_max > NAT_TCP_SEG_MAX ||
	    !cfg->rto_min_ms || cfg->rto_min_ms > cfg->rto_max_ms ||
	    !cfg->idle_timeout_ms || !ops->connect || !ops->peek ||
	    !ops->discard || !ops->write || !ops->space ||
	    !ops->shutdown_wr || !ops->close || !ops->emit)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ft = ft;
	t->ops = ops;
	t->ctx = ctx;
	t->cfg = *cfg;
	*out = t;
	return 0;
}

void nat_tcp_destroy(struct nat_tcp *t)
{
	struct nat_flow *f, *next;

	if (!t)
		return;
	for (f = nat_flow_first(t->ft); f; f = next) {
		next = nat_flow_next(t->ft, f);
		if (f->key.proto != NAT_PROTO_TCP)
			continue;
		if (f->tcp.state != NAT_TCP_LINGER)
			t->ops->close(t->ctx, f, true);
		nat_flow_remove(t->ft, f);
	}
	free(t);
}

void nat_tcp_get_stats(const struct nat_tcp *t, struct nat_tcp_stats *st)
{
	*st = t->st;
}

/*
 * Drop the connection: optionally RST the guest (at snd_nxt, acknowledging
 * rcv_nxt unless in SYN_SENT, so a guest in any state accepts it), abort the host socket
 * unless already closed, free the entry.
 */
void tcp_reset(struct nat_tcp *t, struct nat_flow *f, bool rst_guest)
{
	if (rst_guest) {
		/* in SYN_SENT we know no rcv_nxt: <SEQ=SND.NXT><CTL=RST>,
		 * which a guest in SYN-RECEIVED accepts (in its window) */
		tcp_send_ctl(t, f, f->tcp.state == NAT_TCP_SYN_SENT ?
			     NAT_TCP_RST : NAT_TCP_RST | NAT_TCP_ACK,
			     f->tcp.snd_nxt);
		t->st.rst_sent++;
	}
	tcp_want_write(t, f, false);
	if (f->tcp.state != NAT_TCP_LINGER)
		t->ops->close(t->ctx, f, true);
	nat_flow_remove(t->ft, f);
}

void nat_tcp_abort(struct nat_tcp *t, struct nat_flow *f, uint64_t now_ns)
{
	if (f->key.proto == NAT_PROTO_TCP && f->in_use)
		tcp_reset(t, f, f->tcp.state != NAT_TCP_LINGER);
}

/* both directions finished: close the host socket, linger briefly */
void tcp_check_done(struct nat_tcp *t, struct nat_flow *f, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;

	if (c->state != NAT_TCP_ESTABLISHED ||
	    !(c->flags & NAT_TCPF_GUEST_FIN) ||
	    !(c->flags & NAT_TCPF_FIN_ACKED))
		return;
	tcp_want_write(t, f, false);
	t->ops->close(t->ctx, f, false);
	c->state = NAT_TCP_LINGER;
	c->timer_at = now + t->cfg.linger_ms * NS_PER_MS;
}

/* RFC 6528: ISN = M + F(4-tuple, secret), M a 4 microsecond clock */
static uint32_t tcp_isn(const struct nat_tcp *t, const struct nat_flow_key *k,
			uint64_t now)
{
	uint8_t b[13];

	memcpy(b, &k->guest_ip, 4);
	memcpy(b + 4, &k->remote_ip, 4);
	memcpy(b + 8, &k->guest_port, 2);
	memcpy(b + 10, &k->remote_port, 2);
	b[12] = 0x15;	/* domain separation from the table's hashes */
	return (uint32_t)nat_siphash(nat_flow_hash_key(t->ft), b, sizeof(b)) +
	       (uint32_t)(now / 4000);
}

static void established(struct nat_tcp *t, struct nat_flow *f, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;

	c->state = NAT_TCP_SYN_RCVD;
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->retries = 0;
	c->timer_at = now + c->rto;
	c->flags |= NAT_TCPF_RTT;	/* time the SYN-ACK (RFC 6298 2.1) */
	c->rtt_seq = c->iss + 1;
	c->rtt_start = now;
	tcp_send_synack(t, f);
}

/*
 * What the guest's SYN (passive open) or SYN-ACK (active open) tells us:
 * its sequence space, its window (RFC 7323 2.2: unscaled on a SYN), its
 * MSS (536 without the option, never above ours or below 64) and window
 * scaling, which is on when it offered the option (ours always does).
 * Payload on a SYN is ignored, as Linux does: the guest sends it again.
 */
static void syn_learn(const struct nat_tcp *t, struct nat_tcp_conn *c,
		      const struct nat_seg *s)
{
	uint16_t mss_max = (uint16_t)(t->cfg.mtu - 40);

	c->irs = s->seq;
	c->rcv_nxt = c->rcv_edge = s->seq + 1;
	c->snd_wnd = s->win;
	c->snd_wl1 = s->seq;
	c->snd_mss = s->mss ? s->mss : NAT_TCP_MSS_DEFAULT;
	c->snd_mss = MAX(MIN(c->snd_mss, mss_max), (uint16_t)64);
	if (s->wscale >= 0) {
		c->flags |= NAT_TCPF_WS;
		c->snd_wscale = (uint8_t)s->wscale;
		c->rcv_wscale = t->cfg.wscale;
	}
}

/* a segment of no connection: a SYN opens one, anything else gets a RST */
static void new_conn(struct nat_tcp *t, const struct nat_seg *s, uint64_t now)
{
	struct nat_flow_key k = {
		.guest_ip = s->saddr, .guest_port = s->sport,
		.remote_ip = s->daddr, .remote_port = s->dport,
		.proto = NAT_PROTO_TCP,
	};
	struct nat_tcp_conn *c;
	struct nat_flow *f;
	int ret;

	if (s->flags & NAT_TCP_RST)
		return;
	if ((s->flags & (NAT_TCP_SYN | NAT_TCP_ACK)) != NAT_TCP_SYN) {
		t->st.no_flow++;
		tcp_send_rst_reply(t, s);
		return;
	}
	if (s->flags & NAT_TCP_FIN) {
		t->st.bad_seg++;
		return;
	}
	ret = nat_flow_insert(t->ft, &k, &f);
	if (ret) {
		t->st.limited++;
		tcp_send_rst_reply(t, s);
		return;
	}
	c = &f->tcp;
	c->state = NAT_TCP_CONNECTING;
	syn_learn(t, c, s);
	c->iss = tcp_isn(t, &k, now);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->snd_wl2 = c->iss;
	c->rto = t->cfg.rto_init_ms * NS_PER_MS;
	c->active_at = now;
	c->timer_at = now + t->cfg.connect_timeout_ms * NS_PER_MS;

	ret = t->ops->connect(t->ctx, f);
	if (ret < 0) {
		/* refused at once: RST now, the guest sees ECONNREFUSED */
		t->st.refused++;
		tcp_reset(t, f, true);
		return;
	}
	if (ret > 0)
		established(t, f, now);
}

int nat_tcp_open(struct nat_tcp *t, const struct nat_flow_key *k,
		 int host_id, uint64_t now_ns, struct nat_flow **out)
{
	struct nat_tcp_conn *c;
	struct nat_flow *f;
	int ret;

	if (k->proto != NAT_PROTO_TCP)
		return -EINVAL;
	ret = nat_flow_insert(t->ft, k, &f);
	if (ret) {
		t->st.limited++;
		return ret;
	}
	f->host_id = host_id;
	c = &f->tcp;
	c->state = NAT_TCP_SYN_SENT;
	c->iss = tcp_isn(t, k, now_ns);
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->snd_mss = NAT_TCP_MSS_DEFAULT;
	c->rto = t->cfg.rto_init_ms * NS_PER_MS;
	c->active_at = now_ns;
	c->timer_at = now_ns + c->rto;
	c->flags |= NAT_TCPF_RTT;	/* time the SYN (RFC 6298 2.1) */
	c->rtt_seq = c->iss + 1;
	c->rtt_start = now_ns;		/* also the give-up clock */
	tcp_send_syn(t, f);
	if (out)
		*out = f;
	return 0;
}

/*
 * RFC 9293 3.10.7.3: a segment for a connection in SYN_SENT. Only the
 * guest's SYN-ACK to our SYN moves it on; see nat_tcp_open().
 */
static void input_syn_sent(struct nat_tcp *t, struct nat_flow *f,
			   const struct nat_seg *s, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;
	int ret;

	/* first: the ACK must acknowledge our SYN, and nothing else */
	if ((s->flags & NAT_TCP_ACK) &&
	    (SEQ_LE(s->ack, c->iss) || SEQ_GT(s->ack, c->snd_nxt))) {
		if (!(s->flags & NAT_TCP_RST)) {
			t->st.bad_seg++;
			tcp_send_ctl(t, f, NAT_TCP_RST, s->ack);
		}
		return;
	}
	/* second: a RST with an acceptable ACK refuses the connection */
	if (s->flags & NAT_TCP_RST) {
		if (s->flags & NAT_TCP_ACK) {
			t->st.rst_rcvd++;
			t->st.refused++;
			tcp_reset(t, f, false);
		}
		return;
	}
	/* fourth: SYN. Without an ACK it would be a simultaneous open */
	if ((s->flags & (NAT_TCP_SYN | NAT_TCP_ACK)) !=
	    (NAT_TCP_SYN | NAT_TCP_ACK))
		return;
	if (s->flags & NAT_TCP_FIN) {
		t->st.bad_seg++;
		return;
	}
	syn_learn(t, c, s);
	c->snd_una = s->ack;
	c->snd_wl2 = s->ack;
	if ((c->flags & NAT_TCPF_RTT) && !c->retries)
		tcp_rtt_sample(t, f, now);
	c->flags &= (uint8_t)~NAT_TCPF_RTT;
	c->state = NAT_TCP_ESTABLISHED;
	c->retries = 0;
	c->timer_at = 0;
	t->st.opened++;
	/* what the host client sent already (PENDING, HOST_EOF were noted
	 * in SYN_SENT): the ACK rides on its data, else goes alone */
	ret = tcp_send_data(t, f, now);
	if (ret < 0) {
		tcp_reset(t, f, true);
		return;
	}
	if (!ret)
		tcp_send_ack(t, f);
	tcp_timer_update(t, f, now);
}

void nat_tcp_connected(struct nat_tcp *t, struct nat_flow *f,
		       uint64_t now_ns)
{
	if (f->key.proto != NAT_PROTO_TCP || !f->in_use ||
	    f->tcp.state != NAT_TCP_CONNECTING)
		return;
	established(t, f, now_ns);
}

void nat_tcp_connect_failed(struct nat_tcp *t, struct nat_flow *f, int err,
			    uint64_t now_ns)
{
	if (f->key.proto != NAT_PROTO_TCP || !f->in_use ||
	    f->tcp.state != NAT_TCP_CONNECTING)
		return;
	t->st.refused++;
	tcp_reset(t, f, true);
}

/* RFC 9293 3.10.7.4, first check: is any of the segment in the window? */
static bool seq_acceptable(const struct nat_tcp_conn *c, uint32_t seq,
			   uint32_t seglen)
{
	uint32_t wnd = SEQ_GT(c->rcv_edge, c->rcv_nxt) ?
		       c->rcv_edge - c->rcv_nxt : 0;
	bool in_first, in_last;

	if (!wnd)
		/* zero window: only the exact next sequence number (its
		 * ACK, RST and window are used; data gets trimmed off) */
		return seq == c->rcv_nxt;
	in_first = SEQ_LE(c->rcv_nxt, seq) && SEQ_LT(seq, c->rcv_nxt + wnd);
	if (!seglen)
		return in_first;
	in_last = SEQ_LE(c->rcv_nxt, seq + seglen - 1) &&
		  SEQ_LT(seq + seglen - 1, c->rcv_nxt + wnd);
	return in_first || in_last;
}

static void challenge_ack(struct nat_tcp *t, struct nat_flow *f)
{
	t->st.challenge_acks++;
	tcp_send_ack(t, f);
}

/*
 * RFC 9293 3.10.7.4, fifth check, for ESTABLISHED. Return 1 to go on with
 * the segment, 0 to drop it (an ACK of data never sent), -errno when the
 * host socket failed to discard acknowledged bytes.
 */
static int process_ack(struct nat_tcp *t, struct nat_flow *f,
			const struct nat_seg *s, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;
	uint32_t wnd = (uint32_t)s->win << ((c->flags & NAT_TCPF_WS) ?
					    c->snd_wscale : 0);

	if (SEQ_GT(s->ack, c->snd_max)) {
		/* acknowledges something not yet sent */
		tcp_send_ack(t, f);
		return 0;
	}
	if (SEQ_GT(s->ack, c->snd_una)) {
		uint32_t acked = s->ack - c->snd_una;
		bool fin = (c->flags & NAT_TCPF_FIN_SENT) &&
			   SEQ_GT(s->ack, c->fin_seq);
		int ret;

		if (acked - fin) {
			ret = t->ops->discard(t->ctx, f, acked - fin);
			if (ret < 0)
				return ret;
		}
		c->snd_una = s->ack;
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		if (fin)
			c->flags |= NAT_TCPF_FIN_ACKED;
		if ((c->flags & NAT_TCPF_RTT) && SEQ_GE(s->ack, c->rtt_seq))
			tcp_rtt_sample(t, f, now);
		c->retries = 0;
		c->dupacks = 0;
		c->timer_at = 0;	/* restarted by tcp_timer_update() */
	} else if (s->ack == c->snd_una && !s->len &&
		   !(s->flags & (NAT_TCP_SYN | NAT_TCP_FIN)) &&
		   c->snd_una != c->snd_max && wnd == c->snd_wnd) {
		/* RFC 5681 2: a duplicate ACK; the third one -> fast rexmit */
		if (++c->dupacks == 3) {
			t->st.fast_retrans++;
			c->snd_nxt = c->snd_una;
			c->flags &= (uint8_t)~NAT_TCPF_RTT;	/* Karn */
		}
	} else if (s->ack == c->snd_una) {
		c->dupacks = 0;
	}
	/* window update: only from a newer segment (SND.WL1 / SND.WL2) */
	if (SEQ_LT(c->snd_wl1, s->seq) ||
	    (c->snd_wl1 == s->seq && SEQ_LE(c->snd_wl2, s->ack))) {
		c->snd_wnd = wnd;
		c->snd_wl1 = s->seq;
		c->snd_wl2 = s->ack;
	}
	return 1;
}

/*
 * RFC 9293 3.10.7.4, seventh and eighth checks: hand in-order data to the
 * host socket, accept a FIN that follows it. Return -errno when the host
 * socket failed.
 */
static int process_data(struct nat_tcp *t, struct nat_flow *f,
			const struct nat_seg *s, bool *ack_now)
{
	struct nat_tcp_conn *c = &f->tcp;
	const uint8_t *data = s->data;
	uint32_t seq = s->seq, len = (uint32_t)s->len;
	bool fin = s->flags & NAT_TCP_FIN;
	ssize_t n;

	if (len || fin)
		*ack_now = true;	/* every data segment is acknowledged */
	/* trim what we already have off the front */
	if (SEQ_LT(seq, c->rcv_nxt)) {
		uint32_t d = c->rcv_nxt - seq;

		if (d >= len) {
			/* only a FIN may be left, if it is not old too */
			fin = fin && d == len;
			data += len;
			len = 0;
		} else {
			data += d;
			len -= d;
		}
		seq = c->rcv_nxt;
	}
	/* and what lies beyond the window off the back (FIN with it) */
	if (SEQ_GT(seq + len, c->rcv_edge)) {
		len = SEQ_GT(c->rcv_edge, seq) ? c->rcv_edge - seq : 0;
		fin = false;
	}
	if (seq != c->rcv_nxt) {
		/* out of order: not queued; a duplicate ACK asks for rcv_nxt */
		t->st.dup_acks++;
		return 0;
	}
	if (c->flags & NAT_TCPF_GUEST_FIN)
		return 0;	/* nothing follows a FIN */
	if (len) {
		n = t->ops->write(t->ctx, f, data, len);
		if (n == -EAGAIN)
			n = 0;
		if (n < 0)
			return (int)n;
		if ((size_t)n > len)
			n = (ssize_t)len;
		c->rcv_nxt += (uint32_t)n;
		t->st.to_host += (uint64_t)n;
		if ((uint32_t)n < len)
			fin = false;	/* backpressure: the FIN comes later */
	}
	if (fin) {
		c->rcv_nxt++;
		c->flags |= NAT_TCPF_GUEST_FIN;
		t->ops->shutdown_wr(t->ctx, f);
	}
	return 0;
}

static void input_synchronized(struct nat_tcp *t, struct nat_flow *f,
			       const struct nat_seg *s, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;
	uint32_t seglen = (uint32_t)s->len + !!(s->flags & NAT_TCP_SYN) +
			  !!(s->flags & NAT_TCP_FIN);
	bool ack_now = false;
	int ret;

	/* a retransmitted SYN: our SYN-ACK got lost */
	if (c->state == NAT_TCP_SYN_RCVD &&
	    (s->flags & (NAT_TCP_SYN | NAT_TCP_ACK | NAT_TCP_RST)) ==
	    NAT_TCP_SYN && s->seq == c->irs) {
		tcp_send_synack(t, f);
		return;
	}
	/* 1. sequence number */
	if (!seq_acceptable(c, s->seq, seglen)) {
		if (!(s->flags & NAT_TCP_RST)) {
			t->st.dup_acks++;
			tcp_send_ack(t, f);
		}
		return;
	}
	/* 2. RST (RFC 5961 3.2) */
	if (s->flags & NAT_TCP_RST) {
		if (s->seq == c->rcv_nxt) {
			t->st.rst_rcvd++;
			tcp_reset(t, f, false);
		} else {
			challenge_ack(t, f);
		}
		return;
	}
	/* 4. SYN in a synchronized state (RFC 5961 4.2) */
	if (s->flags & NAT_TCP_SYN) {
		challenge_ack(t, f);
		return;
	}
	/* 5. ACK */
	if (!(s->flags & NAT_TCP_ACK))
		return;
	if (c->state == NAT_TCP_SYN_RCVD) {
		if (s->ack != c->iss + 1) {
			/* RFC 9293 3.10.7.4: <SEQ=SEG.ACK><CTL=RST> */
			tcp_send_ctl(t, f, NAT_TCP_RST, s->ack);
			return;
		}
		c->state = NAT_TCP_ESTABLISHED;
		c->snd_una = s->ack;
		c->snd_wnd = (uint32_t)s->win <<
			     ((c->flags & NAT_TCPF_WS) ? c->snd_wscale : 0);
		c->snd_wl1 = s->seq;
		c->snd_wl2 = s->ack;
		if ((c->flags & NAT_TCPF_RTT) && !c->retries)
			tcp_rtt_sample(t, f, now);
		c->flags &= (uint8_t)~NAT_TCPF_RTT;
		c->retries = 0;
		c->timer_at = 0;
		t->st.opened++;
	} else {
		ret = process_ack(t, f, s, now);
		if (ret < 0)
			tcp_reset(t, f, true);
		if (ret <= 0)
			return;
	}
	/* 7., 8. data and FIN */
	if (process_data(t, f, s, &ack_now) < 0) {
		tcp_reset(t, f, true);
		return;
	}
	/* our data: the window may have opened, a rewind may be pending */
	ret = tcp_send_data(t, f, now);
	if (ret < 0) {
		tcp_reset(t, f, true);
		return;
	}
	/* data segments carry the acknowledgment: no separate ACK then */
	if (ack_now && !ret)
		tcp_send_ack(t, f);
	tcp_timer_update(t, f, now);
	tcp_check_done(t, f, now);
}

void nat_tcp_input(struct nat_tcp *t, const struct nat_seg *s,
		   uint64_t now_ns)
{
	struct nat_flow_key k = {
		.guest_ip = s->saddr, .guest_port = s->sport,
		.remote_ip = s->daddr, .remote_port = s->dport,
		.proto = NAT_PROTO_TCP,
	};
	struct nat_flow *f = nat_flow_lookup(t->ft, &k);
	struct nat_tcp_conn *c;

	if (!f) {
		new_conn(t, s, now_ns);
		return;
	}
	c = &f->tcp;
	c->active_at = now_ns;
	switch (c->state) {
	case NAT_TCP_CONNECTING:
		/* the guest is in SYN-SENT and hears nothing yet; its RST
		 * (RFC 9293 3.10.7.3 from its side) ends the attempt */
		if ((s->flags & NAT_TCP_RST) && s->seq == c->rcv_nxt) {
			t->st.rst_rcvd++;
			tcp_reset(t, f, false);
		}
		break;
	case NAT_TCP_SYN_SENT:
		input_syn_sent(t, f, s, now_ns);
		break;
	case NAT_TCP_LINGER:
		/*
		 * TIME-WAIT-like: re-ACK a retransmitted FIN, die on RST. A
		 * new SYN above the old sequence space reopens the 4-tuple
		 * at once (RFC 1122 4.2.2.13), so a guest reusing its port
		 * does not wait for the linger to end.
		 */
		if ((s->flags & (NAT_TCP_SYN | NAT_TCP_ACK | NAT_TCP_RST)) ==
		    NAT_TCP_SYN && SEQ_GT(s->seq, c->rcv_nxt)) {
			tcp_reset(t, f, false);
			new_conn(t, s, now_ns);
		} else if (s->flags & NAT_TCP_RST) {
			tcp_reset(t, f, false);
		} else {
			tcp_send_ack(t, f);
		}
		break;
	default:
		input_synchronized(t, f, s, now_ns);
		break;
	}
}

void nat_tcp_host_readable(struct nat_tcp *t, struct nat_flow *f,
			   uint64_t now_ns)
{
	if (f->key.proto != NAT_PROTO_TCP || !f->in_use)
		return;
	if (f->tcp.state == NAT_TCP_LINGER)
		return;
	f->tcp.flags |= NAT_TCPF_PENDING;
	if (tcp_send_data(t, f, now_ns) < 0)
		tcp_reset(t, f, true);
}

void nat_tcp_host_writable(struct nat_tcp *t, struct nat_flow *f,
			   uint64_t now_ns)
{
	struct nat_tcp_conn *c = &f->tcp;

	if (f->key.proto != NAT_PROTO_TCP || !f->in_use ||
	    c->state != NAT_TCP_ESTABLISHED || !(c->flags & NAT_TCPF_WANT_WRITE))
		return;
	/* window update: tcp_rcv_window() clears WANT_WRITE if it reopened */
	tcp_send_ack(t, f);
}

void nat_tcp_host_eof(struct nat_tcp *t, struct nat_flow *f, uint64_t now_ns)
{
	if (f->key.proto != NAT_PROTO_TCP || !f->in_use ||
	    f->tcp.state == NAT_TCP_LINGER || f->tcp.state == NAT_TCP_CONNECTING)
		return;
	f->tcp.flags |= NAT_TCPF_HOST_EOF;
	if (tcp_send_data(t, f, now_ns) < 0) {
		tcp_reset(t, f, true);
		return;
	}
	tcp_check_done(t, f, now_ns);
}

void nat_tcp_host_error(struct nat_tcp *t, struct nat_flow *f, int err,
			uint64_t now_ns)
{
	if (f->key.proto != NAT_PROTO_TCP || !f->in_use)
		return;
	tcp_reset(t, f, f->tcp.state != NAT_TCP_LINGER);
}
