// SPDX-License-Identifier: MIT
/*
 * guest_init.c - PID 1 of a namespace guest, and the relay that holds it
 *
 * Theory of operation
 *
 * A namespace guest has its own PID namespace (netns.c unshares
 * CLONE_NEWPID), so that everything it starts ends with it and `ps` inside
 * shows only its own processes. The process that unshares stays outside;
 * its next child is PID 1 inside. Three processes of ours carry a guest
 * (supervise.c draws the whole chain):
 *
 *   relay (host pid; what mvmd records and signals)
 *     └─ init: PID 1 of the guest's PID namespace
 *          └─ CMD: PID 2
 *
 * The relay and the init run the same loop, guest_init_wait(): signals
 * (from `mvm stop`, `mvm kill`, a kill(1) inside the guest) are forwarded
 * one step down, children are reaped, and when the one child that matters
 * exits, its status becomes the caller's exit status. CMD is not PID 1: a
 * PID 1 ignores every signal it has no handler for (SIGTERM from `mvm stop`
 * included), and as PID 2 CMD keeps the usual semantics. When the init
 * exits, the kernel kills every process left in the namespace with SIGKILL
 * and waits for them, so background children die with CMD; the relay sees
 * the init's exit only after that. The init has PR_SET_PDEATHSIG SIGKILL on
 * the relay, and the relay on the supervising mvm: killing mvm kills the
 * whole namespace.
 *
 * Signals are blocked and read from a signalfd rather than caught: no
 * handler runs at a random point, and a blocked signal is queued even to a
 * PID 1 without a handler (the kernel drops it only when the disposition is
 * SIG_DFL and the signal is not blocked).
 */
#include "cli/guest_init.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

int guest_init_signalfd(sigset_t *old)
{
	static const int sync_signals[] = {
		SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS,
	};
	sigset_t mask;
	size_t i;
	int fd;

	sigfillset(&mask);
	for (i = 0; i < sizeof(sync_signals) / sizeof(sync_signals[0]); i++)
		sigdelset(&mask, sync_signals[i]);
	if (sigprocmask(SIG_BLOCK, &mask, old) < 0)
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int guest_init_mount_proc(void)
{
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	return 0;
}

int guest_init_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/* Reap every child that has exited; 1 and *@st when @child was one */
static int reap_all(pid_t child, int *st)
{
	int found = 0, s;
	pid_t p;

	while ((p = waitpid(-1, &s, WNOHANG)) > 0 || (p < 0 && errno == EINTR)) {
		if (p == child) {
			*st = s;
			found = 1;
		}
	}
	return found;
}

int guest_init_wait(int sfd, pid_t child)
{
	struct signalfd_siginfo si;
	ssize_t n;
	int st;

	for (;;) {
		n = read(sfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si)) {
			/* cannot happen with a valid signalfd; still reap */
			while (waitpid(child, &st, 0) < 0)
				if (errno != EINTR)
					return 1;
			return guest_init_status(st);
		}
		if (si.ssi_signo == SIGCHLD) {
			if (reap_all(child, &st))
				return guest_init_status(st);
			continue;
		}
		if (si.ssi_code != SI_KERNEL)
			kill(child, (int)si.ssi_signo);
	}
}
