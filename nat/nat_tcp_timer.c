// SPDX-License-Identifier: MIT
/*
 * nat_tcp_timer.c - the TCP engine's clocks: RTT estimation, retransmission
 * and persist timers, connect / idle / linger timeouts
 *
 * Each connection has one deadline, timer_at, whose meaning follows its
 * state: the connect timeout (CONNECTING), the SYN-ACK retransmission
 * (SYN_RCVD), the SYN retransmission and give-up (SYN_SENT), the retransmission or zero-window persist timer
 * (ESTABLISHED), the end of the linger (LINGER). Independently, active_at
 * + idle_timeout bounds how long a silent connection lives. Both are
 * reported through nat_tcp_next_deadline() so the caller sleeps exactly
 * until the next one; nothing here reads a clock.
 */
#include "common/util.h"
#include "nat/nat_tcp_priv.h"

#define RTO_GRANULARITY_NS	NS_PER_MS	/* RFC 6298 2: G */

static uint64_t rto_clamp(const struct nat_tcp *t, uint64_t rto)
{
	uint64_t lo = t->cfg.rto_min_ms * NS_PER_MS;
	uint64_t hi = t->cfg.rto_max_ms * NS_PER_MS;

	return rto < lo ? lo : rto > hi ? hi : rto;
}

/* RFC 6298 2.2 and 2.3: fold the measurement R into SRTT and RTTVAR */
void tcp_rtt_sample(struct nat_tcp *t, struct nat_flow *f, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;
	uint64_t r = now > c->rtt_start ? now - c->rtt_start : 0;

	c->flags &= (uint8_t)~NAT_TCPF_RTT;
	if (!c->srtt) {
		c->srtt = r ? r : 1;
		c->rttvar = r / 2;
	} else {
		uint64_t d = c->srtt > r ? c->srtt - r : r - c->srtt;

		c->rttvar = (3 * c->rttvar + d) / 4;
		c->srtt = (7 * c->srtt + r) / 8;
		if (!c->srtt)
			c->srtt = 1;
	}
	c->rto = rto_clamp(t, c->srtt + MAX(RTO_GRANULARITY_NS,
					    4 * c->rttvar));
}

/* RFC 6298 5.5: back the timer off; Karn: no sample from a resent segment */
static void rto_backoff(struct nat_tcp *t, struct nat_flow *f, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;

	c->rto = rto_clamp(t, c->rto * 2);
	c->flags &= (uint8_t)~NAT_TCPF_RTT;
	c->timer_at = now + c->rto;
}

/*
 * Arm or stop the ESTABLISHED timer from the state: data (or a FIN) in
 * flight wants the retransmission timer (RFC 6298 5.1: start it if it is
 * not running), a zero window with data waiting wants the persist timer
 * (RFC 9293 3.8.6.1); otherwise none.
 */
void tcp_timer_update(struct nat_tcp *t, struct nat_flow *f, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;
	bool waiting = (c->flags & NAT_TCPF_PENDING) ||
		       ((c->flags & NAT_TCPF_HOST_EOF) &&
			!(c->flags & NAT_TCPF_FIN_SENT));

	if (c->state != NAT_TCP_ESTABLISHED)
		return;
	if (c->snd_una != c->snd_max || (!c->snd_wnd && waiting)) {
		if (!c->timer_at)
			c->timer_at = now + c->rto;
	} else {
		c->timer_at = 0;
	}
}

/* RFC 6298 5.3: new data acknowledged: restart from now */
void tcp_timer_restart(struct nat_tcp *t, struct nat_flow *f, uint64_t now)
{
	f->tcp.timer_at = 0;
	tcp_timer_update(t, f, now);
}

uint64_t nat_tcp_flow_deadline(const struct nat_tcp *t,
			       const struct nat_flow *f)
{
	const struct nat_tcp_conn *c = &f->tcp;
	uint64_t d = c->timer_at ? c->timer_at : UINT64_MAX;
	uint64_t idle = c->active_at + t->cfg.idle_timeout_ms * NS_PER_MS;

	if (f->key.proto != NAT_PROTO_TCP)
		return UINT64_MAX;
	return MIN(d, idle);
}

uint64_t nat_tcp_next_deadline(const struct nat_tcp *t)
{
	const struct nat_flow *f;
	uint64_t d = UINT64_MAX;

	for (f = nat_flow_first(t->ft); f; f = nat_flow_next(t->ft, f))
		d = MIN(d, nat_tcp_flow_deadline(t, f));
	return d;
}

static void fire_established(struct nat_tcp *t, struct nat_flow *f,
			     uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;
	bool fin_only = (c->flags & NAT_TCPF_FIN_SENT) &&
			c->snd_una == c->fin_seq;

	if (!c->snd_wnd && !fin_only &&
	    (c->snd_una != c->snd_max || (c->flags & NAT_TCPF_PENDING) ||
	     (c->flags & NAT_TCPF_HOST_EOF))) {
		/*
		 * Persist (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17): probe the
		 * zero window with an old sequence number, which the guest
		 * must answer with an ACK carrying its window (the probe
		 * Linux sends). Probes back off but never give up: a guest
		 * that stops answering hits the idle timeout.
		 */
		tcp_send_ctl(t, f, NAT_TCP_ACK, c->snd_una - 1);
		t->st.probes++;
		rto_backoff(t, f, now);
		return;
	}
	if (c->snd_una == c->snd_max) {
		c->timer_at = 0;
		return;
	}
	if (++c->retries > t->cfg.max_retries) {
		t->st.timeouts++;
		tcp_reset(t, f, true);
		return;
	}
	/* RFC 6298 5.4-5.6: resend from the oldest unacknowledged byte */
	t->st.retrans++;
	c->snd_nxt = c->snd_una;
	c->dupacks = 0;
	rto_backoff(t, f, now);
	if (tcp_send_data(t, f, now) < 0)
		tcp_reset(t, f, true);
}

/*
 * Our SYN went unanswered: send it again with backoff (RFC 6298 5.5, the
 * initial RTO of 2.1) until connect_timeout_ms after the first one, then
 * give up: the guest gets a RST (in case it did answer and lost our ACK's
 * way), the host client a reset.
 */
static void fire_syn_sent(struct nat_tcp *t, struct nat_flow *f, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;
	uint64_t end = c->rtt_start + t->cfg.connect_timeout_ms * NS_PER_MS;

	if (now >= end || ++c->retries > t->cfg.max_retries) {
		t->st.refused++;
		tcp_reset(t, f, true);
		return;
	}
	t->st.retrans++;
	tcp_send_syn(t, f);
	rto_backoff(t, f, now);
	if (c->timer_at > end)
		c->timer_at = end;
}

static void fire(struct nat_tcp *t, struct nat_flow *f, uint64_t now)
{
	struct nat_tcp_conn *c = &f->tcp;

	switch (c->state) {
	case NAT_TCP_CONNECTING:
		t->st.refused++;
		tcp_reset(t, f, true);
		break;
	case NAT_TCP_SYN_RCVD:
		if (++c->retries > t->cfg.max_retries) {
			t->st.timeouts++;
			tcp_reset(t, f, true);
			break;
		}
		t->st.retrans++;
		tcp_send_synack(t, f);
		rto_backoff(t, f, now);
		break;
	case NAT_TCP_SYN_SENT:
		fire_syn_sent(t, f, now);
		break;
	case NAT_TCP_ESTABLISHED:
		fire_established(t, f, now);
		break;
	default:	/* LINGER over */
		tcp_reset(t, f, false);
		break;
	}
}

void nat_tcp_timers(struct nat_tcp *t, uint64_t now)
{
	struct nat_flow *f, *next;

	for (f = nat_flow_first(t->ft); f; f = next) {
		struct nat_tcp_conn *c = &f->tcp;

		next = nat_flow_next(t->ft, f);
		if (f->key.proto != NAT_PROTO_TCP)
			continue;
		if (now >= c->active_at + t->cfg.idle_timeout_ms * NS_PER_MS) {
			/* nothing from either side for that long */
			if (c->state != NAT_TCP_LINGER)
				t->st.timeouts++;
			tcp_reset(t, f, c->state != NAT_TCP_LINGER);
			continue;
		}
		if (c->timer_at && now >= c->timer_at)
			fire(t, f, now);
	}
}
