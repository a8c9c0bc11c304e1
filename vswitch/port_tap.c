// SPDX-License-Identifier: MIT
/*
 * port_tap.c - tap port: a namespace guest's tap device
 *
 * The tap is opened by the guest side with IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR and a vnet header size of 12, so every read and write is
 * one frame preceded by a struct virtio_net_hdr_v1. Nothing here is
 * tap-specific beyond that: any message-preserving descriptor works the
 * same way (the unit tests use one end of a SOCK_SEQPACKET socketpair).
 *
 * Reads: up to TAP_BURST frames per wakeup, each with readv() into the
 * switch's shared receive buffer and forwarded before the next read.
 * Writes: writev(); the fd is non-blocking, so a full queue (EAGAIN,
 * ENOBUFS) drops the frame and counts it rather than stalling the switch.
 * EOF, EIO or EBADFD on read means the device or peer is gone: the port is
 * marked dead and no longer polled; mvmd removes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "vswitch/port.h"

#define TAP_BURST	64	/* frames read per wakeup */

struct tap_port {
	struct vsw_port port;
	int fd;
	bool sock;	/* a socket: use MSG_NOSIGNAL, detect MSG_TRUNC */
};

static int tap_deliver(struct vsw_port *p, const struct virtio_net_hdr_v1 *vh,
		       const uint8_t *frame, size_t len)
{
	struct tap_port *t = (struct tap_port *)p;
	struct iovec iov[2] = {
		{ .iov_base = (void *)vh, .iov_len = sizeof(*vh) },
		{ .iov_base = (void *)frame, .iov_len = len },
	};
	ssize_t n;

	do {
		if (t->sock) {
			struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

			n = sendmsg(t->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		} else {
			n = writev(t->fd, iov, 2);
		}
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;	/* EAGAIN/ENOBUFS: queue full; EIO: link down */
	return 0;
}

static void tap_event(struct vsw_port *p, unsigned tag, uint32_t events)
{
	struct tap_port *t = (struct tap_port *)p;
	struct vsw_rxbuf *rb = vsw_port_rxbuf(p);
	int i;

	for (i = 0; i < TAP_BURST && !p->dead; i++) {
		struct iovec iov[2] = {
			{ .iov_base = &rb->vh, .iov_len = sizeof(rb->vh) },
			{ .iov_base = rb->frame, .iov_len = sizeof(rb->frame) },
		};
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
		ssize_t n;

		if (t->sock)
			n = recvmsg(t->fd, &mh, MSG_DONTWAIT);
		else
			n = readv(t->fd, iov, 2);
		if (n < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			if (errno == EAGAIN)
				return;
			if (errno == EIO || errno == EBADFD ||
			    errno == ECONNRESET) {
				info("port %s: read failed (%s), port is down",
				     p->name, strerror(errno));
				vsw_port_unwatch(p, t->fd);
				vsw_port_set_dead(p);
				return;
			}
			/* anything else: count it, retry on the next wakeup */
			vsw_port_drop(p);
			return;
		}
		if (n == 0) {
			info("port %s: peer closed, port is down", p->name);
			vsw_port_unwatch(p, t->fd);
			vsw_port_set_dead(p);
			return;
		}
		/* oversized, or not even a header; the switch drops runts */
		if ((mh.msg_flags & MSG_TRUNC) || (size_t)n < sizeof(rb->vh)) {
			vsw_port_drop(p);
			continue;
		}
		vsw_port_input(p, &rb->vh, rb->frame, (size_t)n - sizeof(rb->vh));
	}
	/* more may be queued: level-triggered epoll wakes us again */
	(void)events;
	(void)tag;
}

static int tap_start(struct vsw_port *p)
{
	return vsw_port_watch(p, ((struct tap_port *)p)->fd, 0, EPOLLIN);
}

static void tap_destroy(struct vsw_port *p)
{
	struct tap_port *t = (struct tap_port *)p;

	vsw_port_unwatch(p, t->fd);
	close(t->fd);
	free(t);
}

static const struct vsw_port_ops tap_ops = {
	.type = "tap",
	.start = tap_start,
	.deliver = tap_deliver,
	.event = tap_event,
	.destroy = tap_destroy,
};

int vsw_port_tap_new(int fd, struct vsw_port **out)
{
	struct tap_port *t;
	struct stat st;
	int ret;

	if (fd < 0 || fstat(fd, &st))
		return -EBADF;
	ret = fd_set_nonblock(fd);
	if (ret)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fd = fd;
	t->sock = S_ISSOCK(st.st_mode);
	t->port.ops = &tap_ops;
	*out = &t->port;
	return 0;
}

void vsw_port_tap_release(struct vsw_port *p)
{
	free((struct tap_port *)p);
}
