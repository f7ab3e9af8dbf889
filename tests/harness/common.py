# SPDX-License-Identifier: MIT
"""Shared by the harness's unit tests: the package's import path, the fixtures, and
checks of mte-vm's errors and messages."""
import contextlib
import io
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(HERE, "fixtures")
sys.path.insert(0, os.path.join(TOP, "scripts"))
os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"

from mtevm.status import Failure  # noqa: E402 (after the path it comes from)


def fixture(name):
	return os.path.join(FIXTURES, name)


def need_tools(*tools):
	missing = [t for t in tools if not shutil.which(t)]
	if missing:
		raise unittest.SkipTest(f"no {' '.join(missing)} (scripts/install-deps installs it)")


@contextlib.contextmanager
def stderr_captured():
	"""What the block prints on stderr, in the StringIO it gives."""
	err = io.StringIO()
	with contextlib.redirect_stderr(err):
		yield err


class TempDirTest(unittest.TestCase):
	def failure(self, status, fn, *args):
		"""fn(*args) ends mte-vm with STATUS and a message of one line: the message."""
		with self.assertRaises(Failure) as e:
			fn(*args)
		self.assertEqual(e.exception.status, status)
		self.assertNotIn("\n", str(e.exception))
		return str(e.exception)

	def setUp(self):
		self.tmp = tempfile.mkdtemp(prefix="harness-test.")
		self.addCleanup(shutil.rmtree, self.tmp, True)
