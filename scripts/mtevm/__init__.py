# SPDX-License-Identifier: MIT
"""mte-vm's host side, one job per module (manual: man/mte-vm.1).

  status     exit statuses and the error that carries one
  kernels    the kernels and filesystems mte-vm knows by name (data), kernel images
  debian     Debian packages through apt-get with a private state in the cache
  modules    which modules a filesystem needs, in load order (modprobe --show-depends)
  initramfs  the guest's initramfs: busybox, scripts/vm/init, modules, the job
  qemu       the QEMU command line and the wait for the guest
  results    result directories, the guest's results, kernel problems on the console
  main       the command line and the run of each kernel

Python 3 standard library only; the guest side (scripts/vm/init) is busybox sh.
"""
