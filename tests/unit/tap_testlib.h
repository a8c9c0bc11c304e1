/* SPDX-License-Identifier: MIT */
/*
 * tap_testlib.h - the guest's end of a socketpair port, for switch and
 * gateway unit tests (test_vsw.c, test_gw_services.c, test_gw_nat_udp.c,
 * test_gw_nat_pub.c)
 *
 * A SOCK_SEQPACKET socketpair stands in for a tap: the switch owns one end
 * (tap_attach()), the test the other, and every message is a 12-byte
 * virtio_net_hdr_v1 followed by one Ethernet frame, as on a tap.
 */
#ifndef MVM_TAP_TESTLIB_H
#define MVM_TAP_TESTLIB_H

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cmocka.h>

#include "pkt/frame.h"
#include "vswitch/port.h"
#include "vswitch/vsw.h"

#define TAP_VH_LEN	12	/* sizeof(struct virtio_net_hdr_v1) */

/* attach a socketpair "tap" named @name to @sw: the test's end, port @id */
static inline int tap_attach(struct vsw *sw, const char *name, unsigned *id)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	assert_int_equal(vsw_port_add_tap(sw, sv[0], name, id), 0);
	return sv[1];
}

/* send one frame on @fd behind @vh (NULL: an all-zero header) */
static inline void tap_send(int fd, const struct virtio_net_hdr_v1 *vh,
			    const void *frame, size_t len)
{
	struct virtio_net_hdr_v1 zero = { 0 };
	struct iovec iov[2] = {
		{ .iov_base = (void *)(vh ? vh : &zero), .iov_len = TAP_VH_LEN },
		{ .iov_base = (void *)frame, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	assert_int_equal(sendmsg(fd, &mh, 0), (ssize_t)(TAP_VH_LEN + len));
}

/*
 * the next frame on @fd within @ms into @buf (its virtio header dropped):
 * its length, or -1 when none came or it was shorter than a header
 */
static inline ssize_t tap_recv(int fd, void *buf, size_t size, int ms)
{
	uint8_t vh[TAP_VH_LEN];
	struct iovec iov[2] = {
		{ .iov_base = vh, .iov_len = TAP_VH_LEN },
		{ .iov_base = buf, .iov_len = size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	return n < TAP_VH_LEN ? -1 : n - TAP_VH_LEN;
}

#endif
