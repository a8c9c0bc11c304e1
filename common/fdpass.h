/* SPDX-License-Identifier: MIT */
/* fdpass.h - one message plus file descriptors over a unix socket (SCM_RIGHTS) */
#ifndef MVM_FDPASS_H
#define MVM_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

#define FDPASS_MAX 16	/* most descriptors carried by one message */

/**
 * fdpass_send() - send @len bytes and @nfds descriptors as one message
 * Return: bytes sent, or -errno
 */
ssize_t fdpass_send(int sock, const void *buf, size_t len, const int *fds,
		    size_t nfds);

/**
 * fdpass_recv() - receive one message and up to FDPASS_MAX descriptors
 * @sock:	the socket (SOCK_SEQPACKET or SOCK_DGRAM keep message bounds)
 * @buf, @len:	where the message goes
 * @fds:	receives descriptors (close-on-exec); caller owns them
 * @nfds:	in: room in @fds; out: how many arrived
 * @trunc:	set non-zero when the message was larger than @len (the
 *		descriptors that came with it are then closed and *nfds is 0)
 * Return: bytes received (0 on orderly shutdown), or -errno
 */
ssize_t fdpass_recv(int sock, void *buf, size_t len, int *fds, size_t *nfds,
		    int *trunc);

#endif
