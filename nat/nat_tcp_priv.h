/* SPDX-License-Identifier: MIT */
/*
 * nat_tcp_priv.h - what the TCP engine's files share (not an API)
 */
#ifndef MVM_NAT_TCP_PRIV_H
#define MVM_NAT_TCP_PRIV_H

#include "nat/nat_tcp.h"

/* wraparound-safe sequence comparisons (RFC 9293 3.4, RFC 1982 style) */
#define SEQ_LT(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LE(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)	SEQ_LT(b, a)
#define SEQ_GE(a, b)	SEQ_LE(b, a)

#define NS_PER_MS	1000000ull

struct nat_tcp {
	struct nat_flow_table *ft;
	const struct nat_tcp_ops *ops;
	void *ctx;
	struct nat_tcp_config cfg;
	struct nat_tcp_stats st;
	uint8_t scratch[NAT_TCP_SCRATCH];
};

/* nat_tcp_out.c */
uint32_t tcp_rcv_window(struct nat_tcp *t, struct nat_flow *f);
void tcp_send_ctl(struct nat_tcp *t, struct nat_flow *f, uint8_t flags,
		  uint32_t seq);
void tcp_send_ack(struct nat_tcp *t, struct nat_flow *f);
void tcp_send_synack(struct nat_tcp *t, struct nat_flow *f);
void tcp_send_syn(struct nat_tcp *t, struct nat_flow *f);
void tcp_send_rst_reply(struct nat_tcp *t, const struct nat_seg *in);
int tcp_send_data(struct nat_tcp *t, struct nat_flow *f, uint64_t now);
void tcp_want_write(struct nat_tcp *t, struct nat_flow *f, bool on);

/* nat_tcp_timer.c */
void tcp_rtt_sample(struct nat_tcp *t, struct nat_flow *f, uint64_t now);
void tcp_timer_update(struct nat_tcp *t, struct nat_flow *f, uint64_t now);
void tcp_timer_restart(struct nat_tcp *t, struct nat_flow *f, uint64_t now);

/* nat_tcp.c */
void tcp_reset(struct nat_tcp *t, struct nat_flow *f, bool rst_guest);
void tcp_check_done(struct nat_tcp *t, struct nat_flow *f, uint64_t now);

#endif
