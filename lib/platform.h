/* SPDX-License-Identifier: MIT */
/* Facts about where mteprobe runs that decide whether its results count. */
#ifndef MTEPROBE_PLATFORM_H
#define MTEPROBE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

/* The architecture this binary was built for ("aarch64", "x86_64"). */
const char *platform_build_arch(void);

/* True under user-mode emulation (qemu-aarch64 on an x86_64 kernel): the
 * kernel's architecture differs from the binary's. Syscalls then run on the
 * host kernel without tag checks, and their results mean nothing.
 * Fills kernel_arch (may be "unknown"). */
bool platform_user_emulation(char *kernel_arch, size_t size);

#endif
