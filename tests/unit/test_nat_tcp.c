// SPDX-License-Identifier: MIT
/*
 * test_nat_tcp.c - unit tests for the NAT's TCP engine
 *
 * The engine runs against a fake host socket (struct host in
 * nat_tcp_fakehost.h): a receive queue the engine peeks at and discards
 * from, a record of what it wrote, a settable send space and per-call
 * write limit. Segments from the
 * guest are struct nat_seg literals: each test starts from seg_ack() (an
 * in-sequence ACK on the established connection) and changes one field per
 * assertion. Segments the engine emits are recorded in order.
 *
 * Time starts at T0 and only moves when a test moves it. The handshake
 * takes no time, so its RTT sample puts the RTO at its 200 ms floor (RTO).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pkt/cursor.h"
#include "pkt/csum.h"
#include "common/util.h"
#include "nat/nat_tcp.h"
#include "nat_tcp_fakehost.h"

#define GUEST_IP	0x0a590002u
#define GUEST_PORT	40000
#define REMOTE_IP	0x5db8d822u
#define REMOTE_PORT	80
#define G_ISN		1000u
#define RTO		(200 * MS)

static int setup(void **state)
{
	static const struct nat_hash_key k = { 1, 2 };

	(void)state;
	fake_setup(&k, 65536);
	return 0;
}

static const struct nat_seg seg_syn = {
	.saddr = GUEST_IP, .sport = GUEST_PORT,
	.daddr = REMOTE_IP, .dport = REMOTE_PORT,
	.seq = G_ISN, .flags = NAT_TCP_SYN, .win = 64240,
	.mss = 1460, .wscale = 7,
};

static uint32_t iss;		/* ours, learnt from the SYN-ACK */
static uint32_t g_isn = G_ISN;	/* the guest's, for the wraparound test */

static struct nat_flow *flow(void)
{
	struct nat_flow_key k = {
		.guest_ip = GUEST_IP, .guest_port = GUEST_PORT,
		.remote_ip = REMOTE_IP, .remote_port = REMOTE_PORT,
		.proto = NAT_PROTO_TCP,
	};

	return nat_flow_lookup(ft, &k);
}

/* an in-sequence ACK from the guest after @gsent bytes, acking @hacked */
static struct nat_seg seg_ack(uint32_t gsent, uint32_t hacked)
{
	struct nat_seg s = {
		.saddr = GUEST_IP, .sport = GUEST_PORT,
		.daddr = REMOTE_IP, .dport = REMOTE_PORT,
		.seq = g_isn + 1 + gsent, .ack = iss + 1 + hacked,
		.flags = NAT_TCP_ACK, .win = 512,	/* x 128 = 64 KiB */
		.wscale = -1,
	};
	return s;
}

/* SYN, host connect completes, ACK: an established connection */
static struct nat_flow *handshake(uint64_t now)
{
	struct nat_seg syn = seg_syn, ack;

	syn.seq = g_isn;
	nat_tcp_input(tcp, &syn, now);
	nat_tcp_connected(tcp, flow(), now);
	assert_int_equal(last()->s.flags, NAT_TCP_SYN | NAT_TCP_ACK);
	iss = last()->s.seq;
	ack = seg_ack(0, 0);
	nat_tcp_input(tcp, &ack, now);
	assert_int_equal(flow()->tcp.state, NAT_TCP_ESTABLISHED);
	h.nsegs = 0;
	return flow();
}

static void host_queue(const char *s, size_t n)
{
	memcpy(h.rq + h.rq_len, s, n);
	h.rq_len += n;
}

static void test_handshake(void **state)
{
	struct nat_seg s = seg_syn;
	struct nat_tcp_stats st;
	struct rec_seg *r;

	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.connects, 1);
	/* nothing to the guest before the host connect is done */
	assert_int_equal(h.nsegs, 0);
	assert_int_equal(flow()->tcp.state, NAT_TCP_CONNECTING);
	/* a retransmitted SYN meanwhile is not answered either */
	nat_tcp_input(tcp, &s, T0 + 1000 * MS);
	assert_int_equal(h.nsegs, 0);
	assert_int_equal(h.connects, 1);

	nat_tcp_connected(tcp, flow(), T0 + 1001 * MS);
	assert_int_equal(h.nsegs, 1);
	r = last();
	assert_int_equal(r->s.flags, NAT_TCP_SYN | NAT_TCP_ACK);
	assert_int_equal(r->s.ack, G_ISN + 1);
	assert_int_equal(r->s.mss, MSS);
	assert_int_equal(r->s.wscale, 7);
	assert_int_equal(r->s.win, 65535);	/* SYN window: unscaled */
	assert_int_equal(r->s.saddr, REMOTE_IP);
	assert_int_equal(r->s.sport, REMOTE_PORT);
	assert_int_equal(r->s.daddr, GUEST_IP);
	assert_int_equal(r->s.dport, GUEST_PORT);
	iss = r->s.seq;

	/* the final ACK must acknowledge our SYN exactly */
	s = seg_ack(0, 0);
	s.ack = iss + 2;
	nat_tcp_input(tcp, &s, T0 + 1002 * MS);
	assert_int_equal(last()->s.flags, NAT_TCP_RST);
	assert_int_equal(last()->s.seq, iss + 2);
	assert_int_equal(flow()->tcp.state, NAT_TCP_SYN_RCVD);

	s = seg_ack(0, 0);
	nat_tcp_input(tcp, &s, T0 + 1002 * MS);
	assert_int_equal(flow()->tcp.state, NAT_TCP_ESTABLISHED);
	assert_int_equal(flow()->tcp.snd_wnd, 512 << 7);
	assert_int_equal(flow()->tcp.snd_mss, 1460);
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.opened, 1);
}

/* RFC 6298 2.2: the SYN-ACK's round trip seeds the estimator */
static void test_rtt(void **state)
{
	struct nat_seg s = seg_syn;

	nat_tcp_input(tcp, &s, T0);
	/* before any sample: the initial RTO paces the SYN-ACK */
	nat_tcp_connected(tcp, flow(), T0);
	assert_true(flow()->tcp.timer_at == T0 + cfg.rto_init_ms * MS);
	iss = last()->s.seq;
	s = seg_ack(0, 0);
	nat_tcp_input(tcp, &s, T0 + 100 * MS);
	/* SRTT = R, RTTVAR = R / 2, RTO = SRTT + 4 RTTVAR */
	assert_true(flow()->tcp.srtt == 100 * MS);
	assert_true(flow()->tcp.rttvar == 50 * MS);
	assert_true(flow()->tcp.rto == 300 * MS);
}

/* a lost SYN-ACK is sent again on a duplicate SYN and on its timer */
static void test_synack_retransmit(void **state)
{
	struct nat_seg s = seg_syn;

	nat_tcp_input(tcp, &s, T0);
	nat_tcp_connected(tcp, flow(), T0);
	assert_int_equal(h.nsegs, 1);
	nat_tcp_input(tcp, &s, T0 + MS);
	assert_int_equal(h.nsegs, 2);
	assert_int_equal(last()->s.flags, NAT_TCP_SYN | NAT_TCP_ACK);
	nat_tcp_timers(tcp, T0 + cfg.rto_init_ms * MS);
	assert_int_equal(h.nsegs, 3);
	assert_int_equal(last()->s.flags, NAT_TCP_SYN | NAT_TCP_ACK);
	assert_int_equal(last()->s.seq, h.segs[0].s.seq);
	/* Karn: no RTT sample from a retransmitted SYN-ACK */
	iss = last()->s.seq;
	s = seg_ack(0, 0);
	nat_tcp_input(tcp, &s, T0 + cfg.rto_init_ms * MS + MS);
	assert_int_equal(flow()->tcp.state, NAT_TCP_ESTABLISHED);
	assert_true(flow()->tcp.srtt == 0);
}

static void test_handshake_options(void **state)
{
	struct nat_seg s = seg_syn;

	/* no window scale from the guest: none from us either */
	s.wscale = -1;
	h.connect_ret = 1;	/* connected at once: SYN-ACK at once */
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(last()->s.flags, NAT_TCP_SYN | NAT_TCP_ACK);
	assert_int_equal(last()->s.wscale, -1);
	assert_false(flow()->tcp.flags & NAT_TCPF_WS);
	nat_tcp_abort(tcp, flow(), T0);

	/* a big guest MSS is clamped to the network's MTU */
	s = seg_syn;
	s.mss = 9000;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(flow()->tcp.snd_mss, MSS);
	nat_tcp_abort(tcp, flow(), T0);

	/* no MSS option: RFC 9293's 536 */
	s = seg_syn;
	s.mss = 0;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(flow()->tcp.snd_mss, 536);
	nat_tcp_abort(tcp, flow(), T0);

	/* a window scale above 14 is used as 14 (nat_tcp_parse clamps) */
	s = seg_syn;
	s.wscale = 14;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(flow()->tcp.snd_wscale, 14);
}

static void test_refused(void **state)
{
	struct nat_seg s = seg_syn;
	struct nat_tcp_stats st;

	/* refused at once: RST+ACK acknowledging the SYN, right away */
	h.connect_ret = -ECONNREFUSED;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.flags, NAT_TCP_RST | NAT_TCP_ACK);
	assert_int_equal(last()->s.ack, G_ISN + 1);
	assert_null(flow());
	assert_int_equal(h.closes, 1);
	assert_true(h.abort);

	/* refused later */
	h.connect_ret = 0;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.nsegs, 1);
	nat_tcp_connect_failed(tcp, flow(), -ECONNREFUSED, T0 + MS);
	assert_int_equal(h.nsegs, 2);
	assert_int_equal(last()->s.flags, NAT_TCP_RST | NAT_TCP_ACK);
	assert_int_equal(last()->s.ack, G_ISN + 1);
	assert_null(flow());

	/* never answered: RST at the connect timeout */
	nat_tcp_input(tcp, &s, T0);
	assert_true(nat_tcp_next_deadline(tcp) ==
		    T0 + cfg.connect_timeout_ms * MS);
	nat_tcp_timers(tcp, T0 + cfg.connect_timeout_ms * MS - 1);
	assert_int_equal(h.nsegs, 2);
	nat_tcp_timers(tcp, T0 + cfg.connect_timeout_ms * MS);
	assert_int_equal(h.nsegs, 3);
	assert_int_equal(last()->s.flags, NAT_TCP_RST | NAT_TCP_ACK);
	assert_null(flow());
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.refused, 3);
}

static void test_no_flow_and_limits(void **state)
{
	struct nat_seg s = seg_ack(0, 0);
	struct nat_tcp_stats st;
	unsigned i;

	/* an ACK of no connection: <SEQ=SEG.ACK><CTL=RST> */
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(last()->s.flags, NAT_TCP_RST);
	assert_int_equal(last()->s.seq, s.ack);
	assert_true(last()->no_flow);
	/* a RST of no connection: nothing */
	s.flags = NAT_TCP_RST;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.nsegs, 1);
	/* SYN+FIN: dropped */
	s = seg_syn;
	s.flags = NAT_TCP_SYN | NAT_TCP_FIN;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.nsegs, 1);
	assert_null(flow());

	/* per-guest limit (4): the fifth SYN gets a RST and is counted */
	for (i = 0; i < 4; i++) {
		s = seg_syn;
		s.sport = (uint16_t)(50000 + i);
		nat_tcp_input(tcp, &s, T0);
	}
	assert_int_equal(h.connects, 4);
	s.sport = 50004;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.connects, 4);
	assert_int_equal(last()->s.flags, NAT_TCP_RST | NAT_TCP_ACK);
	assert_int_equal(last()->s.dport, 50004);
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.limited, 1);
	assert_int_equal(st.no_flow, 1);
	assert_int_equal(st.bad_seg, 1);
}

static void test_data_both_ways(void **state)
{
	struct nat_seg s;
	struct rec_seg *r;

	handshake(T0);
	/* guest -> host */
	s = seg_ack(0, 0);
	s.data = (const uint8_t *)"hello";
	s.len = 5;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 5);
	assert_memory_equal(h.wr, "hello", 5);
	assert_int_equal(last()->s.flags, NAT_TCP_ACK);
	assert_int_equal(last()->s.ack, G_ISN + 1 + 5);
	assert_int_equal(last()->s.seq, iss + 1);
	/* window: the host's space (65531 left), scaled by 7, rounded down */
	assert_int_equal(last()->s.win, (65536 - 5) >> 7);

	/* host -> guest */
	host_queue("world", 5);
	h.nsegs = 0;
	nat_tcp_host_readable(tcp, flow(), T0);
	assert_int_equal(h.nsegs, 1);
	r = last();
	assert_int_equal(r->s.seq, iss + 1);
	assert_int_equal(r->s.ack, G_ISN + 1 + 5);
	assert_int_equal(r->s.len, 5);
	assert_memory_equal(r->data, "world", 5);
	/* peeked, not consumed, until the guest acknowledges */
	assert_int_equal(h.rq_len, 5);
	s = seg_ack(5, 3);
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.discarded, 3);
	s = seg_ack(5, 5);
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.discarded, 5);
	assert_int_equal(h.rq_len, 0);
	assert_int_equal(flow()->tcp.timer_at, 0);	/* all acked */

	/* a large queue goes out in MSS-sized segments */
	memset(h.rq, 'x', 3000);
	h.rq_len = 3000;
	h.nsegs = 0;
	nat_tcp_host_readable(tcp, flow(), T0);
	assert_int_equal(h.nsegs, 3);
	assert_int_equal(h.segs[0].s.len, MSS);
	assert_int_equal(h.segs[1].s.seq, iss + 1 + 5 + MSS);
	assert_int_equal(h.segs[2].s.len, 3000 - 2 * MSS);
}

static void test_out_of_window(void **state)
{
	struct nat_seg s;
	struct nat_tcp_stats st;
	uint32_t wnd;

	handshake(T0);
	wnd = flow()->tcp.rcv_edge - flow()->tcp.rcv_nxt;
	s = seg_ack(0, 0);
	s.data = (const uint8_t *)"zz";
	s.len = 2;
	/* beyond the window: duplicate ACK, nothing delivered */
	s.seq = G_ISN + 1 + wnd + 10;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 0);
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.flags, NAT_TCP_ACK);
	assert_int_equal(last()->s.ack, G_ISN + 1);
	/* entirely old (already acknowledged): ACKed, not delivered */
	s.seq = G_ISN - 10;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 0);
	assert_int_equal(h.nsegs, 2);
	assert_int_equal(last()->s.ack, G_ISN + 1);
	/* an ACK of data never sent: ACK back, data dropped */
	s = seg_ack(0, 0);
	s.ack = iss + 1000;
	s.data = (const uint8_t *)"zz";
	s.len = 2;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 0);
	assert_int_equal(h.nsegs, 3);
	/* the last byte in the window: trimmed to fit, the rest dropped */
	s = seg_ack(0, 0);
	s.seq = G_ISN + 1 + wnd - 1;
	s.data = (const uint8_t *)"zz";
	s.len = 2;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 0);		/* out of order: not queued */
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.dup_acks, 3);
}

static void test_retransmitted_segment(void **state)
{
	struct nat_seg s;

	handshake(T0);
	s = seg_ack(0, 0);
	s.data = (const uint8_t *)"abcdef";
	s.len = 6;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 6);
	/* the same segment again: ACKed, not written twice */
	h.nsegs = 0;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 6);
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.ack, G_ISN + 1 + 6);
	/* overlapping: only the new bytes are written */
	s.data = (const uint8_t *)"defghi";
	s.seq = G_ISN + 1 + 3;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 9);
	assert_memory_equal(h.wr, "abcdefghi", 9);
	assert_int_equal(last()->s.ack, G_ISN + 1 + 9);
}

static void test_reordered(void **state)
{
	struct nat_seg s1 = seg_ack(0, 0), s2 = seg_ack(3, 0);

	handshake(T0);
	s1.data = (const uint8_t *)"abc";
	s1.len = 3;
	s2.data = (const uint8_t *)"def";
	s2.len = 3;
	/* the second arrives first: not delivered, duplicate ACK */
	nat_tcp_input(tcp, &s2, T0);
	assert_int_equal(h.wr_len, 0);
	assert_int_equal(last()->s.ack, G_ISN + 1);
	nat_tcp_input(tcp, &s1, T0);
	assert_int_equal(h.wr_len, 3);
	assert_int_equal(last()->s.ack, G_ISN + 1 + 3);
	nat_tcp_input(tcp, &s2, T0);
	assert_int_equal(h.wr_len, 6);
	assert_memory_equal(h.wr, "abcdef", 6);
	assert_int_equal(last()->s.ack, G_ISN + 1 + 6);
}

static void test_rst(void **state)
{
	struct nat_seg s;
	struct nat_tcp_stats st;
	uint32_t wnd;

	handshake(T0);
	wnd = flow()->tcp.rcv_edge - flow()->tcp.rcv_nxt;
	s = seg_ack(0, 0);
	s.flags = NAT_TCP_RST;
	/* in the window but not exact: challenge ACK (RFC 5961 3.2) */
	s.seq = G_ISN + 1 + 100;
	nat_tcp_input(tcp, &s, T0);
	assert_non_null(flow());
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.flags, NAT_TCP_ACK);
	assert_int_equal(last()->s.ack, G_ISN + 1);
	/* out of the window: silently dropped */
	s.seq = G_ISN + 1 + wnd + 100;
	nat_tcp_input(tcp, &s, T0);
	assert_non_null(flow());
	assert_int_equal(h.nsegs, 1);
	/* a SYN on the connection: challenge ACK too (RFC 5961 4.2) */
	s = seg_ack(0, 0);
	s.flags = NAT_TCP_SYN;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.nsegs, 2);
	assert_non_null(flow());
	/* exactly rcv_nxt: the connection is reset, the host aborted */
	s = seg_ack(0, 0);
	s.flags = NAT_TCP_RST;
	nat_tcp_input(tcp, &s, T0);
	assert_null(flow());
	assert_int_equal(h.nsegs, 2);
	assert_int_equal(h.closes, 1);
	assert_true(h.abort);
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.challenge_acks, 2);
	assert_int_equal(st.rst_rcvd, 1);
}

static void test_fin_from_guest(void **state)
{
	struct nat_seg s;

	handshake(T0);
	s = seg_ack(0, 0);
	s.flags = NAT_TCP_ACK | NAT_TCP_FIN;
	s.data = (const uint8_t *)"bye";
	s.len = 3;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 3);
	assert_int_equal(h.shutdowns, 1);
	assert_int_equal(last()->s.ack, G_ISN + 1 + 3 + 1);
	assert_int_equal(h.closes, 0);
	/* half-closed: the host still sends to the guest */
	host_queue("answer", 6);
	h.nsegs = 0;
	nat_tcp_host_readable(tcp, flow(), T0);
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.len, 6);
	assert_int_equal(last()->s.ack, G_ISN + 5);
	/* a retransmitted FIN is re-ACKed, not shut down twice */
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.shutdowns, 1);
	assert_int_equal(last()->s.ack, G_ISN + 5);
	assert_int_equal(h.wr_len, 3);
}

static void test_fin_from_host(void **state)
{
	struct nat_seg s;
	struct nat_flow *f;

	f = handshake(T0);
	host_queue("last", 4);
	nat_tcp_host_readable(tcp, f, T0);
	nat_tcp_host_eof(tcp, f, T0);
	assert_int_equal(h.nsegs, 2);
	assert_int_equal(h.segs[0].s.len, 4);
	assert_int_equal(h.segs[1].s.flags, NAT_TCP_FIN | NAT_TCP_ACK);
	assert_int_equal(h.segs[1].s.seq, iss + 1 + 4);
	/* guest ACKs data and FIN, and may still send */
	s = seg_ack(0, 5);
	s.data = (const uint8_t *)"more";
	s.len = 4;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 4);
	assert_int_equal(h.discarded, 4);	/* the FIN is not a byte */
	assert_true(f->tcp.flags & NAT_TCPF_FIN_ACKED);
	assert_int_equal(h.closes, 0);
	/* then its FIN: both done, host closed gracefully, entry lingers */
	s = seg_ack(4, 5);
	s.flags = NAT_TCP_ACK | NAT_TCP_FIN;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.shutdowns, 1);
	assert_int_equal(h.closes, 1);
	assert_false(h.abort);
	assert_int_equal(f->tcp.state, NAT_TCP_LINGER);
	/* a retransmitted FIN in linger is ACKed */
	h.nsegs = 0;
	nat_tcp_input(tcp, &s, T0 + MS);
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.ack, G_ISN + 1 + 4 + 1);
	assert_int_equal(last()->s.seq, iss + 1 + 4 + 1);
	/* then the entry is freed, without touching the host again */
	assert_true(nat_tcp_next_deadline(tcp) == T0 + cfg.linger_ms * MS);
	nat_tcp_timers(tcp, T0 + cfg.linger_ms * MS);
	assert_null(flow());
	assert_int_equal(h.closes, 1);
}

/* a guest reusing its port during the linger gets a new connection */
static void test_linger_reuse(void **state)
{
	struct nat_seg s;

	handshake(T0);
	nat_tcp_host_eof(tcp, flow(), T0);
	s = seg_ack(0, 1);
	s.flags = NAT_TCP_ACK | NAT_TCP_FIN;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(flow()->tcp.state, NAT_TCP_LINGER);
	/* an old SYN (the first connection's) is only ACKed */
	s = seg_syn;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(flow()->tcp.state, NAT_TCP_LINGER);
	assert_int_equal(h.connects, 1);
	/* a SYN above the old sequence space opens a new one */
	s.seq = G_ISN + 100000;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.connects, 2);
	assert_int_equal(flow()->tcp.state, NAT_TCP_CONNECTING);
	assert_int_equal(flow()->tcp.irs, G_ISN + 100000);
}

static void test_zero_window(void **state)
{
	struct nat_seg s;
	struct nat_tcp_stats st;
	uint64_t d;

	handshake(T0);
	s = seg_ack(0, 0);
	s.win = 0;
	nat_tcp_input(tcp, &s, T0);
	host_queue("data", 4);
	nat_tcp_host_readable(tcp, flow(), T0);
	assert_int_equal(h.nsegs, 0);
	/* persist timer after one RTO; a probe with an old sequence number */
	d = nat_tcp_next_deadline(tcp);
	assert_true(d == T0 + RTO);
	nat_tcp_timers(tcp, d - 1);
	assert_int_equal(h.nsegs, 0);
	nat_tcp_timers(tcp, d);
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.seq, iss);
	assert_int_equal(last()->s.len, 0);
	/* probes back off */
	assert_true(nat_tcp_next_deadline(tcp) == d + 2 * RTO);
	/* the window opens: data flows, persist stops */
	s = seg_ack(0, 0);
	s.seq = G_ISN + 1;
	s.win = 100;
	h.nsegs = 0;
	nat_tcp_input(tcp, &s, d + MS);
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.len, 4);
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.probes, 1);
}

static void test_rto_backoff(void **state)
{
	struct nat_seg s;
	struct nat_tcp_stats st;
	uint64_t d;

	handshake(T0);
	host_queue("0123456789", 10);
	nat_tcp_host_readable(tcp, flow(), T0);
	assert_int_equal(h.nsegs, 1);
	d = nat_tcp_next_deadline(tcp);
	assert_true(d == T0 + RTO);
	nat_tcp_timers(tcp, d - 1);
	assert_int_equal(h.nsegs, 1);
	nat_tcp_timers(tcp, d);
	assert_int_equal(h.nsegs, 2);
	assert_int_equal(last()->s.seq, iss + 1);
	assert_int_equal(last()->s.len, 10);
	/* doubled */
	assert_true(nat_tcp_next_deadline(tcp) == d + 2 * RTO);
	d += 2 * RTO;
	nat_tcp_timers(tcp, d);
	assert_int_equal(h.nsegs, 3);
	assert_true(nat_tcp_next_deadline(tcp) == d + 4 * RTO);
	/* an ACK of new data stops it */
	s = seg_ack(0, 10);
	nat_tcp_input(tcp, &s, d + MS);
	assert_int_equal(flow()->tcp.timer_at, 0);
	assert_int_equal(flow()->tcp.retries, 0);
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.retrans, 2);

	/* too many retries: RST both ways */
	host_queue("x", 1);
	nat_tcp_host_readable(tcp, flow(), d + MS);
	while (flow())
		nat_tcp_timers(tcp, nat_tcp_next_deadline(tcp));
	assert_int_equal(last()->s.flags, NAT_TCP_RST | NAT_TCP_ACK);
	assert_true(h.abort);
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.timeouts, 1);
}

static void test_fast_retransmit(void **state)
{
	struct nat_seg s;
	unsigned i;

	handshake(T0);
	memset(h.rq, 'y', 4 * MSS);
	h.rq_len = 4 * MSS;
	nat_tcp_host_readable(tcp, flow(), T0);
	assert_int_equal(h.nsegs, 4);
	/* the first segment arrives, the second is lost: dup ACKs */
	s = seg_ack(0, MSS);
	nat_tcp_input(tcp, &s, T0 + MS);
	h.nsegs = 0;
	for (i = 0; i < 2; i++)
		nat_tcp_input(tcp, &s, T0 + MS);
	assert_int_equal(h.nsegs, 0);
	/* a window change is not a duplicate ACK */
	s.win = 511;
	nat_tcp_input(tcp, &s, T0 + MS);
	assert_int_equal(h.nsegs, 0);
	s.win = 511;
	for (i = 0; i < 2; i++)
		nat_tcp_input(tcp, &s, T0 + MS);
	assert_int_equal(h.nsegs, 0);
	nat_tcp_input(tcp, &s, T0 + MS);	/* third duplicate */
	assert_true(h.nsegs >= 1);
	assert_int_equal(h.segs[0].s.seq, iss + 1 + MSS);
	assert_int_equal(h.segs[0].s.len, MSS);
	assert_int_equal(h.rq_len, 3 * MSS);
}

static void test_short_write(void **state)
{
	struct nat_seg s;

	handshake(T0);
	h.wr_cap = 3;
	h.space = 3;
	s = seg_ack(0, 0);
	s.data = (const uint8_t *)"hello";
	s.len = 5;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.wr_len, 3);
	/* only what the socket took is acknowledged; window from its space */
	assert_int_equal(last()->s.ack, G_ISN + 1 + 3);
	assert_int_equal(last()->s.win, 0);
	assert_true(h.want_write);
	/* the socket drains: a window update */
	h.space = 65536;
	h.wr_cap = SIZE_MAX;
	h.nsegs = 0;
	nat_tcp_host_writable(tcp, flow(), T0);
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.win, 512);
	assert_false(h.want_write);
	/* the guest resends the rest */
	s.seq = G_ISN + 1 + 3;
	s.data = (const uint8_t *)"lo";
	s.len = 2;
	nat_tcp_input(tcp, &s, T0);
	assert_memory_equal(h.wr, "hello", 5);
	/* a FIN behind data the socket refused waits */
	h.wr_cap = 1;
	s = seg_ack(5, 0);
	s.flags = NAT_TCP_ACK | NAT_TCP_FIN;
	s.data = (const uint8_t *)"ab";
	s.len = 2;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.shutdowns, 0);
	assert_int_equal(last()->s.ack, G_ISN + 1 + 6);
}

static void test_wraparound(void **state)
{
	struct nat_seg s;
	uint8_t buf[32];
	uint32_t iss0;
	uint64_t now;
	unsigned i;

	/* learn the ISN offset for this 4-tuple, then pick the time that
	 * puts our ISN 8 below 2^32 (RFC 6528: ISN = F() + t / 4 us) */
	g_isn = 0xfffffff0u;
	handshake(0);
	iss0 = iss;
	nat_tcp_abort(tcp, flow(), 0);
	now = (uint64_t)(uint32_t)(0xfffffff8u - iss0) * 4000;
	handshake(now);
	assert_int_equal(iss, 0xfffffff8u);

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	/* guest data across 2^32 */
	s = seg_ack(0, 0);
	s.data = buf;
	s.len = sizeof(buf);
	nat_tcp_input(tcp, &s, now);
	assert_int_equal(h.wr_len, 32);
	assert_int_equal(last()->s.ack, 0xfffffff0u + 1 + 32);	/* wrapped */
	/* and again: old now, not written twice */
	nat_tcp_input(tcp, &s, now);
	assert_int_equal(h.wr_len, 32);
	/* host data across 2^32, acked in two steps */
	host_queue((const char *)buf, 32);
	nat_tcp_host_readable(tcp, flow(), now);
	assert_int_equal(last()->s.seq, 0xfffffff9u);
	s = seg_ack(32, 16);
	nat_tcp_input(tcp, &s, now);
	assert_int_equal(h.discarded, 16);
	s = seg_ack(32, 32);
	nat_tcp_input(tcp, &s, now);
	assert_int_equal(h.discarded, 32);
	assert_int_equal(flow()->tcp.snd_una, 0xfffffff9u + 32);
	g_isn = G_ISN;
}

static void test_keepalive_and_idle(void **state)
{
	struct nat_seg s;
	uint64_t idle = cfg.idle_timeout_ms * MS;

	handshake(T0);
	assert_true(nat_tcp_next_deadline(tcp) == T0 + idle);
	/* a keepalive probe (seq = rcv_nxt - 1, no data) gets an ACK and
	 * counts as activity */
	s = seg_ack(0, 0);
	s.seq = G_ISN;
	nat_tcp_input(tcp, &s, T0 + idle - MS);
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.ack, G_ISN + 1);
	assert_true(nat_tcp_next_deadline(tcp) == T0 + 2 * idle - MS);
	nat_tcp_timers(tcp, T0 + idle);
	assert_non_null(flow());
	/* real silence: reset */
	nat_tcp_timers(tcp, T0 + 2 * idle - MS);
	assert_null(flow());
	assert_int_equal(last()->s.flags, NAT_TCP_RST | NAT_TCP_ACK);
}

static void test_host_error(void **state)
{
	handshake(T0);
	nat_tcp_host_error(tcp, flow(), -ECONNRESET, T0);
	assert_null(flow());
	assert_int_equal(last()->s.flags, NAT_TCP_RST | NAT_TCP_ACK);
	assert_int_equal(last()->s.seq, iss + 1);
	assert_int_equal(last()->s.ack, G_ISN + 1);
}

/* build a segment, parse it back through the frame parsers */
static void test_build_parse(void **state)
{
	uint8_t buf[128];
	struct nat_seg out, in = {
		.saddr = REMOTE_IP, .sport = REMOTE_PORT,
		.daddr = GUEST_IP, .dport = GUEST_PORT,
		.seq = 0x12345678, .ack = 0x9abcdef0,
		.flags = NAT_TCP_SYN | NAT_TCP_ACK, .win = 4242,
		.mss = 1460, .wscale = 7,
		.data = (const uint8_t *)"payload", .len = 7,
	};
	struct frame_eth eth = { .type = ETHTYPE_IP4 };
	struct frame_ip4 ip;
	struct frame_l4 l4;
	ssize_t n;

	assert_int_equal(nat_tcp_hdr_len(&in), 48);
	assert_int_equal(nat_tcp_build(&in, 1, buf, 54), -ENOSPC);
	n = nat_tcp_build(&in, 1, buf, sizeof(buf));
	assert_int_equal(n, 55);
	eth.l3 = cur_init(buf, (size_t)n);
	assert_int_equal(frame_parse_ip4(&eth, &ip), 0);
	assert_true(ip.csum_ok);
	assert_int_equal(frame_parse_tcp(&ip, &l4), 0);
	assert_int_equal(nat_tcp_parse(&ip, &l4, false, &out), 0);
	assert_int_equal(out.saddr, in.saddr);
	assert_int_equal(out.sport, in.sport);
	assert_int_equal(out.seq, in.seq);
	assert_int_equal(out.ack, in.ack);
	assert_int_equal(out.flags, in.flags);
	assert_int_equal(out.win, in.win);
	assert_int_equal(out.mss, 1460);
	assert_int_equal(out.wscale, 7);
	assert_int_equal(out.len, 7);
	assert_memory_equal(out.data, "payload", 7);

	/* one payload byte changed: the checksum catches it, unless the
	 * checksum is offloaded (partial) */
	buf[50] ^= 1;
	assert_int_equal(nat_tcp_parse(&ip, &l4, false, &out), -EBADMSG);
	assert_int_equal(nat_tcp_parse(&ip, &l4, true, &out), 0);
	buf[50] ^= 1;

	/* no options */
	in.mss = 0;
	in.wscale = -1;
	n = nat_tcp_build(&in, 1, buf, sizeof(buf));
	assert_int_equal(n, 47);
	eth.l3 = cur_init(buf, (size_t)n);
	assert_int_equal(frame_parse_ip4(&eth, &ip), 0);
	assert_int_equal(frame_parse_tcp(&ip, &l4), 0);
	assert_int_equal(nat_tcp_parse(&ip, &l4, false, &out), 0);
	assert_int_equal(out.mss, 0);
	assert_int_equal(out.wscale, -1);
	/* in place: payload already after the header */
	memcpy(buf + 40, "payload", 7);
	in.data = buf + 40;
	assert_int_equal(nat_tcp_build(&in, 1, buf, sizeof(buf)), 47);
	assert_int_equal(nat_tcp_parse(&ip, &l4, false, &out), 0);
}

/* seg_max: segments of whole MSS up to it (TSO), a short tail as queued */
static void test_tso_segments(void **state)
{
	uint8_t buf[NAT_TCP_HDR_MAX + 3000];
	struct nat_seg in = {
		.saddr = REMOTE_IP, .sport = REMOTE_PORT,
		.daddr = GUEST_IP, .dport = GUEST_PORT,
		.seq = 1, .ack = 2, .flags = NAT_TCP_ACK, .win = 100,
		.wscale = -1, .len = 3000,
	};
	uint8_t data[3000];
	uint32_t sum;
	uint16_t check;

	nat_tcp_destroy(tcp);
	cfg.seg_max = NAT_TCP_SEG_MAX + 1;
	assert_int_equal(nat_tcp_create(&cfg, ft, &ops, &h, &tcp), -EINVAL);
	cfg.seg_max = 4 * MSS + 100;
	assert_int_equal(nat_tcp_create(&cfg, ft, &ops, &h, &tcp), 0);
	handshake(T0);
	memset(h.rq, 'y', 15000);
	h.rq_len = 15000;
	nat_tcp_host_readable(tcp, flow(), T0);
	/* 4 x MSS (seg_max rounded down), again, then the 3320 left */
	assert_int_equal(h.nsegs, 3);
	assert_int_equal(h.segs[0].s.len, 4 * MSS);
	assert_int_equal(h.segs[1].s.seq, iss + 1 + 4 * MSS);
	assert_int_equal(h.segs[1].s.len, 4 * MSS);
	assert_int_equal(h.segs[2].s.len, 15000 - 8 * MSS);
	/* an ACK with nothing new queued does not peek again */
	h.nsegs = 0;
	{
		struct nat_seg a = seg_ack(0, 15000);

		nat_tcp_input(tcp, &a, T0);
	}
	assert_int_equal(h.nsegs, 0);
	assert_int_equal(h.rq_len, 0);

	/* the partial checksum, completed over the payload, is the full one */
	memset(data, 0x5a, sizeof(data));
	in.data = data;
	assert_int_equal(nat_tcp_build(&in, 1, buf, sizeof(buf)), 3040);
	memcpy(&check, buf + 20 + 16, 2);
	assert_int_equal(nat_tcp_build_partial(&in, 1, buf, sizeof(buf)), 3040);
	sum = csum_partial(buf + 20, 3020, 0);	/* field holds the pseudo sum */
	assert_int_equal(csum_fold(sum), check);
}

static void test_parse_options(void **state)
{
	/* TCP header with 12 option bytes after a 20-byte IPv4 header */
	uint8_t pkt[52] = {
		0x45, 0, 0, 52, 0, 0, 0x40, 0, 64, 6, 0, 0,
		10, 89, 0, 2, 93, 184, 216, 34,
		0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0,
		0x80, NAT_TCP_SYN, 0xff, 0xff, 0, 0, 0, 0,
	};
	static const uint8_t opts[][12] = {
		/* SACK-permitted, timestamps: skipped; WS 15 -> 14 */
		{ 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 },
		{ 1, 3, 3, 15, 2, 4, 0x05, 0xb4, 0, 0, 0, 0 },
		/* length 1: malformed, option parsing stops there */
		{ 2, 1, 3, 3, 7, 0, 0, 0, 0, 0, 0, 0 },
		/* an MSS running past the header: ignored */
		{ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4 },
		/* EOL ends the list */
		{ 0, 3, 3, 7, 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	struct frame_eth eth = { .type = ETHTYPE_IP4 };
	struct frame_ip4 ip;
	struct frame_l4 l4;
	struct nat_seg s;
	unsigned i;

	for (i = 0; i < 5; i++) {
		memcpy(pkt + 40, opts[i], 12);
		eth.l3 = cur_init(pkt, sizeof(pkt));
		assert_int_equal(frame_parse_ip4(&eth, &ip), 0);
		assert_int_equal(frame_parse_tcp(&ip, &l4), 0);
		assert_int_equal(nat_tcp_parse(&ip, &l4, true, &s), 0);
		assert_int_equal(s.seq, 1);
		assert_int_equal(s.len, 0);
		switch (i) {
		case 0:
			assert_int_equal(s.mss, 0);
			assert_int_equal(s.wscale, -1);
			break;
		case 1:
			assert_int_equal(s.mss, 1460);
			assert_int_equal(s.wscale, 14);
			break;
		default:
			assert_int_equal(s.mss, 0);
			assert_int_equal(s.wscale, -1);
		}
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_handshake),
		T(test_tso_segments),
		T(test_rtt),
		T(test_synack_retransmit),
		T(test_handshake_options),
		T(test_refused),
		T(test_no_flow_and_limits),
		T(test_data_both_ways),
		T(test_out_of_window),
		T(test_retransmitted_segment),
		T(test_reordered),
		T(test_rst),
		T(test_fin_from_guest),
		T(test_fin_from_host),
		T(test_linger_reuse),
		T(test_zero_window),
		T(test_rto_backoff),
		T(test_fast_retransmit),
		T(test_short_write),
		T(test_wraparound),
		T(test_keepalive_and_idle),
		T(test_host_error),
		T(test_build_parse),
		T(test_parse_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
