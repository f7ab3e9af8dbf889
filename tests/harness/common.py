# SPDX-License-Identifier: MIT
"""Shared by the harness's unit tests: the package's import path and the fixtures."""
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


def fixture(name):
	return os.path.join(FIXTURES, name)


def need_tools(*tools):
	missing = [t for t in tools if not shutil.which(t)]
	if missing:
		raise unittest.SkipTest(f"no {' '.join(missing)} (scripts/install-deps installs it)")


class TempDirTest(unittest.TestCase):
	def setUp(self):
		self.tmp = tempfile.mkdtemp(prefix="harness-test.")
		self.addCleanup(shutil.rmtree, self.tmp, True)
