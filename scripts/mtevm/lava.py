# SPDX-License-Identifier: MIT
"""lava-job: a LAVA job that runs mteprobe on a QEMU arm64 machine with MTE, and a
template for a real board (manual: man/lava-job.1).

It writes, in a new directory: the kernel (a Debian kernel mte-vm knows by name, from
its cache, or the user's Image), rootfs.cpio (busybox, the static arm64 mteprobe,
scripts/vm/lava-init as /init and scripts/vm/mteprobe-lava, which turns mteprobe's KTAP
into lava-test-set/lava-test-case), job.yaml and board-template.yaml. The YAML is
written as text (Python's standard library has no YAML writer); every value that comes
from the user is quoted as JSON, which YAML reads as it is.
"""
import json
import os
import re
import shutil
import sys
import tempfile

from . import initramfs, kernels, main
from .status import EX_USAGE, Failure, usage_error

REPO = main.REPO
# TuxRun's qemu-arm64 machine, with MTE; no KVM: TCG emulates MTE on any host.
MACHINE = "virt,mte=on"
CPU = "max,pauth-impdef=on"
KERNEL_CMDLINE = "console=ttyAMA0 panic=-1 loglevel=5 rdinit=/init"
# scripts/vm/lava-init's PS1
PROMPT = "mteprobe-lava# "
DEFAULT_ARGS = ["--fs", "tmpfs"]
DEFAULT_TIMEOUT_MIN = 30

USAGE = f"""usage: lava-job [--kernel NAME|IMAGE] [--binary PATH] [--out DIR] [--url URL]
                [--timeout MINUTES] [-- mteprobe matrix ARGS...]
Writes a LAVA job that runs "mteprobe matrix ARGS --format ktap" (default ARGS:
{' '.join(DEFAULT_ARGS)}) on a QEMU arm64 machine with MTE, and a template for a real board,
into DIR (new or empty; default lava-job): job.yaml, board-template.yaml, the kernel
and rootfs.cpio. See man/lava-job.1.
Kernels: {kernels.kernel_names()} (mte-vm's, same cache), or the path of an arm64 Image.
--url: where a lab will download the kernel and rootfs.cpio from (default file://DIR).
"""


class Options:
	kernel = kernels.DEFAULT_KERNEL
	binary = None
	out = "lava-job"
	url = None
	timeout = DEFAULT_TIMEOUT_MIN
	args = DEFAULT_ARGS


def parse_args(argv):
	o, i = Options(), 0
	valued = {"--kernel": "kernel", "--binary": "binary", "--out": "out", "--url": "url", "--timeout": "timeout"}
	while i < len(argv):
		a = argv[i]
		if a in valued:
			if i + 1 >= len(argv) or not argv[i + 1]:
				raise usage_error(f"{a} needs a value")
			setattr(o, valued[a], argv[i + 1])
			i += 2
		elif a in ("-h", "--help"):
			sys.stdout.write(USAGE)
			raise Failure(0, "")
		elif a == "--":
			o.args = argv[i + 1:]
			break
		else:
			raise usage_error(f"unknown argument '{a}'; put mteprobe's command after --, e.g. lava-job -- mteprobe matrix --fs tmpfs")
	o.args = check_command(o.args)
	main.check_kernel_arg(o.kernel)
	if not str(o.timeout).isdigit() or int(o.timeout) < 1:
		raise usage_error(f"--timeout wants whole minutes, e.g. --timeout 30, not '{o.timeout}'")
	o.timeout = int(o.timeout)
	if o.binary is not None and not os.path.isfile(o.binary):
		raise usage_error(f"binary {o.binary} does not exist; build it or drop --binary to let lava-job build it")
	main.results.check_out_arg(o.out)
	if o.url is not None and "://" not in o.url:
		raise usage_error(f"--url wants a URL such as https://lab.example/mteprobe/, not '{o.url}'")
	return o


def check_command(args):
	"""matrix's ARGS from "mteprobe matrix ARGS" (or ARGS alone): the job reports KTAP, so
	another output or format is a mistake."""
	if args[:2] == ["mteprobe", "matrix"]:
		args = args[2:]
	elif args and args[0] == "mteprobe":
		raise usage_error(f"lava-job runs mteprobe matrix only, not '{' '.join(args[:2])}'; give: -- mteprobe matrix ARGS")
	for a in args:
		if a in ("--format", "--csv", "--json", "-o", "--resume") or a.startswith(("--format=", "-o")):
			raise usage_error(f"lava-job reports matrix's KTAP to LAVA: drop '{a}' from the command")
	return args


def q(s):
	"""A YAML scalar holding S exactly."""
	return json.dumps(s)


def test_action(args, timeout):
	"""The test action: an inline Lava-Test Test Definition that runs mteprobe-lava."""
	command = " ".join(a if re.fullmatch(r"[A-Za-z0-9_.,=/:+-]+", a) else initramfs.sh_quote(a)
			   for a in ["mteprobe-lava", "matrix"] + list(args))
	return f"""- test:
    timeout:
      minutes: {timeout}
    definitions:
    - from: inline
      name: mteprobe
      path: inline/mteprobe.yaml
      repository:
        metadata:
          format: Lava-Test Test Definition 1.0
          name: mteprobe
          description: "What syscalls do when their user buffer holds an MTE fault: mteprobe matrix, one test set per syscall"
        run:
          steps:
          - {q(command)}
"""


def qemu_job(kernel_url, rootfs_url, label, args, timeout):
	return f"""# A LAVA job (man/lava-job.1): mteprobe on a QEMU arm64 machine with MTE ({MACHINE},
# -cpu {CPU}, as TuxRun's qemu-arm64), kernel {label}, a busybox ramdisk.
# Device: device_type qemu; lava-job's own device dictionary for lava-run is
# tests/harness/fixtures/lava-qemu-mte.yaml.
device_type: qemu
job_name: {q("mteprobe matrix on " + label)}
timeouts:
  job:
    minutes: {timeout + 10}
  action:
    minutes: {timeout}
  connection:
    minutes: 2
priority: medium
visibility: public
context:
  arch: arm64
  machine: {q(MACHINE)}
  cpu: {q(CPU)}
  memory: 1024
  extra_options:
  - -smp 2
actions:
- deploy:
    to: tmpfs
    timeout:
      minutes: 5
    images:
      kernel:
        image_arg: {q('-kernel {kernel} -append "' + KERNEL_CMDLINE + '"')}
        url: {q(kernel_url)}
      ramdisk:
        image_arg: "-initrd {{ramdisk}}"
        url: {q(rootfs_url)}
        format: cpio.newc
        overlays:
          lava: true
- boot:
    method: qemu
    media: tmpfs
    timeout:
      minutes: 10
    prompts:
    - {q(PROMPT)}
""" + test_action(args, timeout)


def board_template(kernel_url, rootfs_url, label, args, timeout):
	return f"""# A LAVA job template for a real arm64 board with MTE (man/lava-job.1): fill in every
# @...@ for your lab, then submit it (lavacli jobs submit board-job.yaml).
# The ramdisk (rootfs.cpio: busybox, the static mteprobe, mteprobe-lava) boots on any
# arm64 board whose kernel has MTE; the kernel here is {label}'s, replace it by the
# board's own (with its dtb) where the board needs one.
device_type: "@DEVICE_TYPE@"          # your lab's device type, e.g. a Pixel 8 class phone or an SoC board
job_name: {q("mteprobe matrix on @BOARD@")}
timeouts:
  job:
    minutes: {timeout + 20}
  action:
    minutes: {timeout}
  connection:
    minutes: 2
priority: medium
visibility: public
context:
  arch: arm64
actions:
- deploy:
    to: "@DEPLOY_TO@"                 # tftp (u-boot), fastboot, ...: what your device type supports
    timeout:
      minutes: 10
    kernel:
      url: {q(kernel_url)}        # the board's kernel, built with CONFIG_ARM64_MTE
      type: "@KERNEL_TYPE@"            # image, zimage or uimage, as your bootloader loads it
    # dtb:
    #   url: "@DTB_URL@"               # the board's device tree, where it needs one
    ramdisk:
      url: {q(rootfs_url)}
      compression: none
      format: cpio.newc
      overlays:
        lava: true
- boot:
    method: "@BOOT_METHOD@"            # u-boot, fastboot, ...
    commands: "@BOOT_COMMANDS@"       # e.g. ramdisk, for u-boot
    timeout:
      minutes: 10
    prompts:
    - {q(PROMPT)}
""" + test_action(args, timeout)


def ramdisk(dest, busybox_tree, binary, scratch):
	"""rootfs.cpio: one newc archive (LAVA unpacks it to add its test overlay, and cpio
	stops at the first archive's end, so not mte-vm's concatenated ones)."""
	stage = os.path.join(scratch, "rootfs")
	os.makedirs(os.path.join(stage, "bin"))
	vm = os.path.join(REPO, "scripts", "vm")
	for src, name in ((os.path.join(busybox_tree, "bin/busybox"), "bin/busybox"), (binary, "bin/mteprobe"),
			  (os.path.join(vm, "mteprobe-lava"), "bin/mteprobe-lava"), (os.path.join(vm, "lava-init"), "init")):
		shutil.copyfile(src, os.path.join(stage, name))
		os.chmod(os.path.join(stage, name), 0o755)
	initramfs.make_cpio(stage, dest)


def write_new(path, text):
	with open(path, "x") as f:
		f.write(text)


def run(o):
	host = main.Host(main.Options())
	host.opts.kernels, host.opts.modules = (o.kernel,), None
	host.ensure_tools()
	os.makedirs(host.cache, exist_ok=True)
	binary = o.binary or host.build_mteprobe()
	host.check_binary(binary)
	host.scratch = tempfile.mkdtemp(prefix="lava.", dir=host.cache)
	try:
		label = host.label(o.kernel)
		image, _ = host.prepare_kernel(o.kernel)
		bb = host.unpacked(kernels.BUSYBOX)
		os.makedirs(o.out, exist_ok=True)
		out = os.path.realpath(o.out)
		with open(image, "rb") as src:
			# Debian's vmlinuz is a gzipped Image: QEMU takes both, a bootloader may not
			kernel_name = "Image.gz" if src.read(2) == b"\x1f\x8b" else "Image"
			src.seek(0)
			with open(os.path.join(out, kernel_name), "xb") as dst:
				shutil.copyfileobj(src, dst)
		ramdisk(os.path.join(out, "rootfs.cpio"), bb, binary, host.scratch)
	finally:
		shutil.rmtree(host.scratch, ignore_errors=True)
	base = o.url.rstrip("/") + "/" if o.url else "file://" + out + "/"
	urls = (base + kernel_name, base + "rootfs.cpio")
	write_new(os.path.join(out, "job.yaml"), qemu_job(*urls, label, o.args, o.timeout))
	write_new(os.path.join(out, "board-template.yaml"), board_template(*urls, label, o.args, o.timeout))
	print(f"lava-job: {label}: job.yaml (QEMU with MTE), board-template.yaml, {kernel_name} and rootfs.cpio in {out}",
	      file=sys.stderr)
	return 0


def lava_main(argv):
	try:
		return run(parse_args(argv))
	except Failure as f:
		if str(f):
			print(f"lava-job: {f}", file=sys.stderr)
			if f.status == EX_USAGE:
				print("Try 'lava-job --help'", file=sys.stderr)
		return f.status
