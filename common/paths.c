// SPDX-License-Identifier: MIT
/* paths.c - where mvm keeps its socket, state, logs and configuration */
#include "common/paths.h"
#include "common/util.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int fmt(char *buf, size_t size, const char *a, const char *b)
{
	if (snprintf(buf, size, "%s%s", a, b) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h)
		return h;
	pw = getpwuid(getuid());
	return pw ? pw->pw_dir : "/";
}

int paths_runtime_dir(char *buf, size_t size)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int ret;

	if (x && *x && access(x, W_OK) == 0) {
		ret = fmt(buf, size, x, "/mvm");
	} else {
		char tmp[64];

		snprintf(tmp, sizeof(tmp), "/tmp/mvm-%u", (unsigned)getuid());
		ret = fmt(buf, size, tmp, "");
	}
	if (ret)
		return ret;
	ret = mkdir_p(buf, 0700);
	if (ret)
		return ret;
	/* a directory another user made for us in /tmp is not ours to use */
	if (lstat(buf, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid())
		return -EPERM;
	return 0;
}

int paths_state_dir(char *buf, size_t size)
{
	const char *x = getenv("XDG_DATA_HOME");
	int ret;

	if (x && *x)
		ret = fmt(buf, size, x, "/mvm");
	else
		ret = fmt(buf, size, home_dir(), "/.local/share/mvm");
	if (ret)
		return ret;
	return mkdir_p(buf, 0700);
}

int paths_control_socket(char *buf, size_t size)
{
	char dir[4096];
	int ret = paths_runtime_dir(dir, sizeof(dir));

	if (ret)
		return ret;
	return fmt(buf, size, dir, "/control.sock");
}

int paths_default_config(char *buf, size_t size)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	int ret;

	if (x && *x)
		ret = fmt(buf, size, x, "/mvm/mvm.conf");
	else
		ret = fmt(buf, size, home_dir(), "/.config/mvm/mvm.conf");
	if (ret)
		return ret;
	if (access(buf, F_OK) == 0)
		return 1;
	ret = fmt(buf, size, "/etc/mvm/mvm.conf", "");
	if (ret)
		return ret;
	return access(buf, F_OK) == 0;
}
