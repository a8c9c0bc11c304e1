/* SPDX-License-Identifier: MIT */
/*
 * guest_init.h - the minimal init of a namespace guest (PID 1 of its PID
 * namespace, like `docker run --init`) and the relay above it: signal
 * forwarding, reaping, exit status
 */
#ifndef MVM_CLI_GUEST_INIT_H
#define MVM_CLI_GUEST_INIT_H

#include <signal.h>
#include <sys/types.h>

/**
 * guest_init_signalfd() - block every signal that can be forwarded and
 *			   read them from a signalfd instead
 * @old:	receives the signal mask before the call (may be NULL)
 * All signals are blocked but SIGKILL, SIGSTOP and the synchronous ones
 * (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS). A blocked signal
 * reaches even a PID 1 that has no handler, which is what lets the init
 * receive SIGTERM at all. The mask and the signalfd are inherited by
 * fork(): a child reads its own signals from the same descriptor.
 * Return: the signalfd (close-on-exec; the caller owns it), or -errno
 */
int guest_init_signalfd(sigset_t *old);

/**
 * guest_init_mount_proc() - mount a procfs of the caller's PID namespace
 *			     on /proc
 * Must run in a process inside the PID namespace (procfs shows the
 * namespace of the process that mounts it) and in a private mount
 * namespace.
 * Return: 0 or -errno
 */
int guest_init_mount_proc(void);

/**
 * guest_init_status() - a wait status as an exit code
 * @wstatus:	from waitpid()
 * Return: the exit status, or 128 + the signal that killed the process
 *	   (as a shell reports it), or 1 for anything else
 */
int guest_init_status(int wstatus);

/**
 * guest_init_wait() - forward signals to @child and reap every child until
 *		       @child exits
 * @sfd:	from guest_init_signalfd(), in this process or a parent
 * @child:	the process to forward to and wait for
 * Every signal read from @sfd but SIGCHLD is sent on to @child, unless the
 * kernel generated it (si_code SI_KERNEL: Ctrl-C, Ctrl-\, a hangup or a
 * window change from the terminal, which signals the whole foreground
 * process group and so reached @child already). On SIGCHLD every exited
 * child is reaped, orphans included (waitpid(-1)): as PID 1 this is the
 * reaper of the namespace.
 * Return: @child's status as guest_init_status() gives it
 */
int guest_init_wait(int sfd, pid_t child);

#endif
