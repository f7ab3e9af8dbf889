# SPDX-License-Identifier: MIT
"""lava-job: a LAVA job that runs mteprobe on a QEMU arm64 machine with MTE, and a
template for a real board (manual: man/lava-job.1).

It writes, in a new directory: the kernel (a Debian kernel mte-vm knows by name, from
its cache, or the user's Image), rootfs.cpio (busybox, the static arm64 mteprobe,
scripts/vm/lava-init as /init and scripts/vm/mteprobe-lava, which turns mteprobe's KTAP
into lava-test-set/lava-test-case), mteprobe-overlay.tar.xz (the two for another root
filesystem), job.yaml and board-template.yaml. The YAML is
written as text (Python's standard library has no YAML writer); every value that comes
from the user is quoted as JSON, which YAML reads as it is.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

from . import initramfs, kernels, main, qemu, results
from .status import EX_USAGE, Failure, usage_error

REPO = main.REPO
# TuxRun's qemu-arm64 machine, with MTE; no KVM: TCG emulates MTE on any host.
MACHINE = "virt,mte=on"
CPU = "max,pauth-impdef=on"
# loglevel=6: LAVA's qemu device waits for the kernel's "Linux version" banner, a
# KERN_NOTICE (5) message; KERN_INFO and debug chatter stay off the test shell's console.
KERNEL_CMDLINE = "console=ttyAMA0 panic=-1 loglevel=6 rdinit=/init"
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
	results.check_out_arg(o.out, "or delete it (lava-job writes a new job into a new directory)")
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
			raise usage_error(f"the job reports matrix's KTAP to LAVA: drop '{a}' from the command")
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


def job_head(name, job_minutes, action_minutes):
	"""The job's name, time limits and scheduling fields."""
	return f"""job_name: {q(name)}
timeouts:
  job:
    minutes: {job_minutes}
  action:
    minutes: {action_minutes}
  connection:
    minutes: 2
priority: medium
visibility: public"""


def qemu_job(kernel_url, rootfs_url, label, args, timeout):
	return f"""# A LAVA job (man/lava-job.1): mteprobe on a QEMU arm64 machine with MTE ({MACHINE},
# -cpu {CPU}, as TuxRun's qemu-arm64), kernel {label}, a busybox ramdisk.
# Device: device_type qemu; lava-job's own device dictionary for lava-run is
# tests/harness/fixtures/lava-qemu-mte.yaml.
device_type: qemu
{job_head("mteprobe matrix on " + label, timeout + 10, timeout)}
context:
  arch: arm64
  machine: {q(MACHINE)}
  cpu: {q(CPU)}
  memory: 1024
  extra_options:
  - -smp {qemu.GUEST_CPUS}
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
{job_head("mteprobe matrix on @BOARD@", timeout + 20, timeout)}
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


def overlay(dest, binary):
	"""mteprobe-overlay.tar.xz: mteprobe and mteprobe-lava in usr/bin, for a root
	filesystem of the lab's own (TuxRun's --overlay, LAVA's overlays: of a rootfs); in
	usr/bin, which a merged /usr leaves a directory, where bin may be a link."""
	with tarfile.open(dest, "x:xz") as tar:
		for src, name in ((binary, "usr/bin/mteprobe"), (os.path.join(REPO, "scripts", "vm", "mteprobe-lava"), "usr/bin/mteprobe-lava")):
			info = tar.gettarinfo(src, name)
			info.mode, info.uid, info.gid, info.uname, info.gname = 0o755, 0, 0, "root", "root"
			with open(src, "rb") as f:
				tar.addfile(info, f)


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
		overlay(os.path.join(out, "mteprobe-overlay.tar.xz"), binary)
	finally:
		shutil.rmtree(host.scratch, ignore_errors=True)
	base = o.url.rstrip("/") + "/" if o.url else "file://" + out + "/"
	urls = (base + kernel_name, base + "rootfs.cpio")
	write_new(os.path.join(out, "job.yaml"), qemu_job(*urls, label, o.args, o.timeout))
	write_new(os.path.join(out, "board-template.yaml"), board_template(*urls, label, o.args, o.timeout))
	print(f"lava-job: {label}: job.yaml (QEMU with MTE), board-template.yaml, {kernel_name}, rootfs.cpio "
	      f"and mteprobe-overlay.tar.xz in {out}",
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


# ---- reading what LAVA recorded, for checks (tests/vm/lava-check)

def log_records(lines):
	"""The records of lava-run's log (one YAML flow mapping per line, on its standard
	error), as dicts; lines that are no record are left out. LAVA double-quotes every
	scalar, which makes a line JSON once its non-specific tags ("starttc": ! "235") are
	dropped; the others (a console line with a YAML-only escape such as \\e) need
	python3-yaml, which lava-dispatcher depends on."""
	try:
		import yaml
	except ImportError:
		yaml = None
	out = []
	for line in lines:
		line = line.strip()
		if line.startswith("- "):
			line = line[2:]
		if not line.startswith("{"):
			continue
		try:
			rec = json.loads(line.replace(': ! "', ': "'))
		except ValueError:
			try:
				rec = yaml.safe_load(line) if yaml else None
			except yaml.YAMLError:
				rec = None
		if isinstance(rec, dict) and "lvl" in rec and "msg" in rec:
			out.append(rec)
	return out


def recorded_results(records, definition="mteprobe"):
	"""[(set or None, case, result)] that the test definition DEFINITION reported, in order
	(LAVA names a definition "N_NAME", N its position in the job)."""
	return [(m.get("set"), m["case"], m["result"]) for m in (r["msg"] for r in records if r["lvl"] == "results")
		if isinstance(m, dict) and str(m.get("definition", "")).split("_", 1)[-1] == definition]


def job_result(records):
	"""The job's own result (pass or fail) and LAVA's error message, if any."""
	for r in records:
		m = r["msg"]
		if r["lvl"] == "results" and isinstance(m, dict) and m.get("definition") == "lava" and m.get("case") == "job":
			return m.get("result"), m.get("error_msg")
	return None, "no job result in the log"


def console_lines(records):
	"""The guest's console, as LAVA logged it."""
	return [r["msg"] for r in records if r["lvl"] == "target" and isinstance(r["msg"], str)]


def expected_results(ktap, status, workdir):
	"""What scripts/vm/mteprobe-lava reports for the KTAP file from a run that ended with
	STATUS, run under busybox sh with lava-test-set and lava-test-case stand-ins:
	[(set or None, case, result)] as recorded_results gives them."""
	bin_dir = os.path.join(workdir, "lava-stand-ins")
	os.makedirs(bin_dir)
	log = os.path.join(workdir, "lava-stand-ins.log")
	for tool in ("lava-test-case", "lava-test-set"):
		with open(os.path.join(bin_dir, tool), "x") as f:
			f.write(f'#!/bin/sh\necho "{tool} $*" >>{initramfs.sh_quote(log)}\n')
		os.chmod(os.path.join(bin_dir, tool), 0o755)
	env = dict(os.environ, PATH=bin_dir + ":" + os.environ["PATH"])
	subprocess.run(["busybox", "sh", os.path.join(REPO, "scripts", "vm", "mteprobe-lava"), "report", ktap, str(status)],
		       env=env, stdout=subprocess.DEVNULL, check=True)
	out, current = [], None
	with open(log) as f:
		for words in (line.split() for line in f):
			if words[:2] == ["lava-test-set", "start"]:
				current = words[2]
			elif words[:2] == ["lava-test-set", "stop"]:
				current = None
			elif words[0] == "lava-test-case":
				out.append((current, words[1], words[3]))
	return out
