// SPDX-License-Identifier: MIT
/*
 * gw_nat_tcp.c - the TCP engine (nat/nat_tcp.h) on real host sockets
 *
 * Theory of operation
 * -------------------
 * nat_tcp.c decides; this file does what it asks with sockets:
 *
 *   connect	gw_nat_route() says where (or refuses: the guest gets a
 *		RST), then a non-blocking connect(). TCP to gateway:53 is DNS
 *		over TCP: the flow is spliced to a stream served inside the
 *		gateway (gw_dns_tcp.c) instead of a host socket.
 *   peek	recv(MSG_PEEK) at SO_PEEK_OFF. The kernel moves the offset
 *		itself (forward by what a peek returned, back by what a read
 *		consumed), so we keep a copy of it (struct gw_nat_sock) and
 *		only call setsockopt() when the engine rewinds to
 *		retransmit. Kernels without SO_PEEK_OFF for TCP (before 6.9)
 *		peek from the head and throw the first @off bytes away.
 *   discard	recv(MSG_TRUNC) with no buffer drops acknowledged bytes
 *		(AF_UNIX streams cannot: they are read into a scratch buffer)
 *   space	SO_SNDBUF minus the memory queued (SO_MEMINFO): what the
 *		socket takes now, which is the window offered to the guest
 *
 * Events (gw_nat_tcp_event()): sockets are edge-triggered (nat_tcp.h: data
 * the guest has not acknowledged stays queued, a level-triggered EPOLLIN
 * would never go quiet). EPOLLOUT is watched while connecting and while
 * the engine wants a window update (want_write).
 *
 * Segments for the guest are framed into the NAT's frame buffer and sent
 * at once to the guest's MAC (gw_nat_send_ip()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/util.h"
#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"
#include "pkt/wire.h"

#define GW_DUMP_SIZE	65536
#define GW_TCP_BUF_MIN	(2 << 20)	/* worth setting from this size */
#define GW_TCP_BUF_MAX	(16 << 20)

static uint8_t gw_tcp_dump[GW_DUMP_SIZE];	/* bytes peeked to skip */

static struct gw_nat_sock *gw_tcp_sock(struct gw *gw, const struct nat_flow *f)
{
	return &gw->nat->socks[f->idx];
}

static void gw_tcp_watch(struct gw *gw, struct nat_flow *f, uint32_t ev)
{
	struct gw_nat_sock *s = gw_tcp_sock(gw, f);
	uint64_t data = gw_nat_ev(GW_NAT_EV_TCP, f->idx, f->gen);

	if (f->host_id < 0 || s->events == ev)
		return;
	if (!s->events)
		gw_nat_watch(gw, f->host_id, data, ev);
	else
		gw_nat_rewatch(gw, f->host_id, data, ev);
	s->events = ev;
}

/* net.core.[rw]mem_max, read once; 0 = too small to be worth setting */
static int gw_tcp_buf_max(const char *path)
{
	char b[32] = "";
	long v;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	if (!fgets(b, sizeof(b), f))
		b[0] = 0;
	fclose(f);
	v = strtol(b, NULL, 10);
	if (v < GW_TCP_BUF_MIN)
		return 0;
	return v > GW_TCP_BUF_MAX ? GW_TCP_BUF_MAX : (int)v;
}

/*
 * Socket buffers. Both queues hold the guest's window: the send queue takes
 * what we acknowledge to the guest, the receive queue keeps what we sent
 * the guest until it acknowledges it (MSG_PEEK). With autotuning, the send
 * buffer starts small and moves under our feet: the window we advertised a
 * moment ago no longer fits, writes come up short, the guest sees drops and
 * backs off. So, as passt does, when the system allows big buffers
 * (net.core.wmem_max / rmem_max of GW_TCP_BUF_MIN or more) both are set to
 * the maximum, which also keeps the window stable; otherwise autotuning
 * (whose ceiling, tcp_rmem[2], is then the larger one) stays in charge.
 */
static void gw_tcp_bufsize(int fd)
{
	static int snd = -1, rcv = -1;

	if (snd < 0) {
		snd = gw_tcp_buf_max("/proc/sys/net/core/wmem_max");
		rcv = gw_tcp_buf_max("/proc/sys/net/core/rmem_max");
	}
	if (snd)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if (rcv)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
}

/* the socket is ours: set it up, remember its state, watch it */
void gw_nat_tcp_adopt(struct gw *gw, struct nat_flow *f, int fd,
		      bool stream_unix, uint32_t ev)
{
	struct gw_nat_sock *s = gw_tcp_sock(gw, f);
	int zero = 0, one = 1;

	f->host_id = fd;
	memset(s, 0, sizeof(*s));
	s->stream_unix = stream_unix;
	if (setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)))
		s->no_peek_off = true;
	if (!stream_unix) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		gw_tcp_bufsize(fd);
	}
	gw_tcp_watch(gw, f, ev);
}

static int gw_tcp_connect(void *ctx, struct nat_flow *f)
{
	struct gw *gw = ctx;
	struct sockaddr_in sa;
	int fd, ret;

	if (f->key.remote_ip == gw->ip && f->key.remote_port == DNS_PORT &&
	    gw->cfg.dns) {
		fd = gw_dns_tcp_open(gw, f->key.guest_ip);
		if (fd < 0)
			return fd;
		gw_nat_tcp_adopt(gw, f, fd, true, GW_NAT_TCP_EV);
		return 1;
	}
	ret = gw_nat_route(gw, f->key.remote_ip, &sa);
	if (ret) {
		gw->nat->st.denied++;
		return ret;
	}
	sa.sin_port = htons(f->key.remote_port);
	fd = gw_nat_socket(gw, AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return fd;
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		gw_nat_tcp_adopt(gw, f, fd, false, GW_NAT_TCP_EV);
		return 1;
	}
	if (errno != EINPROGRESS) {
		ret = -errno;
		gw_nat_close(gw, fd);
		return ret;
	}
	gw_nat_tcp_adopt(gw, f, fd, false, GW_NAT_TCP_EV | EPOLLOUT);
	return 0;
}

/* peek from the head, skipping @off bytes (no SO_PEEK_OFF) */
static ssize_t gw_tcp_peek_skip(int fd, size_t off, void *buf, size_t len)
{
	struct iovec iov[UIO_MAXIOV];
	struct msghdr mh = { .msg_iov = iov };
	size_t n = 0;
	ssize_t r;

	while (off && n < UIO_MAXIOV - 1) {
		size_t k = MIN(off, (size_t)GW_DUMP_SIZE);

		iov[n].iov_base = gw_tcp_dump;
		iov[n++].iov_len = k;
		off -= k;
	}
	if (off)
		return 0;	/* beyond what we can skip: wait for ACKs */
	iov[n].iov_base = buf;
	iov[n++].iov_len = len;
	mh.msg_iovlen = n;
	r = recvmsg(fd, &mh, MSG_PEEK | MSG_DONTWAIT);
	if (r < 0)
		return r;
	for (size_t i = 0; i + 1 < n; i++)
		r -= (ssize_t)iov[i].iov_len;
	return r < 0 ? 0 : r;
}

static ssize_t gw_tcp_peek(void *ctx, struct nat_flow *f, size_t off,
			   void *buf, size_t len)
{
	struct gw *gw = ctx;
	struct gw_nat_sock *s = gw_tcp_sock(gw, f);
	ssize_t r;

	if (s->no_peek_off) {
		r = gw_tcp_peek_skip(f->host_id, off, buf, len);
	} else {
		if (s->peek_off != off) {
			int o = (int)off;

			if (setsockopt(f->host_id, SOL_SOCKET, SO_PEEK_OFF,
				       &o, sizeof(o)))
				return -errno;
			s->peek_off = (uint32_t)off;
		}
		r = recv(f->host_id, buf, len, MSG_PEEK | MSG_DONTWAIT);
		if (r > 0)
			s->peek_off += (uint32_t)r;
	}
	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	return r;
}

static int gw_tcp_discard(void *ctx, struct nat_flow *f, size_t len)
{
	struct gw *gw = ctx;
	struct gw_nat_sock *s = gw_tcp_sock(gw, f);
	size_t left = len;

	while (left) {
		ssize_t r;

		if (s->stream_unix)
			r = recv(f->host_id, gw_tcp_dump,
				 MIN(left, (size_t)GW_DUMP_SIZE), MSG_DONTWAIT);
		else
			r = recv(f->host_id, NULL, left,
				 MSG_TRUNC | MSG_DONTWAIT);
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		left -= (size_t)r;
	}
	s->peek_off = s->peek_off > len ? s->peek_off - (uint32_t)len : 0;
	return 0;
}

static ssize_t gw_tcp_write(void *ctx, struct nat_flow *f, const void *buf,
			    size_t len)
{
	ssize_t r;

	(void)ctx;
	r = send(f->host_id, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	return r;
}

/*
 * The window: what a write takes now. A TCP socket takes payload until its
 * queued memory (sk_wmem_queued, which counts skb overhead too) reaches
 * SO_SNDBUF, so payload bytes (SIOCOUTQ) understate what is used and a
 * window computed from them comes up short on the next write: the guest
 * then sees drops and backs off. SO_MEMINFO gives both figures in one
 * call; a sixteenth is kept back for the overhead of what comes next.
 * AF_UNIX streams (DNS over TCP) account by wmem_alloc: SIOCOUTQ.
 */
static size_t gw_tcp_space(void *ctx, struct nat_flow *f)
{
	struct gw_nat_sock *s = gw_tcp_sock(ctx, f);
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t sl = sizeof(mi);
	int sndbuf = 0, outq = 0;
	size_t free;

	if (!s->stream_unix &&
	    !getsockopt(f->host_id, SOL_SOCKET, SO_MEMINFO, mi, &sl) &&
	    sl >= sizeof(uint32_t) * (SK_MEMINFO_WMEM_QUEUED + 1)) {
		free = mi[SK_MEMINFO_SNDBUF] > mi[SK_MEMINFO_WMEM_QUEUED] ?
		       mi[SK_MEMINFO_SNDBUF] - mi[SK_MEMINFO_WMEM_QUEUED] : 0;
		return free - free / 16;
	}
	sl = sizeof(sndbuf);
	if (getsockopt(f->host_id, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl))
		return 0;
	if (ioctl(f->host_id, SIOCOUTQ, &outq))
		return 0;
	return sndbuf > outq ? (size_t)(sndbuf - outq) : 0;
}

static void gw_tcp_shutdown_wr(void *ctx, struct nat_flow *f)
{
	(void)ctx;
	shutdown(f->host_id, SHUT_WR);
}

static void gw_tcp_close(void *ctx, struct nat_flow *f, bool abort)
{
	struct gw *gw = ctx;

	if (f->host_id < 0)
		return;
	if (abort) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(f->host_id, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	gw_nat_close(gw, f->host_id);
	f->host_id = -1;
	gw_tcp_sock(gw, f)->events = 0;
}

/*
 * A segment longer than the guest's MSS (nat_tcp_config.seg_max) goes as
 * one TSO frame: the virtio header asks the receiver to cut it at the MSS
 * and to complete the checksum (the tap hands it to the guest's stack as
 * a GRO'd packet would be: one pass, one syscall, instead of ~44).
 */
static void gw_tcp_emit(void *ctx, struct nat_flow *f,
			const struct nat_seg *seg)
{
	struct gw *gw = ctx;
	uint8_t mac[ETH_ALEN_];
	uint8_t *p = gw_nat_frame_ip(gw);
	struct virtio_net_hdr_v1 vh;
	ssize_t n;

	if (!gw_nat_guest_mac(gw, seg->daddr, mac))
		return;		/* as if lost on the wire */
	if (!f || seg->len <= f->tcp.snd_mss) {
		n = nat_tcp_build(seg, gw->ip_id++, p, FRAME_MAX - ETH_HLEN_);
		if (n > 0)
			gw_nat_send_ip(gw, mac, NULL, p, (size_t)n);
		return;
	}
	n = nat_tcp_build_partial(seg, gw->ip_id++, p, FRAME_MAX - ETH_HLEN_);
	if (n <= 0)
		return;
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.hdr_len = (uint16_t)(ETH_HLEN_ + nat_tcp_hdr_len(seg));
	vh.gso_size = f->tcp.snd_mss;
	vh.csum_start = ETH_HLEN_ + sizeof(struct ip4_hdr);
	vh.csum_offset = offsetof(struct tcp_hdr, check);
	gw_nat_send_ip(gw, mac, &vh, p, (size_t)n);
}

static void gw_tcp_want_write(void *ctx, struct nat_flow *f, bool on)
{
	struct gw *gw = ctx;

	if (f->tcp.state == NAT_TCP_CONNECTING)
		return;		/* EPOLLOUT is on until connected */
	gw_tcp_watch(gw, f, GW_NAT_TCP_EV | (on ? EPOLLOUT : 0));
}

static const struct nat_tcp_ops gw_tcp_ops = {
	.connect = gw_tcp_connect,
	.peek = gw_tcp_peek,
	.discard = gw_tcp_discard,
	.write = gw_tcp_write,
	.space = gw_tcp_space,
	.shutdown_wr = gw_tcp_shutdown_wr,
	.close = gw_tcp_close,
	.emit = gw_tcp_emit,
	.want_write = gw_tcp_want_write,
};

const struct nat_tcp_ops *gw_nat_tcp_ops(void)
{
	return &gw_tcp_ops;
}

bool gw_nat_tcp_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		      const struct frame_eth *eth, const struct frame_ip4 *ip)
{
	struct frame_l4 tcp;
	struct nat_seg seg;

	(void)eth;
	if (ip->frag || frame_parse_tcp(ip, &tcp))
		goto ignore;
	if (nat_tcp_parse(ip, &tcp, vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM,
			  &seg)) {
		gw->st.bad_csum++;
		return false;
	}
	nat_tcp_input(gw->nat->tcp, &seg, now_mono_ns());
	return false;	/* what it answered went out already */
ignore:
	gw->st.ignored++;
	return false;
}

void gw_nat_tcp_event(struct gw *gw, struct nat_flow *f, uint32_t events)
{
	struct gw_nat *nat = gw->nat;
	uint32_t idx = f->idx, gen = f->gen;
	uint64_t now = nat->now_ns;
	int err = 0;
	socklen_t sl = sizeof(err);

	if (f->tcp.state == NAT_TCP_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		getsockopt(f->host_id, SOL_SOCKET, SO_ERROR, &err, &sl);
		if (err || (events & (EPOLLERR | EPOLLHUP))) {
			nat_tcp_connect_failed(nat->tcp, f,
					       err ? err : ECONNREFUSED, now);
			return;
		}
		gw_tcp_watch(gw, f, GW_NAT_TCP_EV);
		nat_tcp_connected(nat->tcp, f, now);
		f = nat_flow_get(nat->ft, idx, gen);
		if (!f)
			return;
		events &= ~(uint32_t)EPOLLOUT;	/* data that came already */
	}
	if (events & EPOLLERR) {
		getsockopt(f->host_id, SOL_SOCKET, SO_ERROR, &err, &sl);
		if (err) {
			nat_tcp_host_error(nat->tcp, f, err, now);
			return;
		}
	}
	if (events & EPOLLIN) {
		nat_tcp_host_readable(nat->tcp, f, now);
		f = nat_flow_get(nat->ft, idx, gen);
		if (!f)
			return;
	}
	if (events & (EPOLLRDHUP | EPOLLHUP)) {
		nat_tcp_host_eof(nat->tcp, f, now);
		f = nat_flow_get(nat->ft, idx, gen);
		if (!f)
			return;
	}
	if (events & EPOLLOUT)
		nat_tcp_host_writable(nat->tcp, f, now);
}
