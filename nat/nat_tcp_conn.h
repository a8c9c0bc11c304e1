/* SPDX-License-Identifier: MIT */
/*
 * nat_tcp_conn.h - the per-connection state of the NAT's TCP engine
 *
 * Kept apart from nat_tcp.h so that the flow table (nat_flow.h) can embed
 * it in its fixed-size entries without depending on the engine's API.
 * Only nat_tcp*.c touch these fields; everybody else treats them as opaque.
 * Naming follows RFC 9293 3.3.1: "snd" is the direction toward the guest
 * (bytes the host socket produced), "rcv" the direction from the guest.
 */
#ifndef MVM_NAT_TCP_CONN_H
#define MVM_NAT_TCP_CONN_H

#include <stdint.h>

/** enum nat_tcp_state - where a connection is (see nat_tcp.c) */
enum nat_tcp_state {
	NAT_TCP_CONNECTING = 1,	/* guest SYN seen, host connect() pending */
	NAT_TCP_SYN_RCVD,	/* SYN-ACK sent, waiting for the guest's ACK */
	NAT_TCP_ESTABLISHED,	/* data both ways; half-closes are flags */
	NAT_TCP_LINGER,		/* both FINs done, host socket closed */
	NAT_TCP_SYN_SENT,	/* nat_tcp_open(): our SYN sent to the guest */
};

/* nat_tcp_conn.flags */
#define NAT_TCPF_GUEST_FIN	0x01	/* guest FIN accepted; host SHUT_WR */
#define NAT_TCPF_HOST_EOF	0x02	/* host socket reported end of stream */
#define NAT_TCPF_FIN_SENT	0x04	/* our FIN went out, at fin_seq */
#define NAT_TCPF_FIN_ACKED	0x08	/* the guest acknowledged our FIN */
#define NAT_TCPF_PENDING	0x10	/* host data may wait behind the window */
#define NAT_TCPF_WANT_WRITE	0x20	/* tell us when the host socket drains */
#define NAT_TCPF_WS		0x40	/* window scaling negotiated */
#define NAT_TCPF_RTT		0x80	/* an RTT sample is being timed */

/**
 * struct nat_tcp_conn - one guest TCP connection
 * @state:	enum nat_tcp_state
 * @flags:	NAT_TCPF_*
 * @snd_wscale:	shift applied to the guest's window field (its WS option)
 * @rcv_wscale:	shift applied to the window we advertise (our WS option)
 * @dupacks:	consecutive duplicate ACKs (RFC 5681 definition)
 * @retries:	retransmissions since the last forward progress
 * @snd_mss:	largest payload we send: min(guest MSS, MTU - 40)
 * @iss:	our initial sequence number
 * @snd_una:	oldest byte the guest has not acknowledged; the host
 *		socket's receive queue starts at this byte (MSG_PEEK design)
 * @snd_nxt:	next sequence number to send (rewound on retransmission)
 * @snd_max:	highest sequence number sent so far, plus one
 * @snd_wnd:	guest's receive window in bytes (already scaled)
 * @snd_wl1, @snd_wl2: seq and ack of the segment that last set @snd_wnd
 * @fin_seq:	sequence number of our FIN (valid with NAT_TCPF_FIN_SENT)
 * @irs:	guest's initial sequence number
 * @rcv_nxt:	next byte expected from the guest; everything before it was
 *		taken by the host socket
 * @rcv_edge:	right edge of the largest window we advertised
 * @rtt_seq:	the timed segment is acknowledged when ack passes this
 * @rtt_start:	when the timed segment left; in SYN_SENT, when the first
 *		SYN left (the give-up deadline counts from it)
 * @srtt, @rttvar, @rto: RFC 6298 estimator state, nanoseconds
 * @timer_at:	retransmission / persist / connect / linger deadline, 0 = off
 *		(SYN_SENT: the SYN retransmission)
 * @active_at:	last time either side did something (idle timeout)
 */
struct nat_tcp_conn {
	uint8_t state;
	uint8_t flags;
	uint8_t snd_wscale;
	uint8_t rcv_wscale;
	uint8_t dupacks;
	uint8_t retries;
	uint16_t snd_mss;
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max;
	uint32_t snd_wnd;
	uint32_t snd_wl1;
	uint32_t snd_wl2;
	uint32_t fin_seq;
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t rcv_edge;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	uint64_t srtt;
	uint64_t rttvar;
	uint64_t rto;
	uint64_t timer_at;
	uint64_t active_at;
};

#endif
