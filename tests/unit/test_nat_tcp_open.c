// SPDX-License-Identifier: MIT
/*
 * test_nat_tcp_open.c - unit tests for the TCP engine's active open
 * (nat_tcp_open(): connections from the host toward a guest, as published
 * ports make them)
 *
 * Same approach and fake host as test_nat_tcp.c (nat_tcp_fakehost.h): here
 * the host socket is an accepted client, already connected, whose receive
 * queue the engine peeks at; writes must be taken whole. Guest segments are struct nat_seg literals; what the
 * engine emits is recorded in order. Time starts at T0 and only moves when
 * a test moves it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nat/nat_tcp.h"
#include "nat_tcp_fakehost.h"

#define GUEST_IP	0x0a590002u	/* 10.89.0.2 */
#define GUEST_PORT	8080
#define CLIENT_IP	0xc0a80105u	/* 192.168.1.5, as the guest sees it */
#define CLIENT_PORT	51000
#define G_ISN		0xfffffff0u	/* the guest's ISN: near the wrap */
#define HOST_FD		7

static uint32_t iss;		/* ours, from the SYN */

static const struct nat_flow_key key = {
	.guest_ip = GUEST_IP, .guest_port = GUEST_PORT,
	.remote_ip = CLIENT_IP, .remote_port = CLIENT_PORT,
	.proto = NAT_PROTO_TCP,
};

static int setup(void **state)
{
	static const struct nat_hash_key k = { 5, 6 };

	(void)state;
	fake_setup(&k, 200000);
	h.connect_ret = -ECONNREFUSED;	/* the host side is never dialled */
	h.write_all = true;
	h.space_fixed = true;
	h.expect_host_id = HOST_FD;
	return 0;
}

static struct nat_flow *flow(void)
{
	return nat_flow_lookup(ft, &key);
}

/* a segment from the guest on the connection */
static struct nat_seg seg(uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct nat_seg s = {
		.saddr = GUEST_IP, .sport = GUEST_PORT,
		.daddr = CLIENT_IP, .dport = CLIENT_PORT,
		.seq = seq, .ack = ack, .flags = flags, .win = 64240,
		.wscale = -1,
	};
	return s;
}

/* the guest's answer to our SYN: MSS 1000, window scale 6 */
static struct nat_seg synack(void)
{
	struct nat_seg s = seg(NAT_TCP_SYN | NAT_TCP_ACK, G_ISN, iss + 1);

	s.mss = 1000;
	s.wscale = 6;
	s.win = 65160;
	return s;
}

static void open_flow(uint64_t now)
{
	struct nat_flow *f = NULL;

	assert_int_equal(nat_tcp_open(tcp, &key, HOST_FD, now, &f), 0);
	assert_non_null(f);
	assert_ptr_equal(f, flow());
	assert_int_equal(last()->s.flags, NAT_TCP_SYN);
	iss = last()->s.seq;
}

static void host_queue(const char *s)
{
	size_t n = strlen(s);

	memcpy(h.rq + h.rq_len, s, n);
	h.rq_len += n;
}

/* the SYN: addresses, options, window from ops->space, no ACK */
static void test_open_syn(void **state)
{
	struct nat_flow_key udp = key;
	struct nat_tcp_stats st;
	struct nat_flow *f = NULL;
	struct rec_seg *r;

	assert_int_equal(nat_tcp_open(tcp, &key, HOST_FD, T0, &f), 0);
	assert_int_equal(h.nsegs, 1);
	r = last();
	assert_int_equal(r->s.flags, NAT_TCP_SYN);
	assert_int_equal(r->s.saddr, CLIENT_IP);
	assert_int_equal(r->s.sport, CLIENT_PORT);
	assert_int_equal(r->s.daddr, GUEST_IP);
	assert_int_equal(r->s.dport, GUEST_PORT);
	assert_int_equal(r->s.ack, 0);
	assert_int_equal(r->s.mss, MSS);
	assert_int_equal(r->s.wscale, 7);
	assert_int_equal(r->s.win, 65535);	/* a SYN's window: unscaled */
	assert_int_equal(r->s.len, 0);
	assert_int_equal(f->host_id, HOST_FD);
	assert_int_equal(h.host_id_seen, HOST_FD);	/* set before any op */
	assert_int_equal(f->tcp.state, NAT_TCP_SYN_SENT);
	assert_int_equal(h.connects, 0);
	assert_true(nat_tcp_flow_deadline(tcp, f) ==
		    T0 + cfg.rto_init_ms * MS);

	/* a small send space gives a small window */
	h.space = 1000;
	udp.remote_port++;
	assert_int_equal(nat_tcp_open(tcp, &udp, HOST_FD, T0, NULL), 0);
	assert_int_equal(last()->s.win, 1000);

	/* the 4-tuple is taken; not TCP */
	h.nsegs = 0;
	assert_int_equal(nat_tcp_open(tcp, &key, HOST_FD, T0, NULL), -EEXIST);
	udp.proto = NAT_PROTO_UDP;
	assert_int_equal(nat_tcp_open(tcp, &udp, HOST_FD, T0, NULL), -EINVAL);
	assert_int_equal(h.nsegs, 0);
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.limited, 1);
}

/* the table's per-guest limit refuses an open, nothing is sent */
static void test_open_limit(void **state)
{
	struct nat_flow_key k = key;
	unsigned i;

	for (i = 0; i < 4; i++) {
		k.remote_port = (uint16_t)(CLIENT_PORT + i);
		assert_int_equal(nat_tcp_open(tcp, &k, HOST_FD, T0, NULL), 0);
	}
	h.nsegs = 0;
	k.remote_port = CLIENT_PORT + 4;
	assert_int_equal(nat_tcp_open(tcp, &k, HOST_FD, T0, NULL), -EDQUOT);
	assert_int_equal(h.nsegs, 0);
	assert_int_equal(h.closes, 0);
}

/* SYN-ACK -> ACK, ESTABLISHED; then data both ways as usual */
static void test_open_established(void **state)
{
	struct nat_seg s;
	struct nat_tcp_stats st;
	struct nat_flow *f;
	struct rec_seg *r;

	open_flow(T0);
	s = synack();
	nat_tcp_input(tcp, &s, T0 + 3 * MS);
	f = flow();
	assert_int_equal(f->tcp.state, NAT_TCP_ESTABLISHED);
	assert_int_equal(h.nsegs, 2);
	r = last();
	assert_int_equal(r->s.flags, NAT_TCP_ACK);
	assert_int_equal(r->s.seq, iss + 1);
	assert_int_equal(r->s.ack, G_ISN + 1);
	assert_int_equal(r->s.mss, 0);		/* options only on SYNs */
	assert_int_equal(r->s.wscale, -1);
	assert_int_equal(r->s.win, 200000 >> 7);	/* scaled by our 7 */
	assert_int_equal(f->tcp.snd_mss, 1000);
	assert_int_equal(f->tcp.snd_wnd, 65160);	/* SYN-ACK: unscaled */
	assert_true(f->tcp.srtt == 3 * MS);	/* the SYN was timed */
	assert_true(nat_tcp_flow_deadline(tcp, f) > T0 + 1000000 * MS);
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.opened, 1);

	/* client -> guest: MSS-sized segments, ack carried */
	h.nsegs = 0;
	memset(h.rq, 'x', 2500);
	h.rq_len = 2500;
	nat_tcp_host_readable(tcp, f, T0 + 4 * MS);
	assert_int_equal(h.nsegs, 3);
	assert_int_equal(h.segs[0].s.len, 1000);
	assert_int_equal(h.segs[0].s.seq, iss + 1);
	assert_int_equal(h.segs[0].s.ack, G_ISN + 1);
	assert_int_equal(h.segs[2].s.len, 500);
	assert_int_equal(h.segs[2].s.seq, iss + 1 + 2000);

	/* guest -> client, acknowledging all of it (window now scaled) */
	s = seg(NAT_TCP_ACK | NAT_TCP_PSH, G_ISN + 1, iss + 1 + 2500);
	s.win = 1000;		/* x 64 */
	s.data = (const uint8_t *)"hello";
	s.len = 5;
	h.nsegs = 0;
	nat_tcp_input(tcp, &s, T0 + 5 * MS);
	assert_int_equal(h.wr_len, 5);
	assert_memory_equal(h.wr, "hello", 5);
	assert_int_equal(h.discarded, 2500);
	assert_int_equal(f->tcp.snd_wnd, 1000 << 6);
	assert_int_equal(last()->s.ack, G_ISN + 1 + 5);
	assert_int_equal(f->tcp.rcv_nxt, G_ISN + 6);	/* across the wrap */
}

/* no window scale in the SYN-ACK: none either way */
static void test_open_no_wscale(void **state)
{
	struct nat_seg s;

	open_flow(T0);
	s = synack();
	s.wscale = -1;
	s.mss = 0;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(flow()->tcp.state, NAT_TCP_ESTABLISHED);
	assert_int_equal(last()->s.win, 65535);	/* unscaled field */
	assert_int_equal(flow()->tcp.snd_mss, 536);	/* RFC 9293 3.7.1 */
	s = seg(NAT_TCP_ACK, G_ISN + 1, iss + 1);
	s.win = 1000;
	nat_tcp_input(tcp, &s, T0 + MS);
	assert_int_equal(flow()->tcp.snd_wnd, 1000);
}

/* what the client sent (and its EOF) before the guest answered goes out */
static void test_open_pending_data(void **state)
{
	struct nat_seg s;
	struct nat_flow *f;

	open_flow(T0);
	f = flow();
	host_queue("GET / HTTP/1.0\r\n\r\n");
	nat_tcp_host_readable(tcp, f, T0 + MS);
	nat_tcp_host_eof(tcp, f, T0 + MS);
	assert_int_equal(h.nsegs, 1);		/* only the SYN so far */
	assert_int_equal(h.closes, 0);
	s = synack();
	nat_tcp_input(tcp, &s, T0 + 2 * MS);
	assert_int_equal(f->tcp.state, NAT_TCP_ESTABLISHED);
	/* the ACK rides on the data; then the FIN */
	assert_int_equal(h.nsegs, 3);
	assert_int_equal(h.segs[1].s.flags, NAT_TCP_ACK | NAT_TCP_PSH);
	assert_int_equal(h.segs[1].s.ack, G_ISN + 1);
	assert_int_equal(h.segs[1].s.len, 18);
	assert_memory_equal(h.segs[1].data, "GET / HTTP/1.0\r\n\r\n", 18);
	assert_int_equal(h.segs[2].s.flags, NAT_TCP_FIN | NAT_TCP_ACK);
	assert_int_equal(h.segs[2].s.seq, iss + 1 + 18);
	/* the retransmission timer covers them */
	assert_true(nat_tcp_flow_deadline(tcp, f) <= T0 + 2 * MS + 1000 * MS);
}

/* RST from the guest (nothing listens): the client gets a reset */
static void test_open_rst(void **state)
{
	struct nat_tcp_stats st;
	struct nat_seg s;

	open_flow(T0);
	/* without an ACK, or acknowledging something else: dropped */
	s = seg(NAT_TCP_RST, 0, 0);
	nat_tcp_input(tcp, &s, T0);
	s = seg(NAT_TCP_RST | NAT_TCP_ACK, 0, iss + 2);
	nat_tcp_input(tcp, &s, T0);
	assert_non_null(flow());
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(h.closes, 0);

	s = seg(NAT_TCP_RST | NAT_TCP_ACK, 0, iss + 1);
	nat_tcp_input(tcp, &s, T0 + MS);
	assert_null(flow());
	assert_int_equal(h.closes, 1);
	assert_true(h.abort);
	assert_int_equal(h.nsegs, 1);		/* no RST for a RST */
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.rst_rcvd, 1);
	assert_int_equal(st.opened, 0);
}

/* RFC 9293 3.10.7.3: an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST> */
static void test_open_bad_ack(void **state)
{
	/* iss + 1 would be right: SEG.ACK =< ISS, or > SND.NXT */
	static const uint32_t bad[] = { 0, (uint32_t)-5, 2, 0x80000000u };
	struct nat_seg s;
	unsigned i;

	open_flow(T0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = synack();
		s.ack = iss + bad[i];
		h.nsegs = 0;
		nat_tcp_input(tcp, &s, T0);
		assert_int_equal(h.nsegs, 1);
		assert_int_equal(last()->s.flags, NAT_TCP_RST);
		assert_int_equal(last()->s.seq, s.ack);
		assert_int_equal(flow()->tcp.state, NAT_TCP_SYN_SENT);
	}
	/* a bare ACK too */
	s = seg(NAT_TCP_ACK, G_ISN, iss + 5);
	h.nsegs = 0;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(last()->s.flags, NAT_TCP_RST);
	/* a bare acceptable ACK, a bare SYN (simultaneous open), SYN-ACK-FIN:
	 * dropped silently */
	h.nsegs = 0;
	s = seg(NAT_TCP_ACK, G_ISN, iss + 1);
	nat_tcp_input(tcp, &s, T0);
	s = seg(NAT_TCP_SYN, G_ISN, 0);
	nat_tcp_input(tcp, &s, T0);
	s = synack();
	s.flags |= NAT_TCP_FIN;
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(h.nsegs, 0);
	assert_int_equal(flow()->tcp.state, NAT_TCP_SYN_SENT);
	assert_int_equal(h.connects, 0);
	/* the right one still works */
	s = synack();
	nat_tcp_input(tcp, &s, T0);
	assert_int_equal(flow()->tcp.state, NAT_TCP_ESTABLISHED);
	assert_int_equal(last()->s.flags, NAT_TCP_ACK);
}

/* SYN retransmitted at 1, 3, 7, 15 s..., given up after connect_timeout */
static void test_open_retransmit(void **state)
{
	uint64_t now = T0, d, end = T0 + cfg.connect_timeout_ms * MS;
	uint64_t rto = cfg.rto_init_ms * MS;
	struct nat_tcp_stats st;
	unsigned n = 0;

	open_flow(T0);
	/* nothing before the RTO */
	nat_tcp_timers(tcp, T0 + rto - 1);
	assert_int_equal(h.nsegs, 1);
	for (;;) {
		d = nat_tcp_next_deadline(tcp);
		assert_true(d == (now + rto < end ? now + rto : end));
		now = d;
		h.nsegs = 0;
		nat_tcp_timers(tcp, now);
		if (!flow())
			break;
		assert_int_equal(h.nsegs, 1);
		assert_int_equal(last()->s.flags, NAT_TCP_SYN);
		assert_int_equal(last()->s.seq, iss);
		assert_int_equal(last()->s.mss, MSS);
		n++;
		rto *= 2;
	}
	assert_true(now == end);
	assert_int_equal(n, 4);		/* 1, 3, 7, 15 s; 31 > 30 */
	/* given up: a bare RST at snd_nxt to the guest, reset the client */
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.flags, NAT_TCP_RST);
	assert_int_equal(last()->s.seq, iss + 1);
	assert_int_equal(h.closes, 1);
	assert_true(h.abort);
	nat_tcp_get_stats(tcp, &st);
	assert_int_equal(st.retrans, 4);
	assert_int_equal(st.refused, 1);
	assert_int_equal(nat_tcp_next_deadline(tcp), UINT64_MAX);
}

/* after a retransmitted SYN: no RTT sample (Karn); a late duplicate
 * SYN-ACK is answered with an ACK */
static void test_open_late_synack(void **state)
{
	struct nat_seg s;

	open_flow(T0);
	nat_tcp_timers(tcp, T0 + cfg.rto_init_ms * MS);
	s = synack();
	nat_tcp_input(tcp, &s, T0 + 1500 * MS);
	assert_int_equal(flow()->tcp.state, NAT_TCP_ESTABLISHED);
	assert_true(flow()->tcp.srtt == 0);
	h.nsegs = 0;
	nat_tcp_input(tcp, &s, T0 + 1600 * MS);
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.flags, NAT_TCP_ACK);
	assert_int_equal(last()->s.ack, G_ISN + 1);
	assert_int_equal(flow()->tcp.state, NAT_TCP_ESTABLISHED);
}

/* the publication goes, or the client resets, while the SYN is out */
static void test_open_abort(void **state)
{
	open_flow(T0);
	h.nsegs = 0;
	nat_tcp_abort(tcp, flow(), T0);
	assert_null(flow());
	assert_int_equal(h.nsegs, 1);
	assert_int_equal(last()->s.flags, NAT_TCP_RST);
	assert_int_equal(last()->s.seq, iss + 1);
	assert_int_equal(h.closes, 1);
	assert_true(h.abort);

	open_flow(T0);
	h.nsegs = 0;
	nat_tcp_host_error(tcp, flow(), ECONNRESET, T0);
	assert_null(flow());
	assert_int_equal(last()->s.flags, NAT_TCP_RST);
	assert_int_equal(h.closes, 2);
}

/* both ways closed on an actively opened connection: linger, then gone */
static void test_open_close(void **state)
{
	struct nat_seg s;
	struct nat_flow *f;

	open_flow(T0);
	s = synack();
	nat_tcp_input(tcp, &s, T0);
	f = flow();
	nat_tcp_host_eof(tcp, f, T0);
	assert_int_equal(last()->s.flags, NAT_TCP_FIN | NAT_TCP_ACK);
	s = seg(NAT_TCP_FIN | NAT_TCP_ACK, G_ISN + 1, iss + 2);
	nat_tcp_input(tcp, &s, T0 + MS);
	assert_int_equal(h.shutdowns, 1);
	assert_int_equal(f->tcp.state, NAT_TCP_LINGER);
	assert_int_equal(h.closes, 1);
	assert_false(h.abort);
	nat_tcp_timers(tcp, T0 + MS + cfg.linger_ms * MS);
	assert_null(flow());
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_syn),
		T(test_open_limit),
		T(test_open_established),
		T(test_open_no_wscale),
		T(test_open_pending_data),
		T(test_open_rst),
		T(test_open_bad_ack),
		T(test_open_retransmit),
		T(test_open_late_synack),
		T(test_open_abort),
		T(test_open_close),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
