/* SPDX-License-Identifier: MIT */
/*
 * nat_tcp.h - the NAT's TCP engine: guest connections spliced to host sockets
 *
 * A pure library: no sockets, no clock, no printing. The caller (the
 * gateway port) feeds it
 *   - guest segments: nat_tcp_parse() then nat_tcp_input();
 *   - connections from the host toward the guest (published ports):
 *     nat_tcp_open() with an already connected host socket;
 *   - host socket events: nat_tcp_connected(), nat_tcp_connect_failed(),
 *     nat_tcp_host_readable(), nat_tcp_host_writable(), nat_tcp_host_eof(),
 *     nat_tcp_host_error();
 *   - time: nat_tcp_timers() at nat_tcp_next_deadline();
 * and the engine acts through struct nat_tcp_ops: it asks the caller to
 * connect, peek at / discard / write to the host socket, shut it down or
 * close it, and emits segments for the guest (nat_tcp_build() frames one
 * into IPv4 + TCP with checksums).
 *
 * The theory of operation (states, sequence spaces, the MSG_PEEK
 * retransmission design, windows, timers) is at the top of nat_tcp.c.
 *
 * Times are CLOCK_MONOTONIC nanoseconds supplied by the caller. Every call
 * takes the current time; the engine never reads a clock.
 *
 * Reentrancy: an ops callback must not call back into the engine for the
 * same engine (queue the work instead). Distinct engines are independent.
 */
#ifndef MVM_NAT_TCP_H
#define MVM_NAT_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nat/nat_flow.h"
#include "pkt/frame.h"

/* TCP header flags (RFC 9293 3.1) */
#define NAT_TCP_FIN	0x01
#define NAT_TCP_SYN	0x02
#define NAT_TCP_RST	0x04
#define NAT_TCP_PSH	0x08
#define NAT_TCP_ACK	0x10
#define NAT_TCP_URG	0x20

#define NAT_TCP_MSS_DEFAULT	536	/* RFC 9293 3.7.1: no MSS option */
#define NAT_TCP_WS_MAX		14	/* RFC 7323 2.3 */
#define NAT_TCP_HDR_MAX		(20 + 20 + 8)	/* IPv4 + TCP + MSS, WS */
#define NAT_TCP_SCRATCH		65536	/* one peek: the largest segment */
#define NAT_TCP_SEG_MAX		(65535 - 40)	/* IPv4 tot_len - headers */

/**
 * struct nat_seg - one TCP segment, both directions, host byte order
 * @saddr, @sport:	source (the guest on input, the remote on output)
 * @daddr, @dport:	destination
 * @seq, @ack:		sequence and acknowledgment numbers
 * @flags:		NAT_TCP_* bits
 * @win:		the raw 16-bit window field (not scaled)
 * @mss:		MSS option, 0 when absent
 * @wscale:		window scale option shift, -1 when absent
 * @data, @len:		payload; on input it points into the caller's frame,
 *			on output into the engine's scratch buffer, valid
 *			only during the emit callback
 */
struct nat_seg {
	uint32_t saddr;
	uint32_t daddr;
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t win;
	uint16_t mss;
	int8_t wscale;
	const uint8_t *data;
	size_t len;
};

/**
 * struct nat_tcp_ops - what the engine asks of its caller
 *
 * @f is the connection's flow; f->key names the guest and the remote end,
 * f->host_id is the caller's handle for the host socket (set it in
 * @connect). Every callback is mandatory unless said otherwise.
 *
 * @connect:	start a non-blocking connect() to f->key.remote_ip:port
 *		and store the socket in f->host_id. Return 0 when it is in
 *		progress (report the result with nat_tcp_connected() or
 *		nat_tcp_connect_failed()), 1 when already connected, -errno
 *		when it failed at once (the guest gets a RST).
 * @peek:	copy up to @len bytes of the host socket's receive queue,
 *		starting @off bytes after its head, into @buf without
 *		consuming them (recv(MSG_PEEK) with SO_PEEK_OFF = @off).
 *		Return the bytes copied, 0 when nothing is queued at @off
 *		(now), or -errno for a socket error (-EAGAIN counts as 0).
 *		It must fill all @len bytes when that many are queued: after
 *		EOF, a short peek is how the engine knows the stream ended.
 * @discard:	drop the first @len bytes of the receive queue: the guest
 *		acknowledged them (recv(MSG_TRUNC)). @len never exceeds what
 *		@peek returned before. Return 0 or -errno.
 * @write:	send @len bytes from the guest to the host socket. Return the
 *		bytes taken (a short count is backpressure; -EAGAIN counts as
 *		0) or -errno for an error (the connection is reset).
 * @space:	how many bytes @write would take now (SO_SNDBUF minus
 *		SIOCOUTQ, or an estimate); the window offered to the guest.
 * @shutdown_wr: the guest finished sending: shutdown(SHUT_WR).
 * @close:	release the host socket; @abort asks for a RST (SO_LINGER
 *		0) instead of an orderly close. The flow entry stays the
 *		engine's; do not free it.
 * @emit:	send @seg to the guest (frame it with nat_tcp_build()). @f is
 *		NULL for a RST answering a segment of no flow. A segment the
 *		caller cannot send may be dropped: the engine's timers
 *		recover as from a loss on the wire.
 * @want_write:	optional; the engine does (@on) or no longer does want
 *		nat_tcp_host_writable() for @f (arm / disarm EPOLLOUT).
 */
struct nat_tcp_ops {
	int (*connect)(void *ctx, struct nat_flow *f);
	ssize_t (*peek)(void *ctx, struct nat_flow *f, size_t off, void *buf,
			size_t len);
	int (*discard)(void *ctx, struct nat_flow *f, size_t len);
	ssize_t (*write)(void *ctx, struct nat_flow *f, const void *buf,
			 size_t len);
	size_t (*space)(void *ctx, struct nat_flow *f);
	void (*shutdown_wr)(void *ctx, struct nat_flow *f);
	void (*close)(void *ctx, struct nat_flow *f, bool abort);
	void (*emit)(void *ctx, struct nat_flow *f, const struct nat_seg *seg);
	void (*want_write)(void *ctx, struct nat_flow *f, bool on);
};

/**
 * struct nat_tcp_config - engine parameters (nat_tcp_config_default())
 * @mtu:		the network's L3 MTU; our MSS is @mtu - 40 (68..65535)
 * @wscale:		our window scale shift, 0..14
 * @connect_timeout_ms:	host connect() not done by then: RST to the guest;
 *			also how long nat_tcp_open() retransmits its SYN to
 *			a silent guest before it resets the host socket
 * @idle_timeout_ms:	no segment either way for this long: reset both
 *			sides (a guest keepalive probe counts as activity)
 * @linger_ms:		how long a closed connection keeps its table entry
 *			to re-ACK a retransmitted FIN (TIME-WAIT stand-in)
 * @rto_init_ms, @rto_min_ms, @rto_max_ms: RFC 6298 bounds
 * @max_retries:	retransmissions without progress before a reset
 * @seg_max:	largest payload of one segment sent to the guest; above its
 *		MSS, the caller cuts it (GSO: a virtio TSO frame, split by
 *		the guest's own stack, as a NIC with LRO would deliver it).
 *		Rounded down to whole MSS. 0 = the guest's MSS (no GSO);
 *		at most NAT_TCP_SEG_MAX.
 */
struct nat_tcp_config {
	uint16_t mtu;
	uint8_t wscale;
	uint32_t connect_timeout_ms;
	uint32_t idle_timeout_ms;
	uint32_t linger_ms;
	uint32_t rto_init_ms;
	uint32_t rto_min_ms;
	uint32_t rto_max_ms;
	uint32_t max_retries;
	uint32_t seg_max;
};

/**
 * struct nat_tcp_stats - what the engine did
 * @opened:	connections established with the host
 * @refused:	connects refused or timed out (RST to the guest), and
 *		active opens (nat_tcp_open()) the guest refused with a RST
 *		or never answered (the host socket is reset)
 * @limited:	SYNs (and nat_tcp_open() calls) refused because of a flow
 *		table limit
 * @no_flow:	segments of no connection (RST unless they were RSTs)
 * @bad_seg:	segments dropped as malformed (bad checksum, SYN+FIN...)
 * @dup_acks:	ACKs sent for unacceptable or out-of-order segments
 * @challenge_acks: RFC 5961 challenge ACKs
 * @rst_rcvd:	resets accepted from the guest
 * @rst_sent:	resets sent to the guest on live connections
 * @retrans:	RTO retransmissions
 * @fast_retrans: fast retransmissions (3 duplicate ACKs)
 * @probes:	zero-window probes
 * @timeouts:	connections reset by a timer (retries, idle)
 * @to_host, @to_guest: payload bytes moved
 */
struct nat_tcp_stats {
	uint64_t opened;
	uint64_t refused;
	uint64_t limited;
	uint64_t no_flow;
	uint64_t bad_seg;
	uint64_t dup_acks;
	uint64_t challenge_acks;
	uint64_t rst_rcvd;
	uint64_t rst_sent;
	uint64_t retrans;
	uint64_t fast_retrans;
	uint64_t probes;
	uint64_t timeouts;
	uint64_t to_host;
	uint64_t to_guest;
};

struct nat_tcp;

/** nat_tcp_config_default() - sensible defaults for an MTU of @mtu */
struct nat_tcp_config nat_tcp_config_default(uint16_t mtu);

/**
 * nat_tcp_create() - a TCP engine over a flow table
 * @cfg:	parameters (copied); -EINVAL when out of range
 * @ft:		the network's flow table (shared with UDP; the engine only
 *		touches NAT_PROTO_TCP entries). Not owned.
 * @ops, @ctx:	callbacks and their context (not owned, must outlive it)
 * @out:	receives the engine; free with nat_tcp_destroy()
 * Allocates the engine and its one scratch buffer (NAT_TCP_SCRATCH bytes);
 * nothing afterwards.
 * Return: 0, -EINVAL or -ENOMEM
 */
int nat_tcp_create(const struct nat_tcp_config *cfg, struct nat_flow_table *ft,
		   const struct nat_tcp_ops *ops, void *ctx,
		   struct nat_tcp **out);

/**
 * nat_tcp_destroy() - free the engine (NULL is fine)
 * Live connections are closed (ops->close with abort) and their entries
 * removed from the table; no segment is emitted.
 */
void nat_tcp_destroy(struct nat_tcp *t);

/**
 * nat_tcp_parse() - read a guest's TCP segment into a struct nat_seg
 * @ip:		the IPv4 packet (frame_parse_ip4())
 * @l4:		its TCP header (frame_parse_tcp()), bounds already checked
 * @csum_offloaded: the L4 checksum is partial (virtio NEEDS_CSUM): skip it
 * @out:	receives the segment; @out->data points into the frame
 * Reads seq, ack, window and the MSS / window scale options through a
 * cursor over the header the frame parser bounded; other options (SACK,
 * timestamps) are skipped. Malformed options end option parsing without
 * failing the segment (as Linux does).
 * Return: 0, or -EBADMSG when the TCP checksum is wrong
 */
int nat_tcp_parse(const struct frame_ip4 *ip, const struct frame_l4 *l4,
		  bool csum_offloaded, struct nat_seg *out);

/**
 * nat_tcp_input() - process one segment from the guest
 * @t:		engine
 * @seg:	the segment (nat_tcp_parse()); @seg->data is only read
 *		during the call
 * @now_ns:	current time
 * May call any op. A SYN of a new connection allocates a flow and calls
 * ops->connect; a segment of no connection is answered with a RST.
 */
void nat_tcp_input(struct nat_tcp *t, const struct nat_seg *seg,
		   uint64_t now_ns);

/**
 * nat_tcp_open() - open a connection toward the guest (a published port)
 * @t:		engine
 * @k:		the flow: the guest's address and port to connect to, and
 *		the remote end the guest will see (NAT_PROTO_TCP)
 * @host_id:	the caller's handle of the host socket, already connected
 *		(an accept()ed client); stored in f->host_id before any op
 *		is called, so ops may use it at once
 * @now_ns:	current time
 * @out:	receives the flow (may be NULL)
 *
 * Sends the guest a SYN (our MSS and window scale options, the window
 * from ops->space) and enters SYN_SENT. What follows (RFC 9293 3.10.7.3):
 *   - the guest's SYN-ACK acknowledging our SYN: we ACK it, the connection
 *     is ESTABLISHED and behaves exactly as one the guest opened. Data the
 *     host socket received meanwhile (nat_tcp_host_readable() in SYN_SENT
 *     only takes note) and a host EOF go out at once. A SYN-ACK's payload
 *     is ignored, as Linux does: the guest sends it again;
 *   - a SYN-ACK or ACK acknowledging anything else: <SEQ=SEG.ACK><CTL=RST>,
 *     the SYN stays outstanding;
 *   - a RST acknowledging our SYN (nothing listens on the guest's port):
 *     ops->close with abort (the host client sees a reset), @f removed,
 *     counted in refused and rst_rcvd. A RST without that ACK is dropped;
 *   - silence (or no frame can reach the guest yet, e.g. its MAC is not
 *     known): the SYN is retransmitted with exponential backoff from
 *     rto_init_ms; after connect_timeout_ms the attempt is given up: a
 *     RST to the guest, ops->close with abort, counted in refused.
 * Simultaneous open is not supported: a SYN without ACK from the guest
 * while in SYN_SENT is dropped (our SYN's retransmission continues).
 * The caller must not call ops-level functions on the host socket for @f
 * other than through the engine, as for any flow; host events in SYN_SENT
 * (readable, EOF, error) are accepted.
 * Return: 0; -EEXIST (the 4-tuple is in use), -ENOSPC, -EDQUOT (flow table
 * limits; counted in limited), -EINVAL (not TCP). On error nothing was
 * sent and the host socket is still the caller's.
 */
int nat_tcp_open(struct nat_tcp *t, const struct nat_flow_key *k,
		 int host_id, uint64_t now_ns, struct nat_flow **out);

/**
 * nat_tcp_connected() - the host connect() of @f succeeded: SYN-ACK
 * Ignored unless @f is a TCP flow of this engine waiting for its connect.
 */
void nat_tcp_connected(struct nat_tcp *t, struct nat_flow *f,
		       uint64_t now_ns);

/**
 * nat_tcp_connect_failed() - the host connect() of @f failed with @err
 * The guest gets a RST at once (it sees ECONNREFUSED), ops->close is
 * called and @f is removed: do not use it afterwards.
 */
void nat_tcp_connect_failed(struct nat_tcp *t, struct nat_flow *f, int err,
			    uint64_t now_ns);

/**
 * nat_tcp_host_readable() - the host socket of @f has new data (EPOLLIN)
 * Peeks and sends as much as the guest's window allows. Use EPOLLIN
 * edge-triggered: data the guest has not acknowledged stays queued, so a
 * level-triggered EPOLLIN would never go quiet.
 * @f may be removed (socket error): do not use it afterwards.
 */
void nat_tcp_host_readable(struct nat_tcp *t, struct nat_flow *f,
			   uint64_t now_ns);

/**
 * nat_tcp_host_writable() - the host socket of @f drained (EPOLLOUT)
 * Sends the guest a window update when the window we offered was small.
 */
void nat_tcp_host_writable(struct nat_tcp *t, struct nat_flow *f,
			   uint64_t now_ns);

/**
 * nat_tcp_host_eof() - the host peer finished sending (recv() saw EOF,
 * or EPOLLRDHUP). Once the guest has been sent everything still queued,
 * it gets a FIN. @f may be removed: do not use it afterwards.
 */
void nat_tcp_host_eof(struct nat_tcp *t, struct nat_flow *f, uint64_t now_ns);

/**
 * nat_tcp_host_error() - the host socket of @f failed (EPOLLERR, RST from
 * the peer): the guest gets a RST, ops->close is called and @f removed.
 */
void nat_tcp_host_error(struct nat_tcp *t, struct nat_flow *f, int err,
			uint64_t now_ns);

/**
 * nat_tcp_timers() - run every timer due at @now_ns
 * Retransmissions, zero-window probes, connect and idle timeouts, linger
 * expiry. Walks the live flows: O(flows).
 */
void nat_tcp_timers(struct nat_tcp *t, uint64_t now_ns);

/**
 * nat_tcp_next_deadline() - when nat_tcp_timers() is next due
 * Return: CLOCK_MONOTONIC ns (maybe in the past), UINT64_MAX for never
 */
uint64_t nat_tcp_next_deadline(const struct nat_tcp *t);

/**
 * nat_tcp_flow_deadline() - when @f's next timer is due (UINT64_MAX: none)
 */
uint64_t nat_tcp_flow_deadline(const struct nat_tcp *t,
			       const struct nat_flow *f);

/**
 * nat_tcp_abort() - reset @f now (e.g. the guest went away): RST to the
 * guest, ops->close with abort, @f removed
 */
void nat_tcp_abort(struct nat_tcp *t, struct nat_flow *f, uint64_t now_ns);

/** nat_tcp_get_stats() - copy the counters */
void nat_tcp_get_stats(const struct nat_tcp *t, struct nat_tcp_stats *st);

/**
 * nat_tcp_hdr_len() - bytes of IPv4 + TCP header (with options) that
 * nat_tcp_build() writes for @seg before its payload
 */
size_t nat_tcp_hdr_len(const struct nat_seg *seg);

/**
 * nat_tcp_build() - frame @seg as an IPv4 packet (no Ethernet header)
 * @seg:	the segment (from ops->emit)
 * @ip_id:	IPv4 identification to use
 * @buf, @cap:	destination; receives header, options and payload. When
 *		@seg->data already sits at @buf + nat_tcp_hdr_len(@seg) it
 *		is not copied (build in place after peeking into the frame).
 * Writes DF, TTL 64, the IPv4 header checksum and the full TCP checksum.
 * Options: MSS when @seg->mss, NOP + window scale when @seg->wscale >= 0.
 * Return: the packet length, or -ENOSPC when @cap is too small
 */
ssize_t nat_tcp_build(const struct nat_seg *seg, uint16_t ip_id, void *buf,
		      size_t cap);

/**
 * nat_tcp_build_partial() - nat_tcp_build() for a checksum the receiver
 * completes (virtio NEEDS_CSUM, csum_offset 16 after the IPv4 header):
 * the TCP checksum field holds the pseudo-header sum only, so the payload
 * is not read (GSO frames: the guest's stack checksums its segments)
 */
ssize_t nat_tcp_build_partial(const struct nat_seg *seg, uint16_t ip_id,
			      void *buf, size_t cap);

#endif
