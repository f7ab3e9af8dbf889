/* SPDX-License-Identifier: MIT */
#include "platform.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

const char *platform_build_arch(void)
{
#if defined(__aarch64__)
	return "aarch64";
#elif defined(__x86_64__)
	return "x86_64";
#else
	return "unknown";
#endif
}

bool platform_user_emulation(char *kernel_arch, size_t size)
{
	char buf[64];

	/* kernel.arch is the kernel's own: user-mode qemu does not emulate it
	 * (uname(2) it does) */
	if (read_small_file("/proc/sys/kernel/arch", buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(kernel_arch, size, "%s", buf);
		return strcmp(buf, platform_build_arch()) != 0;
	}
	snprintf(kernel_arch, size, "unknown");
	return false;
}
