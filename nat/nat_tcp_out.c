// SPDX-License-Identifier: MIT
/*
 * nat_tcp_out.c - the TCP engine's output: ACKs, RSTs, SYN-ACKs, data
 *
 * Everything the guest receives is built here from the connection state
 * and handed to ops->emit (SYNs of nat_tcp_open() included). Data is never stored: it is peeked from the host
 * socket's receive queue at the offset of snd_nxt (see "Retransmission" in
 * nat_tcp.c) into the engine's one scratch buffer and emitted at once.
 */
#include <errno.h>

#include "common/util.h"
#include "nat/nat_tcp_priv.h"

static void seg_init(const struct nat_flow *f, struct nat_seg *s)
{
	*s = (struct nat_seg){
		.saddr = f->key.remote_ip, .sport = f->key.remote_port,
		.daddr = f->key.guest_ip, .dport = f->key.guest_port,
		.wscale = -1,
	};
}

void tcp_want_write(struct nat_tcp *t, struct nat_flow *f, bool on)
{
	struct nat_tcp_conn *c = &f->tcp;

	if (!!(c->flags & NAT_TCPF_WANT_WRITE) == on)
		return;
	if (on)
		c->flags |= NAT_TCPF_WANT_WRITE;
	else
		c->flags &= (uint8_t)~NAT_TCPF_WANT_WRITE;
	if (t->ops->want_write)
		t->ops->want_write(t->ctx, f, on);
}

/*
 * The receive window is what the host socket can take right now (no
 * buffering here). It may shrink below an edge advertised earlier (RFC
 * 9293 3.8.6.2.2 discourages, but allows, that): segments up to the old
 * edge stay acceptable, and whatever the socket does not take is simply not
 * acknowledged, so the guest sends it again.
 */
uint32_t tcp_rcv_window(struct nat_tcp *t, struct nat_flow *f)
{
	struct nat_tcp_conn *c = &f->tcp;
	uint32_t shift = (c->flags & NAT_TCPF_WS) ? c->rcv_wscale : 0;
	uint32_t max = 65535u << shift;
	size_t space = 0;
	uint32_t wnd;

	if (!(c->flags & NAT_TCPF_GUEST_FIN) && c->state != NAT_TCP_LINGER)
		space = t->ops->space(t->ctx, f);
	wnd = (uint32_t)MIN(space, (size_t)max);
	wnd &= ~((1u << shift) - 1);	/* what the scaled field can say */
	if (SEQ_GT(c->rcv_nxt + wnd, c->rcv_edge))
		c->rcv_edge = c->rcv_nxt + wnd;
	/* a small window: have the caller tell us when the socket drains */
	tcp_want_write(t, f, c->state != NAT_TCP_LINGER &&
		       !(c->flags & NAT_TCPF_GUEST_FIN) &&
		       wnd < (uint32_t)t->cfg.mtu - 40u);
	return wnd;
}

static uint16_t win_field(struct nat_tcp *t, struct nat_flow *f)
{
	uint32_t wnd = tcp_rcv_window(t, f);

	if (f->tcp.flags & NAT_TCPF_WS)
		wnd >>= f->tcp.rcv_wscale;
	return (uint16_t)wnd;
}

void tcp_send_ctl(struct nat_tcp *t, struct nat_flow *f, uint8_t flags,
		  uint32_t seq)
{
	struct nat_seg s;

	seg_init(f, &s);
	s.seq = seq;
	s.flags = flags;
	if (flags & NAT_TCP_ACK) {
		s.ack = f->tcp.rcv_nxt;
		s.win = (flags & NAT_TCP_RST) ? 0 : win_field(t, f);
	}
	t->ops->emit(t->ctx, f, &s);
}

void tcp_send_ack(struct nat_tcp *t, struct nat_flow *f)
{
	tcp_send_ctl(t, f, NAT_TCP_ACK, f->tcp.snd_nxt);
}

void tcp_send_synack(struct nat_tcp *t, struct nat_flow *f)
{
	struct nat_tcp_conn *c = &f->tcp;
	size_t space = t->ops->space(t->ctx, f);
	struct nat_seg s;

	seg_init(f, &s);
	s.seq = c->iss;
	s.ack = c->rcv_nxt;
	s.flags = NAT_TCP_SYN | NAT_TCP_ACK;
	/* RFC 7323 2.2: the window of a SYN is never scaled */
	s.win = (uint16_t)MIN(space, (size_t)65535);
	if (SEQ_GT(c->rcv_nxt + s.win, c->rcv_edge))
		c->rcv_edge = c->rcv_nxt + s.win;
	s.mss = (uint16_t)(t->cfg.mtu - 40);
	if (c->flags & NAT_TCPF_WS)
		s.wscale = (int8_t)c->rcv_wscale;
	/* SACK-permitted and timestamps are not offered (nat_tcp.c) */
	t->ops->emit(t->ctx, f, &s);
}

/* our SYN of an active open (nat_tcp_open()), first or retransmitted */
void tcp_send_syn(struct nat_tcp *t, struct nat_flow *f)
{
	size_t space = t->ops->space(t->ctx, f);
	struct nat_seg s;

	seg_init(f, &s);
	s.seq = f->tcp.iss;
	s.flags = NAT_TCP_SYN;
	s.win = (uint16_t)MIN(space, (size_t)65535);	/* never scaled */
	s.mss = (uint16_t)(t->cfg.mtu - 40);
	/* always offered; used only if the guest's SYN-ACK offers it too */
	s.wscale = (int8_t)t->cfg.wscale;
	t->ops->emit(t->ctx, f, &s);
}

/* RFC 9293 3.10.7.1: the reset answering a segment of no connection */
void tcp_send_rst_reply(struct nat_tcp *t, const struct nat_seg *in)
{
	struct nat_seg s = {
		.saddr = in->daddr, .sport = in->dport,
		.daddr = in->saddr, .dport = in->sport,
		.wscale = -1,
	};

	if (in->flags & NAT_TCP_RST)
		return;
	if (in->flags & NAT_TCP_ACK) {
		s.seq = in->ack;
		s.flags = NAT_TCP_RST;
	} else {
		s.ack = in->seq + (uint32_t)in->len +
			!!(in->flags & NAT_TCP_SYN) +
			!!(in->flags & NAT_TCP_FIN);
		s.flags = NAT_TCP_RST | NAT_TCP_ACK;
	}
	t->ops->emit(t->ctx, NULL, &s);
}

static void send_fin(struct nat_tcp *t, struct nat_flow *f)
{
	struct nat_tcp_conn *c = &f->tcp;

	if (!(c->flags & NAT_TCPF_FIN_SENT)) {
		c->fin_seq = c->snd_nxt;
		c->flags |= NAT_TCPF_FIN_SENT;
	}
	tcp_send_ctl(t, f, NAT_TCP_FIN | NAT_TCP_ACK, c->fin_seq);
	c->snd_nxt = c->fin_seq + 1;
	if (SEQ_GT(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
}

static ssize_t peek(struct nat_tcp *t, struct nat_flow *f, size_t off,
		    size_t len)
{
	ssize_t n = t->ops->peek(t->ctx, f, off, t->scratch, len);

	if (n == -EAGAIN)
		return 0;
	if (n > (ssize_t)len)	/* a confused caller: believe @len only */
		n = (ssize_t)len;
	return n;
}

/* payload of the next segment: one MSS, or whole MSS up to cfg.seg_max */
static size_t seg_len(const struct nat_tcp *t, const struct nat_tcp_conn *c,
		      size_t room)
{
	size_t len = MIN(room, (size_t)MAX(t->cfg.seg_max, c->snd_mss));

	if (len > c->snd_mss)
		len -= len % c->snd_mss;
	return len;
}

/*
 * Send what the guest's window allows, starting at snd_nxt: new data, or
 * data again after a rewind (retransmission), then our FIN once the host
 * reported EOF and the queue ran out. Return the number of segments
 * emitted, or -errno from the peek (the caller resets the connection).
 */
int tcp_send_data(struct nat_tcp *t, struct nat_flow *f, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;
	int sent = 0;

	if (c->state != NAT_TCP_ESTABLISHED)
		return 0;
	for (;;) {
		uint32_t inflight = c->snd_nxt - c->snd_una;
		size_t room, len;
		struct nat_seg s;
		ssize_t n;

		if (c->flags & NAT_TCPF_FIN_SENT) {
			if (c->snd_nxt == c->fin_seq + 1)
				break;
			if (c->snd_nxt == c->fin_seq) {
				/* a FIN needs no window (RFC 9293 3.8.6) */
				send_fin(t, f);
				sent++;
				break;
			}
		}
		room = c->snd_wnd > inflight ? c->snd_wnd - inflight : 0;
		if (!room) {
			/* a FIN does not wait for the window either */
			if ((c->flags & NAT_TCPF_HOST_EOF) &&
			    !(c->flags & NAT_TCPF_FIN_SENT)) {
				n = peek(t, f, inflight, 1);
				if (n < 0)
					return (int)n;
				if (!n) {
					c->flags &= (uint8_t)~NAT_TCPF_PENDING;
					send_fin(t, f);
					sent++;
					break;
				}
			}
			c->flags |= NAT_TCPF_PENDING;
			break;
		}
		/*
		 * Nothing known to be queued, nothing to resend, no EOF to
		 * find: do not ask the socket (edge-triggered EPOLLIN sets
		 * PENDING when data comes). Saves a failing peek per guest
		 * segment on uploads.
		 */
		if (!(c->flags & (NAT_TCPF_PENDING | NAT_TCPF_HOST_EOF)) &&
		    c->snd_nxt == c->snd_max)
			break;
		len = seg_len(t, c, room);
		if (c->flags & NAT_TCPF_FIN_SENT)
			len = MIN(len, (size_t)(c->fin_seq - c->snd_nxt));
		n = peek(t, f, inflight, len);
		if (n < 0)
			return (int)n;
		if (n) {
			seg_init(f, &s);
			s.seq = c->snd_nxt;
			s.flags = NAT_TCP_ACK | NAT_TCP_PSH;
			s.ack = c->rcv_nxt;
			s.win = win_field(t, f);
			s.data = t->scratch;
			s.len = (size_t)n;
			t->ops->emit(t->ctx, f, &s);
			sent++;
			if (c->snd_nxt == c->snd_max &&
			    !(c->flags & NAT_TCPF_RTT)) {
				c->flags |= NAT_TCPF_RTT;
				c->rtt_seq = c->snd_nxt + (uint32_t)n;
				c->rtt_start = now;
			}
			c->snd_nxt += (uint32_t)n;
			if (SEQ_GT(c->snd_nxt, c->snd_max)) {
				t->st.to_guest += c->snd_nxt - c->snd_max;
				c->snd_max = c->snd_nxt;
			}
			c->active_at = now;
		}
		if ((size_t)n < len) {
			c->flags &= (uint8_t)~NAT_TCPF_PENDING;
			if ((c->flags & NAT_TCPF_HOST_EOF) &&
			    !(c->flags & NAT_TCPF_FIN_SENT)) {
				send_fin(t, f);
				sent++;
			}
			break;
		}
	}
	tcp_timer_update(t, f, now);
	return sent;
}
